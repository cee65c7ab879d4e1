/**
 * Measuring known tones in recordings: ffmpeg makes test tones and decodes recordings to mono
 * float PCM; a Hann-windowed Goertzel filter gives the level of one frequency over time.
 */
import { runTool } from './children.js';

/** Writes a mono 16-bit WAV of a sine at `freq` Hz, `amplitude` of full scale, `seconds` long. */
export async function writeToneWav(path: string, freq: number, seconds: number, amplitude: number, sampleRate = 48_000): Promise<void> {
  await runTool('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `sine=f=${freq}:sample_rate=${sampleRate}:duration=${seconds}`,
    // lavfi's sine is 1/8 of full scale; scale it to the asked amplitude.
    '-af', `volume=${amplitude * 8}`,
    '-ac', '1', '-c:a', 'pcm_s16le', path,
  ], { timeoutMs: 30_000 });
}

/** The first audio stream of `path` as mono float samples at `sampleRate`. */
export async function decodeMono(path: string, sampleRate = 48_000): Promise<Float32Array> {
  const { stdout } = await runTool('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', path, '-vn', '-ac', '1', '-ar', String(sampleRate), '-f', 'f32le', '-'], {
    timeoutMs: 60_000,
  });
  const copy = new Uint8Array(stdout.byteLength);
  copy.set(stdout);
  return new Float32Array(copy.buffer);
}

/**
 * Amplitude of the `freq` Hz component (a sine of amplitude A reads A) in each window of
 * `windowS` seconds, as dBFS (−∞ as −200). Hann window: neighbouring tones 100+ Hz away leak less
 * than −60 dB into a 0.1 s window.
 */
export function toneLevels(samples: Float32Array, freq: number, sampleRate = 48_000, windowS = 0.1): number[] {
  const n = Math.round(windowS * sampleRate);
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / sampleRate);
  const levels: number[] = [];
  for (let start = 0; start + n <= samples.length; start += n) {
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
      const s0 = samples[start + i]! * w + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    // Hann window's coherent gain is 0.5: |X| = A · n/2 · 0.5.
    const amplitude = Math.sqrt(Math.max(0, power)) / (n / 4);
    levels.push(amplitude > 0 ? 20 * Math.log10(amplitude) : -200);
  }
  return levels;
}

/** RMS level of each window of `windowS` seconds, dBFS (−∞ as −200). */
export function rmsLevels(samples: Float32Array, sampleRate = 48_000, windowS = 0.02): number[] {
  const n = Math.round(windowS * sampleRate);
  const levels: number[] = [];
  for (let start = 0; start + n <= samples.length; start += n) {
    let sum = 0;
    for (let i = start; i < start + n; i++) sum += samples[i]! * samples[i]!;
    levels.push(sum > 0 ? 10 * Math.log10(sum / n) : -200);
  }
  return levels;
}

/** Median of a list (robust to the odd window that straddles a change). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
