import { FRAME_LENGTH, SHORT_LENGTH } from './constants.js';
import { BAND_STRIDE } from './ics.js';
import type { IcsData } from './ics.js';
import type { BandTables } from './swb-tables.js';

/**
 * A psychoacoustic model in the spirit of ISO/IEC 13818-7 Annex B / 14496-3 informative Annex,
 * computed on the MDCT spectrum itself (no separate FFT), per scalefactor band:
 *
 * 1. Tonality from the spectral flatness (geometric / arithmetic mean of the coefficient
 *    energies) around each band, over at least 16 coefficients: a windowed tone spreads over
 *    three or four MDCT bins, so a narrow low band alone would look flat. Tonal bands need a
 *    larger signal-to-mask ratio than noisy ones, because noise masks noise far better than it
 *    masks a tone.
 * 2. Spreading of the resulting masking thresholds to neighbouring bands on the Bark scale,
 *    steeper towards low frequencies (−27 dB/Bark) than towards high ones (−12 dB/Bark).
 * 3. The absolute threshold of hearing (Terhardt's formula), for a full-scale sine at 96 dB SPL.
 * 4. Pre-echo control: a long frame's threshold may rise by at most 3 dB per frame. In a short
 *    frame, the window group that starts with an attack gets half the allowed noise: the noise
 *    of a window spreads evenly over its 256 samples, but the attack masks only the part after
 *    its onset, about half of the window.
 *
 * Output: per band energy and allowed noise energy, in the scaled MDCT domain.
 * @internal
 */

/** Spreading slopes in dB per Bark. */
const SPREAD_UP_DB = 12;
const SPREAD_DOWN_DB = 27;
/** Signal-to-mask ratios for a pure tone and for noise, in dB (tone-masking-noise / noise-masking-noise). */
const SMR_TONE_DB = 20;
const SMR_NOISE_DB = 6;
/**
 * Spectral flatness (dB) of white noise and of a fully tonal band. Real MDCT coefficients of
 * white noise are Gaussian, whose squares have a geometric mean e^(ψ(½)+ln 2) ≈ 0.28 of their
 * arithmetic mean: −5.5 dB, not 0.
 */
const SFM_NOISE_DB = -5.5;
const SFM_TONAL_DB = -25;
/** Coefficients the flatness is measured over, at least (long windows). */
const SFM_SPAN = 16;
/** SPL that a full-scale sine is assumed to play at. */
const FULL_SCALE_SPL = 96;
/** Pre-echo control: how much the threshold may grow from one long frame to the next. */
const MAX_THRESHOLD_RISE = 2;
/** Per-window energy rise from one short-window group to the next that marks an attack. */
const ATTACK_GROUP_RISE = 8;

function bark(f: number): number {
  return 13 * Math.atan(0.00076 * f) + 3.5 * Math.atan((f / 7500) ** 2);
}

/** Threshold in quiet, dB SPL (Terhardt), limited at very low and very high frequencies. */
function athDb(f: number): number {
  const k = Math.max(f, 50) / 1000;
  const db = 3.64 * k ** -0.8 - 6.5 * Math.exp(-0.6 * (k - 3.3) ** 2) + 1e-3 * k ** 4;
  return Math.min(db, 90);
}

/** Per-band constants of one band table (long or short) at one sampling rate. */
interface BandConstants {
  /** Energy factor of the spreading function towards the next higher band. */
  readonly spreadUp: Float64Array;
  /** Energy factor of the spreading function towards the next lower band. */
  readonly spreadDown: Float64Array;
  /** Threshold in quiet per band, as band energy for one window. */
  readonly ath: Float64Array;
}

/** Band constants by sampling rate and transform length, shared by every encoder instance. */
const CONSTANTS_CACHE = new Map<string, BandConstants>();

function bandConstants(swb: Uint16Array, transformLength: number, sampleRate: number): BandConstants {
  const key = `${sampleRate}/${transformLength}`;
  let c = CONSTANTS_CACHE.get(key);
  if (!c) {
    c = computeBandConstants(swb, transformLength, sampleRate);
    CONSTANTS_CACHE.set(key, c);
  }
  return c;
}

function computeBandConstants(swb: Uint16Array, transformLength: number, sampleRate: number): BandConstants {
  const n = swb.length - 1;
  const binHz = sampleRate / (2 * transformLength);
  const z = new Float64Array(n);
  for (let b = 0; b < n; b++) z[b] = bark(((swb[b]! + swb[b + 1]!) / 2) * binHz);
  const spreadUp = new Float64Array(n);
  const spreadDown = new Float64Array(n);
  for (let b = 1; b < n; b++) {
    const dz = z[b]! - z[b - 1]!;
    spreadUp[b] = 10 ** ((-SPREAD_UP_DB * dz) / 10);
    spreadDown[b - 1] = 10 ** ((-SPREAD_DOWN_DB * dz) / 10);
  }
  // MDCT (×2 scaling, §4.6.11.2) of a sine of amplitude A gives a band energy of about
  // A²·N²/8 for a window of length N = 2·transformLength with w² averaging ½.
  const fullScale = 32768;
  const sineEnergy = (fullScale * fullScale * (2 * transformLength) ** 2) / 8;
  const ath = new Float64Array(n);
  for (let b = 0; b < n; b++) {
    let minDb = Infinity;
    for (let k = swb[b]!; k < swb[b + 1]!; k++) minDb = Math.min(minDb, athDb((k + 0.5) * binHz));
    ath[b] = sineEnergy * 10 ** ((minDb - FULL_SCALE_SPL) / 10);
  }
  return { spreadUp, spreadDown, ath };
}

/** Per-channel psychoacoustic state and output. */
export class PsychoacousticModel {
  /** Band energy, at g·BAND_STRIDE + sfb. */
  readonly energy = new Float64Array(8 * BAND_STRIDE);
  /** Allowed noise energy, at g·BAND_STRIDE + sfb. */
  readonly threshold = new Float64Array(8 * BAND_STRIDE);
  /** Tonality per band, 0 (noise) … 1 (tone), at g·BAND_STRIDE + sfb. */
  readonly tonality = new Float64Array(8 * BAND_STRIDE);
  /** Perceptual entropy of the last frame, in bits (an estimate of its coding cost). */
  pe = 0;
  private readonly long: BandConstants;
  private readonly short: BandConstants;
  private readonly prevLong = new Float64Array(BAND_STRIDE);
  /** Running sums of coefficient energy and log energy, for flatness over any span. */
  private readonly sumPower = new Float64Array(FRAME_LENGTH + 1);
  private readonly sumLog = new Float64Array(FRAME_LENGTH + 1);
  private prevWasLong = false;

  constructor(tables: BandTables, sampleRate: number) {
    this.long = bandConstants(tables.long, FRAME_LENGTH, sampleRate);
    this.short = bandConstants(tables.short, SHORT_LENGTH, sampleRate);
  }

  /** Analyses the interleaved spectrum `x` laid out as `ics` describes, up to band `ics.numSwb`. */
  analyse(x: Float64Array, ics: IcsData): void {
    const consts = ics.isShort ? this.short : this.long;
    const nb = ics.numSwb;
    let pe = 0;
    const sumPower = this.sumPower;
    const sumLog = this.sumLog;
    for (let i = 0; i < FRAME_LENGTH; i++) {
      const p = x[i]! * x[i]! + 1e-9;
      sumPower[i + 1] = sumPower[i]! + p;
      sumLog[i + 1] = sumLog[i]! + Math.log(p);
    }
    for (let g = 0; g < ics.numGroups; g++) {
      const base = g * BAND_STRIDE;
      const glen = ics.groupLength[g]!;
      for (let b = 0; b < nb; b++) {
        const start = ics.bandStart(g, b);
        const end = ics.bandStart(g, b + 1);
        // Short-window groups interleave windows, so a span beyond the band would mix them.
        let lo = start;
        let hi = end;
        if (!ics.isShort && hi - lo < SFM_SPAN) {
          lo = Math.max(0, ((start + end - SFM_SPAN) >> 1));
          hi = Math.min(FRAME_LENGTH, lo + SFM_SPAN);
          lo = hi - SFM_SPAN;
        }
        const n = hi - lo;
        const sfmDb = (10 / Math.LN10) * ((sumLog[hi]! - sumLog[lo]!) / n - Math.log((sumPower[hi]! - sumPower[lo]!) / n));
        const tonality = Math.min(1, Math.max(0, (sfmDb - SFM_NOISE_DB) / (SFM_TONAL_DB - SFM_NOISE_DB)));
        const smrDb = tonality * SMR_TONE_DB + (1 - tonality) * SMR_NOISE_DB;
        this.tonality[base + b] = tonality;
        const e = sumPower[end]! - sumPower[start]!;
        this.energy[base + b] = e;
        this.threshold[base + b] = e * 10 ** (-smrDb / 10);
      }
      const thr = this.threshold;
      for (let b = 1; b < nb; b++) {
        const spread = thr[base + b - 1]! * consts.spreadUp[b]!;
        if (spread > thr[base + b]!) thr[base + b] = spread;
      }
      for (let b = nb - 2; b >= 0; b--) {
        const spread = thr[base + b + 1]! * consts.spreadDown[b]!;
        if (spread > thr[base + b]!) thr[base + b] = spread;
      }
      for (let b = 0; b < nb; b++) {
        const ath = consts.ath[b]! * glen;
        if (thr[base + b]! < ath) thr[base + b] = ath;
        const e = this.energy[base + b]!;
        const t = thr[base + b]!;
        if (e > t) pe += (ics.bandStart(g, b + 1) - ics.bandStart(g, b)) * 0.5 * Math.log2(e / t);
      }
    }
    if (ics.isShort) {
      for (let g = 1; g < ics.numGroups; g++) {
        const now = this.groupEnergy(g, nb) / ics.groupLength[g]!;
        const before = this.groupEnergy(g - 1, nb) / ics.groupLength[g - 1]!;
        if (now <= ATTACK_GROUP_RISE * before) continue;
        for (let b = 0; b < nb; b++) this.threshold[g * BAND_STRIDE + b]! *= 0.5;
      }
    } else {
      if (this.prevWasLong) {
        for (let b = 0; b < nb; b++) {
          const cap = this.prevLong[b]! * MAX_THRESHOLD_RISE;
          if (this.threshold[b]! > cap) this.threshold[b] = Math.max(cap, this.long.ath[b]!);
        }
      }
      this.prevLong.set(this.threshold.subarray(0, nb));
    }
    this.prevWasLong = !ics.isShort;
    this.pe = pe;
  }

  private groupEnergy(g: number, nb: number): number {
    let e = 0;
    for (let b = 0; b < nb; b++) e += this.energy[g * BAND_STRIDE + b]!;
    return e;
  }
}
