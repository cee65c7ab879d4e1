/**
 * Room-acoustics measurements for the reverb tests, pure maths shared by the Node tests and the
 * test page: Schroeder backward integration, reverberation time from its slope (ISO 3382-1
 * T20/T30), octave-band filtering and the spectral centroid.
 */
import { fft } from '../support/fft.js';

/**
 * Schroeder's energy decay curve in dB (0 dB at the first sample): the energy still to come after
 * each sample, summed over channels. Backward integration averages out the noise of a single
 * response, so one measurement gives a smooth decay.
 */
export function energyDecayDb(channels: readonly ArrayLike<number>[]): Float64Array {
  const length = channels[0]?.length ?? 0;
  const curve = new Float64Array(length);
  let remaining = 0;
  for (let n = length - 1; n >= 0; n--) {
    for (const ch of channels) remaining += ch[n]! * ch[n]!;
    curve[n] = remaining;
  }
  const total = curve[0] || 1;
  return curve.map((e) => 10 * Math.log10(e / total));
}

/**
 * RT60 extrapolated from the least-squares slope of the decay curve between `fromDb` and `toDb`
 * (−5 and −35: T30; −5 and −25: T20). NaN if the curve never gets that low.
 */
export function reverberationTime(curveDb: Float64Array, sampleRate: number, fromDb = -5, toDb = -35): number {
  const start = curveDb.findIndex((v) => v <= fromDb);
  const end = curveDb.findIndex((v) => v <= toDb);
  if (start < 0 || end <= start) return NaN;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  const count = end - start + 1;
  for (let n = start; n <= end; n++) {
    const t = n / sampleRate;
    sx += t;
    sy += curveDb[n]!;
    sxx += t * t;
    sxy += t * curveDb[n]!;
  }
  const slope = (count * sxy - sx * sy) / (count * sxx - sx * sx);
  return -60 / slope;
}

/** T30 of a (multichannel) response. */
export function t30(channels: readonly ArrayLike<number>[], sampleRate: number): number {
  return reverberationTime(energyDecayDb(channels), sampleRate);
}

/**
 * The octave band around `centre`: an RBJ band-pass (0 dB peak, one-octave bandwidth) run twice
 * for steeper skirts. Its own ringing (≈ Q/(π·f)) is a millisecond, nothing beside a decay.
 */
export function octaveBand(signal: ArrayLike<number>, centre: number, sampleRate: number): Float64Array {
  const w = (2 * Math.PI * centre) / sampleRate;
  const q = Math.SQRT2; // one octave: Q = 1 / (2·sinh(ln 2 / 2))
  const alpha = Math.sin(w) / (2 * q);
  const a0 = 1 + alpha;
  const [b0, b2, a1, a2] = [alpha / a0, -alpha / a0, (-2 * Math.cos(w)) / a0, (1 - alpha) / a0];
  let x = Float64Array.from(signal);
  for (let pass = 0; pass < 2; pass++) {
    const y = new Float64Array(x.length);
    let s1 = 0;
    let s2 = 0;
    for (let n = 0; n < x.length; n++) {
      const v = b0 * x[n]! + s1;
      s1 = -a1 * v + s2;
      s2 = b2 * x[n]! - a2 * v;
      y[n] = v;
    }
    x = y;
  }
  return x;
}

/** Power spectrum averaged over Hann-windowed frames of `size` samples, half overlapping. */
export function powerSpectrum(signal: ArrayLike<number>, size = 2048): Float64Array {
  const power = new Float64Array(size / 2 + 1);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let start = 0; start + size <= signal.length; start += size / 2) {
    for (let i = 0; i < size; i++) {
      re[i] = signal[start + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
      im[i] = 0;
    }
    fft(re, im);
    for (let k = 0; k < power.length; k++) power[k]! += re[k]! * re[k]! + im[k]! * im[k]!;
  }
  return power;
}

/** Power-weighted mean frequency (Hz). */
export function spectralCentroid(signal: ArrayLike<number>, sampleRate: number, size = 2048): number {
  const power = powerSpectrum(signal, size);
  let weighted = 0;
  let total = 0;
  power.forEach((p, k) => {
    weighted += p * ((k * sampleRate) / size);
    total += p;
  });
  return weighted / total;
}

/**
 * The spectrum's fine structure between `fromHz` and `toHz`: each bin's level in dB minus the
 * mean over the third of an octave around it, so that EQ slopes cancel and only peaks and dips
 * (resonances, or the random ripple of noise) remain.
 */
export function spectralFineStructureDb(signal: ArrayLike<number>, sampleRate: number, fromHz: number, toHz: number, size = 4096): number[] {
  const db = Array.from(powerSpectrum(signal, size), (p) => 10 * Math.log10(p + 1e-30));
  const binHz = sampleRate / size;
  const out: number[] = [];
  for (let k = Math.round(fromHz / binHz); k < Math.round(toHz / binHz); k++) {
    const half = Math.max(2, Math.round(k * (2 ** (1 / 6) - 1)));
    const around = db.slice(k - half, k + half + 1);
    out.push(db[k]! - around.reduce((sum, v) => sum + v, 0) / around.length);
  }
  return out;
}
