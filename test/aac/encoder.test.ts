import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AacEncoder } from '../../src/media/aac/encoder.js';
import type { AacChunk, AacChunkMetadata } from '../../src/media/aac/encoder.js';
import { audioSpecificConfig } from '../../src/media/aac/config.js';
import { bandTablesFor } from '../../src/media/aac/swb-tables.js';
import { decodeRawDataBlock } from './reference-decoder.js';
import { testSignal } from './signals.js';

function encodeAll(sampleRate: number, channels: number, bitrate: number, planes: Float32Array[], piece = 777) {
  const chunks: AacChunk[] = [];
  const metas: (AacChunkMetadata | undefined)[] = [];
  const errors: Error[] = [];
  const enc = new AacEncoder({ output: (c, m) => (chunks.push(c), metas.push(m)), error: (e) => errors.push(e) });
  enc.configure({ sampleRate, numberOfChannels: channels, bitrate });
  const n = planes[0]!.length;
  for (let at = 0; at < n; at += piece) {
    const end = Math.min(n, at + piece);
    enc.encode({
      timestamp: 5_000_000 + Math.round((at * 1e6) / sampleRate),
      sampleRate,
      numberOfChannels: channels,
      planes: planes.map((p) => p.subarray(at, end)),
    });
  }
  return { enc, chunks, metas, errors };
}

test('chunks: key frames timed in samples, decoder config first, all input covered after flush', async () => {
  const planes = testSignal(44100, 2, 1);
  const { enc, chunks, metas, errors } = encodeAll(44100, 2, 128000, planes);
  await enc.flush();
  assert.deepEqual(errors, []);
  assert.equal(chunks.length, Math.ceil(44100 / 1024) + 1, 'one chunk per started block, plus the priming frame');
  const cfg = metas[0]?.decoderConfig;
  assert.ok(cfg);
  assert.equal(cfg.codec, 'mp4a.40.2');
  assert.deepEqual([...cfg.description], [0x12, 0x10]); // LC, 44.1 kHz (index 4), 2 channels
  assert.ok(metas.slice(1).every((m) => m === undefined));
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]!;
    assert.equal(c.type, 'key');
    assert.equal(c.timestamp, 5_000_000 + Math.round((i * 1024 * 1e6) / 44100));
    assert.equal(c.timestamp + c.duration, 5_000_000 + Math.round(((i + 1) * 1024 * 1e6) / 44100));
    assert.equal(c.byteLength, c.data.length);
  }
  assert.equal(AacEncoder.encoderDelay, 1024);
  enc.close();
  assert.equal(enc.state, 'closed');
  assert.throws(() => enc.encode({ timestamp: 0, sampleRate: 44100, numberOfChannels: 2, planes }), { name: 'InvalidStateError' });
});

test('every access unit parses completely, and attacks switch to legal short-window sequences', async () => {
  for (const [rate, channels] of [[48000, 2], [16000, 1]] as const) {
    const { enc, chunks } = encodeAll(rate, channels, channels * 48000, testSignal(rate, channels, 2));
    await enc.flush();
    const tables = bandTablesFor(rate);
    const sequences = chunks.map((c) => decodeRawDataBlock(c.data, tables).elements[0]!.ics[0]!.windowSequence);
    assert.ok(sequences.includes(2), 'clicks produce EIGHT_SHORT frames');
    for (let i = 1; i < sequences.length; i++) {
      // LONG_START (1) and EIGHT_SHORT (2) must be followed by EIGHT_SHORT or LONG_STOP (3).
      const prevEndsShort = sequences[i - 1] === 1 || sequences[i - 1] === 2;
      const startsShort = sequences[i] === 2 || sequences[i] === 3;
      assert.equal(startsShort, prevEndsShort, `frame ${i}: ${sequences[i - 1]} → ${sequences[i]}`);
    }
  }
});

test('accepts AudioData-like input through copyTo', async () => {
  const planes = testSignal(48000, 2, 0.1);
  const chunks: AacChunk[] = [];
  const enc = new AacEncoder({ output: (c) => chunks.push(c), error: (e) => assert.fail(e) });
  enc.configure({ sampleRate: 48000, numberOfChannels: 2, bitrate: 96000 });
  enc.encode({
    timestamp: 0,
    sampleRate: 48000,
    numberOfChannels: 2,
    numberOfFrames: planes[0]!.length,
    copyTo(dest: Float32Array, options: { planeIndex: number }) {
      dest.set(planes[options.planeIndex]!);
    },
  });
  await enc.flush();
  assert.equal(chunks.length, Math.ceil(4800 / 1024) + 1);
});

test('isConfigSupported and configure check every field', async () => {
  assert.equal((await AacEncoder.isConfigSupported({ sampleRate: 22050, numberOfChannels: 1, bitrate: 32000 })).supported, true);
  for (const bad of [
    { sampleRate: 8000, numberOfChannels: 1 },
    { sampleRate: 48000, numberOfChannels: 3 },
    { sampleRate: 48000, numberOfChannels: 2, bitrate: 300000 },
    { sampleRate: 48000, numberOfChannels: 2, codec: 'opus' },
  ]) {
    assert.equal((await AacEncoder.isConfigSupported(bad)).supported, false, JSON.stringify(bad));
    const enc = new AacEncoder({ output() {}, error() {} });
    assert.throws(() => enc.configure(bad), TypeError);
  }
  const enc = new AacEncoder({ output() {}, error() {} });
  enc.configure({ sampleRate: 48000, numberOfChannels: 2 });
  assert.throws(
    () => enc.encode({ timestamp: 0, sampleRate: 44100, numberOfChannels: 2, planes: [new Float32Array(4), new Float32Array(4)] }),
    /sampleRate 44100/,
  );
});

test('AudioSpecificConfig is 2 bytes: object type 2, rate index, channel configuration', () => {
  assert.deepEqual([...audioSpecificConfig(48000, 2)], [0x11, 0x90]);
  assert.deepEqual([...audioSpecificConfig(16000, 1)], [0x14, 0x08]);
});

test('TNS filters attacks, and PNS substitutes steady noise at low bitrates', async () => {
  const tables = bandTablesFor(16000);
  const clicks = encodeAll(16000, 1, 32000, testSignal(16000, 1, 2));
  await clicks.enc.flush();
  const tnsFrames = clicks.chunks.filter((c) => decodeRawDataBlock(c.data, tables).elements[0]!.ics[0]!.tns.length > 0);
  assert.ok(tnsFrames.length > 0, 'some frames carry tns_data()');

  let seed = 5;
  const noise = Float32Array.from({ length: 32000 }, () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return 0.2 * (seed / 2 ** 31 - 1);
  });
  const white = encodeAll(16000, 1, 32000, [noise]);
  await white.enc.flush();
  const noiseBands = white.chunks.flatMap((c) => decodeRawDataBlock(c.data, tables).elements[0]!.ics[0]!.cb.flat().filter((cb) => cb === 13));
  assert.ok(noiseBands.length > 0, 'some bands use NOISE_HCB');
  const rich = encodeAll(16000, 1, 96000, [noise]);
  await rich.enc.flush();
  assert.ok(
    rich.chunks.every((c) => !decodeRawDataBlock(c.data, tables).elements[0]!.ics[0]!.cb.flat().includes(13)),
    'no substitution at 96 kbit/s',
  );
});

test('every rate, channel count and bitrate: access units parse and fit the 6144-bit buffer', async () => {
  for (const rate of [48000, 44100, 32000, 24000, 22050, 16000]) {
    const tables = bandTablesFor(rate);
    for (const channels of [1, 2]) {
      for (const bitrate of [32000, 96000, 160000, 256000]) {
        const { enc, chunks, errors } = encodeAll(rate, channels, bitrate, testSignal(rate, channels, 0.5));
        await enc.flush();
        assert.deepEqual(errors, []);
        for (const c of chunks) {
          assert.ok(c.byteLength * 8 <= 6144 * channels, `${rate}/${channels}/${bitrate}: ${c.byteLength} bytes`);
          const block = decodeRawDataBlock(c.data, tables);
          assert.equal(block.elements.length, 1);
          assert.equal(block.elements[0]!.type, channels === 2 ? 'cpe' : 'sce');
        }
      }
    }
  }
});
