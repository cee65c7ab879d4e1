import { BAND_STRIDE } from './ics.js';
import type { IcsData } from './ics.js';
import { SF_DIFF_MAX } from './constants.js';
import { minScalefactor, pow34, quantizeBand, scalefactorForNoise } from './quantize.js';
import { Sectioner } from './sectioning.js';
import { settleScalefactors } from './bitstream.js';

/**
 * The rate loop: quantizes every channel of a frame so that the frame fits its bit budget.
 *
 * The psychoacoustic model gives each band an allowed noise T; `scalefactorForNoise` turns it into
 * the scalefactor that produces about that noise. All scalefactors then move together by an offset
 * δ (in scalefactor steps of 1.5 dB), which scales every band's noise-to-mask ratio equally: the
 * "constant NMR" allocation. The loop searches the smallest δ (the finest quantization) whose exact
 * Huffman-coded size fits the budget. Bands whose energy lies under their scaled threshold are not
 * coded at all.
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
  readonly codedBands: number;
}

const DELTA_MIN = -60;
const DELTA_MAX = 160;

class ChannelWork {
  readonly x34 = new Float64Array(1024);
  readonly sf0 = new Float64Array(8 * BAND_STRIDE);
  readonly minSf = new Int32Array(8 * BAND_STRIDE);
}

export class RateLoop {
  private readonly work: ChannelWork[];
  private readonly sectioner = new Sectioner();
  /** δ of the previous frame: the search starts there. */
  private lastDelta = 0;

  constructor(numberOfChannels: number) {
    this.work = Array.from({ length: numberOfChannels }, () => new ChannelWork());
  }

  /**
   * Quantizes `channels` for the smallest δ whose coded size (as returned by `sizeOf`, which adds
   * element headers to the ICS payloads) fits `budget`. Returns the size in bits.
   */
  run(channels: readonly ChannelInput[], budget: number, sizeOf: (icsBits: number) => number): number {
    for (let c = 0; c < channels.length; c++) this.prepare(channels[c]!, this.work[c]!);
    const bitsAt = (delta: number): number => sizeOf(this.quantizeAll(channels, delta));
    // Walk from the previous frame's δ in steps of 8, then bisect.
    let lo: number;
    let hi: number;
    let d = Math.min(Math.max(this.lastDelta, DELTA_MIN), DELTA_MAX);
    if (bitsAt(d) <= budget) {
      hi = d;
      lo = d - 8;
      while (lo > DELTA_MIN && bitsAt(lo) <= budget) {
        hi = lo;
        lo -= 8;
      }
      lo = Math.max(lo, DELTA_MIN - 1);
    } else {
      lo = d;
      hi = d + 8;
      while (hi < DELTA_MAX && bitsAt(hi) > budget) {
        lo = hi;
        hi += 8;
      }
      hi = Math.min(hi, DELTA_MAX);
    }
    // Invariant: bits(hi) ≤ budget (or hi = DELTA_MAX), bits(lo) > budget.
    while (hi - lo > 1) {
      d = (lo + hi) >> 1;
      if (bitsAt(d) <= budget) hi = d;
      else lo = d;
    }
    this.lastDelta = hi;
    this.quantizeAll(channels, hi);
    // The optimal sectioning never costs more than the estimate the search used.
    let icsBits = 0;
    for (const ch of channels) icsBits += this.sectioner.optimize(ch.ics) + settleScalefactors(ch.ics);
    return sizeOf(icsBits);
  }

  private prepare(ch: ChannelInput, w: ChannelWork): void {
    const { ics, spectrum } = ch;
    pow34(spectrum, w.x34, 1024);
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
        w.sf0[k] = sumSqrt > 0 ? scalefactorForNoise(ch.threshold[k]!, sumSqrt) : Infinity;
        w.minSf[k] = minScalefactor(max34);
      }
    }
  }

  /** Quantizes every channel at offset δ and returns the summed ICS payload bits. */
  private quantizeAll(channels: readonly ChannelInput[], delta: number): number {
    // Scaling every threshold by 2^(3δ/8) is what moving every scalefactor by δ does to the noise.
    const thresholdScale = 2 ** ((3 * delta) / 8);
    let maxSfb = 0;
    for (let c = 0; c < channels.length; c++) {
      const ch = channels[c]!;
      const w = this.work[c]!;
      const { ics } = ch;
      ics.q.fill(0);
      let last = -1;
      let chMax = 0;
      for (let g = 0; g < ics.numGroups; g++) {
        for (let b = 0; b < ch.codedBands; b++) {
          const k = g * BAND_STRIDE + b;
          if (!(ch.energy[k]! > ch.threshold[k]! * thresholdScale)) continue;
          let sf = Math.round(w.sf0[k]! + delta);
          if (sf < w.minSf[k]!) sf = w.minSf[k]!;
          if (sf > 255) sf = 255;
          if (last >= 0) {
            if (sf > last + SF_DIFF_MAX) sf = last + SF_DIFF_MAX;
            else if (sf < last - SF_DIFF_MAX) sf = last - SF_DIFF_MAX;
          }
          const max = quantizeBand(ch.spectrum, w.x34, ics.q, ics.bandStart(g, b), ics.bandStart(g, b + 1), sf);
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
    for (const ch of channels) {
      // A channel pair shares ics_info, hence max_sfb.
      ch.ics.maxSfb = maxSfb;
      bits += this.sectioner.estimate(ch.ics) + settleScalefactors(ch.ics);
    }
    return bits;
  }
}
