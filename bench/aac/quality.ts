/**
 * Quality bench: our AAC-LC encoder against ffmpeg's native `aac` encoder at the same bitrate,
 * on signals from ffmpeg's lavfi sources and generated ones. Both streams are decoded by ffmpeg.
 * Prints JSON: per signal and bitrate, for each encoder,
 *   snrDb       SNR of the decoded output over the whole signal, aligned for encoder delay
 *   bandwidthHz highest frequency whose decoded level stays within 10 dB of the original's
 *   preEchoDb   (transient signals) error energy in the 20 ms before each onset, relative to the
 *               energy of the 20 ms after it: lower is better
 *   kbps        actual bitrate of the access units (ADTS headers excluded), and its error
 * Run: npx tsx bench/aac/quality.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adtsFrame } from '../../src/media/aac/adts.js';
import { AacEncoder } from '../../src/media/aac/encoder.js';
import { fft } from '../../test/support/fft.js';

interface Signal {
  name: string;
  planes: Float32Array[];
  /** Sample positions of attacks, for the pre-echo measure. */
  onsets?: number[];
}

const SECONDS = 6;
const dir = mkdtempSync(join(tmpdir(), 'aac-quality-'));

function ffmpeg(args: string[], input?: Uint8Array): Buffer {
  const r = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', ...args], { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout;
}

function deinterleave(pcm: Buffer, channels: number): Float32Array[] {
  const f = new Float32Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength));
  const n = Math.floor(f.length / channels);
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: n }, (_, i) => f[i * channels + c]!));
}

function interleave(planes: Float32Array[]): Uint8Array {
  const n = planes[0]!.length;
  const out = new Float32Array(n * planes.length);
  for (let i = 0; i < n; i++) for (let c = 0; c < planes.length; c++) out[i * planes.length + c] = planes[c]![i]!;
  return new Uint8Array(out.buffer);
}

/** A lavfi source rendered as float PCM. */
function lavfi(name: string, graph: string, rate: number, channels: number): Signal {
  const pcm = ffmpeg(['-f', 'lavfi', '-i', graph, '-t', String(SECONDS), '-ar', String(rate), '-ac', String(channels), '-f', 'f32le', 'pipe:1']);
  return { name, planes: deinterleave(pcm, channels) };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function generated(name: string, rate: number, channels: number, fn: (t: number, c: number, noise: () => number) => number, onsets?: number[]): Signal {
  const n = SECONDS * rate;
  const planes = Array.from({ length: channels }, (_, c) => {
    const noise = rng(17 + c);
    return Float32Array.from({ length: n }, (_, i) => fn(i / rate, c, noise));
  });
  return { name, planes, ...(onsets ? { onsets } : {}) };
}

/** Vowel-like pulse train through formant resonances, syllables of 200 ms, with fricative bursts. */
function speech(rate: number, channels: number): Signal {
  const n = SECONDS * rate;
  const noise = rng(5);
  const out = new Float32Array(n);
  const formants = [[700, 1200, 2600], [300, 2300, 3000], [500, 900, 2400]];
  const state = [0, 0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const syl = Math.floor(t / 0.2);
    const phase = (t % 0.2) / 0.2;
    const f0 = 110 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
    const voiced = syl % 4 !== 3;
    const excite = voiced ? ((i % Math.round(rate / f0)) === 0 ? 1 : 0) : 0.3 * noise();
    const env = Math.sin(Math.PI * phase) ** 2;
    let y = 0;
    const fset = formants[syl % 3]!;
    for (let k = 0; k < 3; k++) {
      // Two-pole resonator per formant.
      const r = 0.97;
      const w = (2 * Math.PI * fset[k]!) / rate;
      const v = excite + 2 * r * Math.cos(w) * state[2 * k]! - r * r * state[2 * k + 1]!;
      state[2 * k + 1] = state[2 * k]!;
      state[2 * k] = v;
      y += v / (k + 1);
    }
    out[i] = 0.05 * env * y;
  }
  return { name: 'speech-like', planes: Array.from({ length: channels }, () => out.slice()) };
}

function signals(rate: number, channels: number): Signal[] {
  const list: Signal[] = [
    lavfi('lavfi-sine', `sine=frequency=997:sample_rate=${rate}`, rate, channels),
    lavfi('lavfi-anoisesrc-pink', `anoisesrc=color=pink:amplitude=0.25:sample_rate=${rate}:seed=7`, rate, channels),
    lavfi('lavfi-aevalsrc-chord', `aevalsrc=0.2*sin(2*PI*261.6*t)+0.2*sin(2*PI*329.6*t)+0.2*sin(2*PI*392*t)+0.05*sin(2*PI*2093*t):s=${rate}`, rate, channels),
    speech(rate, channels),
  ];
  // Music-like: a chord progression of harmonic-rich notes with attack/decay envelopes, stereo-spread.
  const roots = [220, 246.9, 196, 261.6];
  list.push(
    generated('music-like', rate, channels, (t, c) => {
      const bar = Math.floor(t / 0.75);
      const tb = t - bar * 0.75;
      const env = Math.min(1, tb / 0.01) * Math.exp(-tb * 2.5);
      let v = 0;
      for (const ratio of [1, 1.26, 1.5, 2]) {
        const f = roots[bar % 4]! * ratio;
        for (let h = 1; h <= 8 && f * h < rate / 2; h++) v += Math.sin(2 * Math.PI * f * h * t + c * h) / (h * h);
      }
      return 0.12 * env * v;
    }),
  );
  list.push(
    generated('sweep', rate, channels, (t) => {
      // Logarithmic sweep from 20 Hz to Nyquist.
      const f1 = 20;
      const f2 = rate / 2;
      const k = Math.log(f2 / f1) / SECONDS;
      return 0.4 * Math.sin(((2 * Math.PI * f1) / k) * (Math.exp(k * t) - 1));
    }),
  );
  // Transients: clicks and castanet-like bursts (decaying band-limited noise) on a quiet tone bed.
  const onsetTimes: number[] = [];
  for (let t = 0.3; t < SECONDS - 0.2; t += 0.37) onsetTimes.push(t);
  const onsets = onsetTimes.map((t) => Math.round(t * rate));
  list.push(
    generated(
      'transients',
      rate,
      channels,
      (t, c, noise) => {
        let v = 0.01 * Math.sin(2 * Math.PI * 330 * t);
        for (let j = 0; j < onsetTimes.length; j++) {
          const dt = t - onsetTimes[j]!;
          if (dt < 0 || dt > 0.06) continue;
          v += j % 2 === 0 ? 0.8 * Math.exp(-dt / 0.0005) * (c === 0 ? 1 : 0.8) : 0.6 * Math.exp(-dt / 0.008) * noise();
        }
        return v;
      },
      onsets,
    ),
  );
  return list;
}

function writeWav(path: string, planes: Float32Array[], rate: number): void {
  const data = interleave(planes);
  const header = new DataView(new ArrayBuffer(44));
  const tag = (o: number, s: string) => [...s].forEach((ch, i) => header.setUint8(o + i, ch.charCodeAt(0)));
  tag(0, 'RIFF');
  header.setUint32(4, 36 + data.length, true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  header.setUint32(16, 16, true);
  header.setUint16(20, 3, true); // IEEE float
  header.setUint16(22, planes.length, true);
  header.setUint32(24, rate, true);
  header.setUint32(28, rate * 4 * planes.length, true);
  header.setUint16(32, 4 * planes.length, true);
  header.setUint16(34, 32, true);
  tag(36, 'data');
  header.setUint32(40, data.length, true);
  writeFileSync(path, Buffer.concat([new Uint8Array(header.buffer), data]));
}

/** Bytes of access units in an ADTS stream (headers excluded), and the frame count. */
function adtsPayload(adts: Uint8Array): { bytes: number; frames: number } {
  let at = 0;
  let bytes = 0;
  let frames = 0;
  while (at + 7 <= adts.length) {
    const len = ((adts[at + 3]! & 3) << 11) | (adts[at + 4]! << 3) | (adts[at + 5]! >> 5);
    const headerLen = adts[at + 1]! & 1 ? 7 : 9;
    bytes += len - headerLen;
    frames++;
    at += len;
  }
  return { bytes, frames };
}

async function encodeOurs(sig: Signal, rate: number, bitrate: number): Promise<Uint8Array> {
  const channels = sig.planes.length;
  const parts: Uint8Array[] = [];
  const enc = new AacEncoder({ output: (c) => parts.push(adtsFrame(c.data, rate, channels)), error: (e) => { throw e; } });
  enc.configure({ sampleRate: rate, numberOfChannels: channels, bitrate });
  enc.encode({ timestamp: 0, sampleRate: rate, numberOfChannels: channels, planes: sig.planes });
  await enc.flush();
  return Buffer.concat(parts);
}

function encodeFfmpeg(sig: Signal, rate: number, bitrate: number): Uint8Array {
  const wav = join(dir, 'in.wav');
  writeWav(wav, sig.planes, rate);
  return ffmpeg(['-i', wav, '-c:a', 'aac', '-b:a', String(bitrate), '-f', 'adts', 'pipe:1']);
}

/** Delay (samples) of `dec` against `ref`, searched around the nominal 1024 by correlation. */
function findDelay(ref: Float32Array, dec: Float32Array): number {
  let best = 1024;
  let bestCorr = -Infinity;
  const n = Math.min(ref.length, dec.length - 2048);
  for (let lag = 960; lag <= 1088; lag++) {
    let s = 0;
    for (let i = 0; i < n; i += 3) s += ref[i]! * dec[i + lag]!;
    if (s > bestCorr) {
      bestCorr = s;
      best = lag;
    }
  }
  return best;
}

function powerSpectrum(x: Float32Array, n = 2048): Float64Array {
  const ps = new Float64Array(n / 2);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let count = 0;
  for (let start = 0; start + n <= x.length; start += n) {
    for (let i = 0; i < n; i++) {
      re[i] = x[start + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
      im[i] = 0;
    }
    fft(re, im);
    for (let k = 0; k < n / 2; k++) ps[k] = ps[k]! + re[k]! * re[k]! + im[k]! * im[k]!;
    count++;
  }
  for (let k = 0; k < n / 2; k++) ps[k] = ps[k]! / Math.max(1, count);
  return ps;
}


interface Metrics {
  snrDb: number;
  bandwidthHz: number;
  preEchoDb?: number;
  kbps: number;
  bitrateErrorPct: number;
}

function measure(sig: Signal, adts: Uint8Array, rate: number, bitrate: number): Metrics {
  const channels = sig.planes.length;
  const decoded = deinterleave(ffmpeg(['-f', 'aac', '-i', 'pipe:0', '-f', 'f32le', 'pipe:1'], adts), channels);
  const delay = findDelay(sig.planes[0]!, decoded[0]!);
  let signal = 0;
  let noise = 0;
  let bandwidth = 0;
  const pre: number[] = [];
  for (let c = 0; c < channels; c++) {
    const ref = sig.planes[c]!;
    const dec = decoded[c]!.subarray(delay, delay + ref.length);
    for (let i = 0; i < ref.length; i++) {
      const e = ref[i]! - (dec[i] ?? 0);
      signal += ref[i]! * ref[i]!;
      noise += e * e;
    }
    const pr = powerSpectrum(ref);
    const pd = powerSpectrum(dec);
    const peak = Math.max(...pr);
    for (let k = pr.length - 1; k > 0; k--) {
      if (pr[k]! > peak * 1e-7 && pd[k]! > pr[k]! * 0.1) {
        bandwidth = Math.max(bandwidth, (k * rate) / 2 / pr.length);
        break;
      }
    }
    const w = Math.round(0.02 * rate);
    for (const t of sig.onsets ?? []) {
      let before = 0;
      let after = 0;
      for (let i = t - w; i < t - Math.round(0.001 * rate); i++) before += (ref[i]! - dec[i]!) ** 2;
      for (let i = t; i < t + w; i++) after += ref[i]! ** 2;
      pre.push(10 * Math.log10(before / after + 1e-15));
    }
  }
  const { bytes, frames } = adtsPayload(adts);
  const kbps = (bytes * 8) / ((frames * 1024) / rate) / 1000;
  const m: Metrics = {
    snrDb: round(10 * Math.log10(signal / noise)),
    bandwidthHz: Math.round(bandwidth),
    kbps: round(kbps),
    bitrateErrorPct: round(((kbps * 1000 - bitrate) / bitrate) * 100),
  };
  if (pre.length > 0) m.preEchoDb = round(pre.reduce((a, b) => a + b, 0) / pre.length);
  return m;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

const CONFIGS = [
  { rate: 48000, channels: 2, bitrates: [64_000, 96_000, 128_000, 192_000] },
  { rate: 16000, channels: 1, bitrates: [32_000, 48_000] },
];

const results = [];
for (const { rate, channels, bitrates } of CONFIGS) {
  for (const sig of signals(rate, channels)) {
    for (const bitrate of bitrates) {
      const ours = measure(sig, await encodeOurs(sig, rate, bitrate), rate, bitrate);
      const ff = measure(sig, encodeFfmpeg(sig, rate, bitrate), rate, bitrate);
      results.push({
        signal: sig.name,
        sampleRate: rate,
        channels,
        kbps: bitrate / 1000,
        ours,
        ffmpeg: ff,
        snrGainDb: round(ours.snrDb - ff.snrDb),
      });
    }
  }
}
rmSync(dir, { recursive: true, force: true });

const at128 = results.filter((r) => r.kbps === 128);
const summary = {
  worstBitrateErrorPct: Math.max(...results.map((r) => Math.abs(r.ours.bitrateErrorPct))),
  worstSnrGainAt128Db: Math.min(...at128.map((r) => r.snrGainDb)),
  preEcho: results
    .filter((r) => r.ours.preEchoDb !== undefined)
    .map((r) => ({ sampleRate: r.sampleRate, kbps: r.kbps, ours: r.ours.preEchoDb, ffmpeg: r.ffmpeg.preEchoDb })),
  targets: {
    bitrateWithin5Pct: results.every((r) => Math.abs(r.ours.bitrateErrorPct) <= 5),
    snrWithin1DbOfFfmpegAt128: at128.every((r) => r.snrGainDb >= -1),
    preEchoNoWorseThanFfmpeg: results.every((r) => r.ours.preEchoDb === undefined || r.ours.preEchoDb <= r.ffmpeg.preEchoDb!),
  },
};
process.stdout.write(`${JSON.stringify({ encoderDelay: AacEncoder.encoderDelay, summary, results }, null, 2)}\n`);
