/**
 * Speed bench: how many times faster than real time the encoder runs on one core, for 48 kHz
 * stereo at 128 kbit/s, on a music-like signal (chords with harmonics, note attacks that switch
 * to short windows, a little noise). Prints JSON.
 * Run: npx tsx bench/aac/speed.ts
 */
import { AacEncoder } from '../../src/media/aac/encoder.js';

const RATE = 48000;
const SECONDS = 30;
const BLOCK = 1024;

function signal(): Float32Array[] {
  const n = RATE * SECONDS;
  let seed = 1;
  const noise = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 31 - 1;
  };
  return [0, 1].map((c) =>
    Float32Array.from({ length: n }, (_, i) => {
      const t = i / RATE;
      const tb = t % 0.5;
      const env = Math.min(1, tb / 0.002) * Math.exp(-3 * tb);
      let v = 0;
      for (const f of [220, 277.2, 329.6]) for (let h = 1; h <= 6; h++) v += Math.sin(2 * Math.PI * f * h * t + c) / h;
      return 0.15 * env * v + 0.01 * noise();
    }),
  );
}

async function run(planes: Float32Array[]): Promise<{ seconds: number; bytes: number; chunks: number }> {
  let bytes = 0;
  let chunks = 0;
  const enc = new AacEncoder({ output: (c) => ((bytes += c.byteLength), chunks++), error: (e) => { throw e; } });
  enc.configure({ sampleRate: RATE, numberOfChannels: 2, bitrate: 128_000 });
  const start = performance.now();
  // Feed 1024-sample AudioData-sized pieces, as a capture pipeline would.
  for (let at = 0; at < planes[0]!.length; at += BLOCK) {
    enc.encode({ timestamp: (at * 1e6) / RATE, sampleRate: RATE, numberOfChannels: 2, planes: planes.map((p) => p.subarray(at, at + BLOCK)) });
  }
  await enc.flush();
  return { seconds: (performance.now() - start) / 1000, bytes, chunks };
}

const planes = signal();
await run(planes.map((p) => p.subarray(0, RATE * 3))); // warm-up: let the JIT optimise the hot loops
const runs = [];
for (let i = 0; i < 3; i++) runs.push(await run(planes));
const best = runs.reduce((a, b) => (a.seconds < b.seconds ? a : b));
const result = {
  config: { sampleRate: RATE, channels: 2, bitrate: 128_000, audioSeconds: SECONDS, node: process.version },
  encodeSeconds: Math.round(best.seconds * 1000) / 1000,
  timesRealtime: Math.round((SECONDS / best.seconds) * 10) / 10,
  allRunsTimesRealtime: runs.map((r) => Math.round((SECONDS / r.seconds) * 10) / 10),
  actualKbps: Math.round((best.bytes * 8) / ((best.chunks * 1024) / RATE) / 10) / 100,
  target: { timesRealtime: 50, met: SECONDS / best.seconds >= 50 },
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
