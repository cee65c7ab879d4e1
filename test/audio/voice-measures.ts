/**
 * Measurements for the voice changer tests, pure maths shared by the Node test and the test page:
 * the fundamental by normalised autocorrelation, a formant's frequency, third-octave band levels
 * and a level-normalised log-spectral distance, and a burst's onset.
 */
import { fft } from '../support/fft.js';

export interface PitchOptions {
  /** Part of the signal to measure, seconds. */
  from: number;
  to: number;
  minHz?: number;
  maxHz?: number;
}

/**
 * The fundamental (Hz) of `data` between `from` and `to`: the mean of per-frame estimates (40 ms
 * frames every 20 ms), so that a slow pitch wobble averages out over whole cycles. Each frame's
 * period is the shortest lag whose normalised autocorrelation peak reaches 90 % of the highest
 * one (the highest can be at twice the period, never at half of it), refined by parabolic
 * interpolation. NaN if no frame is periodic.
 */
export function fundamentalHz(data: Float32Array, sampleRate: number, options: PitchOptions): number {
  const minLag = Math.floor(sampleRate / (options.maxHz ?? 1000));
  const maxLag = Math.ceil(sampleRate / (options.minHz ?? 60));
  const window = Math.round(0.04 * sampleRate);
  const hop = Math.round(0.02 * sampleRate);
  const end = Math.round(options.to * sampleRate) - window - maxLag - 1;
  const estimates: number[] = [];
  for (let start = Math.round(options.from * sampleRate); start <= end; start += hop) {
    const lag = framePeriod(data, start, window, minLag, maxLag);
    if (lag > 0) estimates.push(sampleRate / lag);
  }
  return estimates.length ? estimates.reduce((a, b) => a + b, 0) / estimates.length : NaN;
}

/** One frame's period in samples (fractional), or 0. */
function framePeriod(data: Float32Array, start: number, window: number, minLag: number, maxLag: number): number {
  const r = new Float64Array(maxLag + 2);
  let e0 = 0;
  for (let i = 0; i < window; i++) e0 += data[start + i]! ** 2;
  for (let lag = minLag - 1; lag <= maxLag + 1; lag++) {
    let cross = 0;
    let e1 = 0;
    for (let i = 0; i < window; i++) {
      const b = data[start + i + lag]!;
      cross += data[start + i]! * b;
      e1 += b * b;
    }
    r[lag] = e0 > 0 && e1 > 0 ? cross / Math.sqrt(e0 * e1) : 0;
  }
  const peaks: number[] = [];
  for (let lag = minLag; lag <= maxLag; lag++) if (r[lag]! > r[lag - 1]! && r[lag]! >= r[lag + 1]!) peaks.push(lag);
  const best = Math.max(0, ...peaks.map((lag) => r[lag]!));
  if (best < 0.5) return 0;
  const lag = peaks.find((l) => r[l]! >= 0.9 * best)!;
  const before = r[lag - 1]!;
  const at = r[lag]!;
  const after = r[lag + 1]!;
  const curve = before - 2 * at + after;
  return curve < 0 ? lag + (0.5 * (before - after)) / curve : lag;
}

/**
 * The frequency (Hz) of the spectral envelope's peak between `lowHz` and `highHz`, for a signal
 * whose fundamental is `f0`: the loudest harmonic there (in a Welch spectrum), moved towards the louder neighbour by a parabola through the three harmonics' dB.
 * The formant of a one-resonance vowel, sampled at its harmonics.
 */
export function envelopePeakHz(data: Float32Array, sampleRate: number, f0: number, from: number, to: number, lowHz = 300, highHz = 3000): number {
  const size = 8192;
  const power = welch(data, sampleRate, from, to, size);
  // All the power within half a harmonic spacing: the peak bin alone would vary by up to 1.4 dB
  // (Hann scalloping) with where the harmonic falls between bins.
  const harmonicDb = (k: number) => {
    let sum = 1e-20;
    for (let bin = Math.ceil(((k - 0.5) * f0 * size) / sampleRate); bin < ((k + 0.5) * f0 * size) / sampleRate; bin++) sum += power[bin]!;
    return 10 * Math.log10(sum);
  };
  let best = Math.ceil(lowHz / f0);
  for (let k = best + 1; k * f0 <= highHz; k++) if (harmonicDb(k) > harmonicDb(best)) best = k;
  const before = harmonicDb(best - 1);
  const at = harmonicDb(best);
  const after = harmonicDb(best + 1);
  const curve = before - 2 * at + after;
  return (curve < 0 ? best + (0.5 * (before - after)) / curve : best) * f0;
}

/** Welch's average of Hann-windowed `size`-point periodograms, half overlapped: power per bin. */
function welch(data: Float32Array, sampleRate: number, from: number, to: number, size: number): Float64Array {
  const power = new Float64Array(size / 2);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  let frames = 0;
  for (let start = Math.round(from * sampleRate); start + size <= Math.round(to * sampleRate); start += size / 2) {
    for (let i = 0; i < size; i++) {
      re[i] = data[start + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
      im[i] = 0;
    }
    fft(re, im);
    for (let k = 0; k < size / 2; k++) power[k]! += re[k]! ** 2 + im[k]! ** 2;
    frames++;
  }
  return power.map((p) => p / Math.max(1, frames));
}

/** Third-octave band centres (Hz) from 100 Hz up to the highest one below 0.45 × the rate. */
export function bandCentres(sampleRate: number): number[] {
  const centres: number[] = [];
  for (let f = 100; f < 0.45 * sampleRate; f *= 2 ** (1 / 3)) centres.push(f);
  return centres;
}

/**
 * Power per third-octave band (dB) of `data` between `from` and `to` seconds: Welch's average of
 * Hann-windowed 4096-point periodograms, half overlapped, summed over each band's bins.
 */
export function bandLevelsDb(data: Float32Array, sampleRate: number, from: number, to: number): number[] {
  const size = 4096;
  const power = welch(data, sampleRate, from, to, size);
  return bandCentres(sampleRate).map((centre) => {
    const low = Math.ceil((centre * 2 ** (-1 / 6) * size) / sampleRate);
    const high = Math.floor((centre * 2 ** (1 / 6) * size) / sampleRate);
    let sum = 1e-20;
    for (let k = low; k <= high; k++) sum += power[k]!;
    return 10 * Math.log10(sum);
  });
}

/**
 * RMS difference (dB) of two band spectra after removing their mean difference (a change of level
 * is not a change of voice). Bands more than 60 dB below the loudest band of either are raised to
 * that floor, so that empty bands compare as equal rather than as noise.
 */
export function spectralDistanceDb(a: readonly number[], b: readonly number[]): number {
  const floor = Math.max(...a, ...b) - 60;
  const diff = a.map((v, i) => Math.max(v, floor) - Math.max(b[i]!, floor));
  const mean = diff.reduce((s, d) => s + d, 0) / diff.length;
  return Math.sqrt(diff.reduce((s, d) => s + (d - mean) ** 2, 0) / diff.length);
}

/** Time (s) of the first sample at or above `threshold` × the peak, searching from `from` s. */
export function onsetSeconds(data: Float32Array, sampleRate: number, from: number, threshold = 0.1): number {
  const first = Math.round(from * sampleRate);
  let peak = 0;
  for (let i = first; i < data.length; i++) peak = Math.max(peak, Math.abs(data[i]!));
  for (let i = first; i < data.length; i++) if (Math.abs(data[i]!) >= threshold * peak && peak > 0) return i / sampleRate;
  return NaN;
}
