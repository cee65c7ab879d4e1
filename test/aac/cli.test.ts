import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAac } from '../../src/node/cli/aac.js';
import { readWav } from '../../src/media/aac/wav.js';
import { FormatError } from '../../src/media/errors.js';
import { bandTablesFor } from '../../src/media/aac/swb-tables.js';
import { decodeRawDataBlock } from './reference-decoder.js';

/** A WAV file: format 1 (PCM) or 3 (float), interleaved from `planes`. */
function wav(planes: Float32Array[], rate: number, format: 1 | 3, bits: 16 | 24 | 32): Uint8Array {
  const n = planes[0]!.length;
  const bytesPerSample = bits / 8;
  const data = new DataView(new ArrayBuffer(n * planes.length * bytesPerSample));
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < planes.length; c++) {
      const at = (i * planes.length + c) * bytesPerSample;
      const v = planes[c]![i]!;
      if (format === 3) data.setFloat32(at, v, true);
      else if (bits === 16) data.setInt16(at, Math.round(v * 32767), true);
      else {
        const s = Math.round(v * 8388607);
        data.setUint8(at, s & 0xff);
        data.setUint8(at + 1, (s >> 8) & 0xff);
        data.setInt8(at + 2, s >> 16);
      }
    }
  }
  const h = new DataView(new ArrayBuffer(44));
  const tag = (o: number, s: string) => [...s].forEach((ch, i) => h.setUint8(o + i, ch.charCodeAt(0)));
  tag(0, 'RIFF');
  h.setUint32(4, 36 + data.byteLength, true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  h.setUint32(16, 16, true);
  h.setUint16(20, format, true);
  h.setUint16(22, planes.length, true);
  h.setUint32(24, rate, true);
  h.setUint32(28, rate * planes.length * bytesPerSample, true);
  h.setUint16(32, planes.length * bytesPerSample, true);
  h.setUint16(34, bits, true);
  tag(36, 'data');
  h.setUint32(40, data.byteLength, true);
  const out = new Uint8Array(44 + data.byteLength);
  out.set(new Uint8Array(h.buffer));
  out.set(new Uint8Array(data.buffer), 44);
  return out;
}

function tone(n: number, f: number, rate: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * f * i) / rate));
}

test('readWav reads 16-bit, 24-bit and float samples to within their precision', () => {
  const planes = [tone(100, 440, 8000), tone(100, 660, 8000)];
  for (const [format, bits, tolerance] of [[1, 16, 1 / 32767], [1, 24, 1 / 8388607], [3, 32, 0]] as const) {
    const got = readWav(wav(planes, 8000, format, bits));
    assert.equal(got.sampleRate, 8000);
    assert.equal(got.planes.length, 2);
    for (let c = 0; c < 2; c++) {
      for (let i = 0; i < 100; i++) assert.ok(Math.abs(got.planes[c]![i]! - planes[c]![i]!) <= tolerance, `${bits}-bit sample ${i}`);
    }
  }
  assert.throws(() => readWav(new TextEncoder().encode('RIFF....WAVEjunk')), FormatError);
  assert.throws(() => readWav(new Uint8Array(4)), FormatError);
  const eightBit = wav(planes, 8000, 1, 16);
  new DataView(eightBit.buffer).setUint16(34, 8, true);
  assert.throws(() => readWav(eightBit), /unsupported sample format 1 with 8 bits/);
});

test('live-pusher aac encodes a WAV to ADTS, and fails clearly on bad input', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aac-cli-'));
  try {
    const input = join(dir, 'in.wav');
    const output = join(dir, 'out.aac');
    writeFileSync(input, wav([tone(22050, 440, 22050)], 22050, 1, 24));
    assert.equal(await runAac([input, output, '--bitrate', '64k']), 0);
    const adts = readFileSync(output);
    let at = 0;
    let frames = 0;
    while (at < adts.length) {
      assert.equal(adts[at], 0xff, 'ADTS syncword');
      const length = ((adts[at + 3]! & 3) << 11) | (adts[at + 4]! << 3) | (adts[at + 5]! >> 5);
      decodeRawDataBlock(adts.subarray(at + 7, at + length), bandTablesFor(22050));
      at += length;
      frames++;
    }
    assert.equal(frames, Math.ceil(22050 / 1024) + 1);

    writeFileSync(join(dir, 'bad.wav'), 'not a wav file at all');
    assert.equal(await runAac([join(dir, 'bad.wav'), output]), 1);
    assert.equal(await runAac([join(dir, 'missing.wav'), output]), 1);
    writeFileSync(join(dir, 'rate.wav'), wav([tone(800, 440, 8000)], 8000, 1, 16));
    assert.equal(await runAac([join(dir, 'rate.wav'), output]), 1, '8 kHz is not supported');
    assert.equal(await runAac([input, output, '--bitrate', 'fast']), 2);
    assert.equal(await runAac([input]), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
