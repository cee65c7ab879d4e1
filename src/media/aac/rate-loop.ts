import { BAND_STRIDE } from './ics.js';
import type { IcsData } from './ics.js';
import { SF_DIFF_MAX } from './constants.js';
import { minScalefactor, pow34, quantizeBand, scalefactorForNoise } from './quantize.js';
import { Sectioner } from './sectioning.js';
import { settleScalefactors } from './bitstream.js';

/**
 * The rate loop: quantizes every channel of a frame so that the frame fits its bit budget.
 *
 * The psychoacoustic model gives each band an allowed noise T; `scalefactorForNoise` turns an
 * allowed noise into the scalefactor that produces about that much. One parameter x (in
 * scalefactor steps of 1.5 dB) moves along a family of noise allocations, coarser as x grows:
 *
 * - x ≥ 0, bits are short: thresholds rise as T' = (T^¼ + r)^4 with r = (2^(3x/32) − 1)·T_max^¼,
 *   the form in which the 3GPP AAC encoder (TS 26.403, threshold adaptation) trades perceptual
 *   entropy for bits. Quiet bands' allowed noise grows faster than loud bands', which keeps the
 *   loud, most audible components clean when the noise can no longer stay under the mask
 *   everywhere.
 * - x < 0, bits to spare: the noise is min(T, W) with a flat noise floor W = W₀·2^(3x/8) per
 *   coefficient. Noise already lies under the mask; a flat floor (reverse water-filling) is what
 *   turns the spare bits into the most signal-to-noise ratio, and it stops bits from going into
 *   bands far below the loud ones (window leakage next to a pure tone) that the threshold in quiet
 *   alone would ask to code. W₀ is the loudest allowed noise density, so both meet at x = 0.
 *
 * The loop searches the smallest x whose Huffman-coded size fits the budget. A band whose energy
 * is under its allowed noise is not coded at all.
 * @internal
 */

/** What the rate loop needs of one channel. */
export interface ChannelInput {
  readonly ics: IcsData;
  /** Interleaved MDCT spectrum (after M/S, if any). */
  readonly spectrum: Float64Array;
  readonly energy: Float64Array;
  readonly threshold: Float64Array;
  /** Number of bands (of the current window type) below the audio bandwidth. */
  codedBands: number;
}

const X_MIN = -240;
const X_MAX = 160;

class ChannelWork {
  readonly x34 = new Float64Array(1024);
  /** Scalefactor for noise T (the psychoacoustic threshold). */
  readonly sfMask = new Float64Array(8 * BAND_STRIDE);
  /** Scalefactor for a noise density of 1 per coefficient; add log-density steps to it. */
  readonly sfFlat = new Float64Array(8 * BAND_STRIDE);
  readonly minSf = new Int32Array(8 * BAND_STRIDE);
  /** Largest quantized magnitude per band at the last quantization. */
  readonly maxima = new Int32Array(8 * BAND_STRIDE);
}

export class RateLoop {
  private readonly work: ChannelWork[];
  private readonly sectioner = new Sectioner();
  /** x of the previous frame: the search starts there. */
  private lastX = 0;
  /** log-density steps (8/3·log2) of W₀, the loudest allowed noise per coefficient this frame. */
  private topDensity = 0;
  /** Fourth root of the loudest threshold this frame. */
  private topQuarter = 0;

  constructor(numberOfChannels: number) {
    this.work = Array.from({ length: numberOfChannels }, () => new ChannelWork());
  }

  /**
   * Quantizes `channels` for the smallest x whose coded size (as returned by `sizeOf`, which adds
   * element headers to the ICS payloads) fits `budget`. Returns the size in bits.
   */
  run(channels: readonly ChannelInput[], budget: number, sizeOf: (icsBits: number) => number): number {
    this.topDensity = -Infinity;
    this.topQuarter = 0;
    for (let c = 0; c < channels.length; c++) this.prepare(channels[c]!, this.work[c]!);
    let quantizedAt = NaN;
    const bitsAt = (x: number): number => {
      quantizedAt = x;
      return sizeOf(this.quantizeAll(channels, x));
    };
    // Walk from the previous frame's x in steps of 4 (consecutive frames rarely differ by more),
    // then bisect.
    let lo: number;
    let hi: number;
    let d = Math.min(Math.max(this.lastX, X_MIN), X_MAX);
    if (bitsAt(d) <= budget) {
      hi = d;
      lo = d - 4;
      while (lo > X_MIN && bitsAt(lo) <= budget) {
        hi = lo;
        lo -= 4;
      }
      lo = Math.max(lo, X_MIN - 1);
    } else {
      lo = d;
      hi = d + 4;
      while (hi < X_MAX && bitsAt(hi) > budget) {
        lo = hi;
        hi += 4;
      }
      hi = Math.min(hi, X_MAX);
    }
    // Invariant: bits(hi) ≤ budget (or hi = X_MAX), bits(lo) > budget.
    while (hi - lo > 1) {
      d = (lo + hi) >> 1;
      if (bitsAt(d) <= budget) hi = d;
      else lo = d;
    }
    this.lastX = hi;
    if (quantizedAt !== hi) this.quantizeAll(channels, hi);
    // The optimal sectioning never costs more than the estimate the search used.
    let icsBits = 0;
    for (const ch of channels) icsBits += this.sectioner.optimize(ch.ics) + settleScalefactors(ch.ics);
    return sizeOf(icsBits);
  }

  private prepare(ch: ChannelInput, w: ChannelWork): void {
    const { ics, spectrum } = ch;
    pow34(spectrum, w.x34, 1024);
    ics.q.fill(0); // bands above the bandwidth stay zero; quantizeAll rewrites the rest
    for (let g = 0; g < ics.numGroups; g++) {
      for (let b = 0; b < ch.codedBands; b++) {
        const k = g * BAND_STRIDE + b;
        const start = ics.bandStart(g, b);
        const end = ics.bandStart(g, b + 1);
        let sumSqrt = 0;
        let max34 = 0;
        for (let i = start; i < end; i++) {
          sumSqrt += Math.sqrt(Math.abs(spectrum[i]!));
          if (w.x34[i]! > max34) max34 = w.x34[i]!;
        }
        w.sfMask[k] = sumSqrt > 0 ? scalefactorForNoise(ch.threshold[k]!, sumSqrt) : Infinity;
        w.sfFlat[k] = sumSqrt > 0 ? scalefactorForNoise(end - start, sumSqrt) : Infinity;
        w.minSf[k] = minScalefactor(max34);
        const density = (8 / 3) * Math.log2(ch.threshold[k]! / (end - start));
        const quarter = Math.sqrt(Math.sqrt(ch.threshold[k]!));
        if (quarter > this.topQuarter) this.topQuarter = quarter;
        if (density > this.topDensity) this.topDensity = density;
      }
    }
  }

  /** Quantizes every channel at allocation x and returns the summed ICS payload bits (estimated sections). */
  private quantizeAll(channels: readonly ChannelInput[], x: number): number {
    // Moving a scalefactor by one step scales the noise by 2^(3/8).
    // Bits short: thresholds rise as (T^¼ + r)^4 (the 3GPP encoder's threshold reduction), which
    // lifts quiet bands' noise more than loud ones'.
    const r = x > 0 ? (2 ** ((3 * x) / 32) - 1) * this.topQuarter : 0;
    const floorSteps = x < 0 ? this.topDensity + x : Infinity;
    const floorDensity = 2 ** ((3 * floorSteps) / 8);
    let maxSfb = 0;
    for (let c = 0; c < channels.length; c++) {
      const ch = channels[c]!;
      const w = this.work[c]!;
      const { ics } = ch;
      let last = -1;
      let chMax = 0;
      for (let g = 0; g < ics.numGroups; g++) {
        for (let b = 0; b < ch.codedBands; b++) {
          const k = g * BAND_STRIDE + b;
          const start = ics.bandStart(g, b);
          const end = ics.bandStart(g, b + 1);
          if (ics.noise[k]) {
            // Substituted by noise: nothing to quantize, but the band must lie below max_sfb.
            ics.q.fill(0, start, end);
            w.maxima[k] = 0;
            if (b + 1 > chMax) chMax = b + 1;
            continue;
          }
          const floor = floorDensity * (end - start);
          const masked = r > 0 ? (Math.sqrt(Math.sqrt(ch.threshold[k]!)) + r) ** 4 : ch.threshold[k]!;
          if (!(ch.energy[k]! > (masked < floor ? masked : floor))) {
            ics.q.fill(0, start, end);
            w.maxima[k] = 0;
            continue;
          }
          const sfMask = r > 0 ? w.sfMask[k]! + (8 / 3) * Math.log2(masked / ch.threshold[k]!) : w.sfMask[k]!;
          let sf = Math.round(Math.min(sfMask, w.sfFlat[k]! + floorSteps));
          if (sf < w.minSf[k]!) sf = w.minSf[k]!;
          if (sf > 255) sf = 255;
          if (last >= 0) {
            if (sf > last + SF_DIFF_MAX) sf = last + SF_DIFF_MAX;
            else if (sf < last - SF_DIFF_MAX) sf = last - SF_DIFF_MAX;
          }
          const max = quantizeBand(ch.spectrum, w.x34, ics.q, start, end, sf);
          w.maxima[k] = max;
          ics.sf[k] = sf;
          if (max > 0) {
            last = sf;
            if (b + 1 > chMax) chMax = b + 1;
          }
        }
      }
      if (chMax > maxSfb) maxSfb = chMax;
    }
    let bits = 0;
    for (let c = 0; c < channels.length; c++) {
      const ics = channels[c]!.ics;
      // A channel pair shares ics_info, hence max_sfb.
      ics.maxSfb = maxSfb;
      bits += this.sectioner.estimate(ics, this.work[c]!.maxima) + settleScalefactors(ics);
    }
    return bits;
  }
}
