/**
 * Interoperability: ffmpeg's AAC decoder must decode every supported configuration without a
 * single warning, to the expected length. The ADTS stream is piped to ffmpeg's stdin, which also
 * spares the one notice ffmpeg prints for any seekable ADTS file ("Estimating duration from
 * bitrate"), a remark about the container, not the stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { adtsFrame } from '../../src/media/aac/adts.js';
import { AacEncoder } from '../../src/media/aac/encoder.js';
import type { AacEncoderOptions } from '../../src/media/aac/encoder.js';
import { snrDb, testSignal } from './signals.js';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const skip = hasFfmpeg ? false : 'ffmpeg is not installed (apt-get install -y ffmpeg)';

async function encodeAdts(rate: number, channels: number, bitrate: number, planes: Float32Array[], options: AacEncoderOptions = {}) {
  const frames: Uint8Array[] = [];
  const enc = new AacEncoder({ output: (c) => frames.push(adtsFrame(c.data, rate, channels)), error: (e) => assert.fail(e) }, options);
  enc.configure({ sampleRate: rate, numberOfChannels: channels, bitrate });
  enc.encode({ timestamp: 0, sampleRate: rate, numberOfChannels: channels, planes });
  await enc.flush();
  return { adts: Buffer.concat(frames), frames: frames.length };
}

function ffmpegDecode(adts: Uint8Array, channels: number): { stderr: string; planes: Float32Array[] } {
  const r = spawnSync('ffmpeg', ['-nostdin', '-v', 'warning', '-f', 'aac', '-i', 'pipe:0', '-f', 'f32le', 'pipe:1'], {
    input: adts,
    maxBuffer: 1 << 28,
  });
  const pcm = new Float32Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength / 4);
  const n = pcm.length / channels;
  const planes = Array.from({ length: channels }, (_, c) => Float32Array.from({ length: n }, (_, i) => pcm[i * channels + c]!));
  return { stderr: r.stderr.toString(), planes };
}

const BITRATES = [32_000, 48_000, 64_000, 96_000, 128_000, 192_000, 256_000];
let turn = 0;
for (const rate of [48000, 44100, 32000, 24000, 22050, 16000]) {
  for (const channels of [1, 2]) {
    const bitrate = BITRATES[turn++ % BITRATES.length]!;
    test(`ffmpeg decodes ${rate} Hz × ${channels} at ${bitrate / 1000} kbit/s without warnings`, { skip }, async () => {
      const planes = testSignal(rate, channels, 1.5);
      const { adts, frames } = await encodeAdts(rate, channels, bitrate, planes);
      assert.equal(frames, Math.ceil(planes[0]!.length / 1024) + 1);
      const out = ffmpegDecode(adts, channels);
      assert.equal(out.stderr, '');
      assert.equal(out.planes[0]!.length, frames * 1024, 'decoded length');
      for (let c = 0; c < channels; c++) {
        const snr = snrDb(planes[c]!, out.planes[c]!, AacEncoder.encoderDelay);
        assert.ok(snr > 8, `channel ${c}: SNR ${snr.toFixed(1)} dB after aligning the 1024-sample delay`);
      }
    });
  }
}

test('ffmpeg decodes the KBD window shape without warnings', { skip }, async () => {
  const planes = testSignal(48000, 2, 1);
  const { adts, frames } = await encodeAdts(48000, 2, 128000, planes, { windowShape: 'kbd' });
  const out = ffmpegDecode(adts, 2);
  assert.equal(out.stderr, '');
  assert.equal(out.planes[0]!.length, frames * 1024);
  assert.ok(snrDb(planes[0]!, out.planes[0]!, 1024) > 8);
});

test('noise substitution at 32 kbit/s: ffmpeg decodes it without warnings, at the original level', { skip }, async () => {
  const rate = 16000;
  let seed = 99;
  const noise = Float32Array.from({ length: rate * 2 }, () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return 0.2 * (seed / 2 ** 31 - 1);
  });
  const { adts } = await encodeAdts(rate, 1, 32000, [noise]);
  const out = ffmpegDecode(adts, 1);
  assert.equal(out.stderr, '');
  // White noise keeps its level through substitution: compare the energy after the priming.
  const level = (x: Float32Array, from: number, to: number) => x.subarray(from, to).reduce((s, v) => s + v * v, 0) / (to - from);
  const ratioDb = 10 * Math.log10(level(out.planes[0]!, 1024 + 4096, 1024 + 28000) / level(noise, 4096, 28000));
  assert.ok(Math.abs(ratioDb) < 1.5, `decoded level differs by ${ratioDb.toFixed(2)} dB`);
});

test('edge inputs decode cleanly: silence, a few samples, full-scale square wave and noise', { skip }, async () => {
  const rate = 48000;
  let seed = 3;
  const loudNoise = Float32Array.from({ length: rate }, () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 31 - 1;
  });
  const square = Float32Array.from({ length: rate }, (_, i) => (Math.floor(i / 48) % 2 ? 1 : -1));
  const cases: [string, Float32Array[], number][] = [
    ['silence', [new Float32Array(rate), new Float32Array(rate)], 128000],
    ['ten samples', [new Float32Array(10).fill(0.5), new Float32Array(10).fill(-0.5)], 64000],
    ['full-scale square', [square, square.map((v) => -v)], 256000],
    ['full-scale noise', [loudNoise, loudNoise.slice().reverse()], 32000],
  ];
  for (const [name, planes, bitrate] of cases) {
    const { adts, frames } = await encodeAdts(rate, 2, bitrate, planes);
    assert.equal(frames, Math.ceil(planes[0]!.length / 1024) + 1, name);
    const out = ffmpegDecode(adts, 2);
    assert.equal(out.stderr, '', name);
    assert.equal(out.planes[0]!.length, frames * 1024, name);
    if (name === 'full-scale square') assert.ok(snrDb(planes[0]!, out.planes[0]!, 1024) > 15, name);
  }
});
