import { BAND_STRIDE } from './ics.js';
import type { IcsData } from './ics.js';

/**
 * Mid/side stereo decision (§4.6.8.1): per band, code M = (L+R)/2 and S = (L−R)/2 instead of L and
 * R when that lowers the perceptual entropy. The decoder rebuilds L = M+S and R = M−S, so noise in
 * M and S adds up in both output channels: each may carry at most half of the smaller of the two
 * channel thresholds. Highly correlated bands (S ≪ M) then cost far fewer bits.
 * @internal
 */
export function applyMidSide(
  ics: IcsData,
  left: Float64Array,
  right: Float64Array,
  energyL: Float64Array,
  energyR: Float64Array,
  thresholdL: Float64Array,
  thresholdR: Float64Array,
  msUsed: Uint8Array,
): void {
  msUsed.fill(0);
  for (let g = 0; g < ics.numGroups; g++) {
    for (let b = 0; b < ics.numSwb; b++) {
      const k = g * BAND_STRIDE + b;
      const start = ics.bandStart(g, b);
      const end = ics.bandStart(g, b + 1);
      let em = 0;
      let es = 0;
      for (let i = start; i < end; i++) {
        const m = (left[i]! + right[i]!) * 0.5;
        const s = (left[i]! - right[i]!) * 0.5;
        em += m * m;
        es += s * s;
      }
      const tl = thresholdL[k]!;
      const tr = thresholdR[k]!;
      const tms = Math.min(tl, tr) * 0.5;
      const peLR = entropy(energyL[k]!, tl) + entropy(energyR[k]!, tr);
      const peMS = entropy(em, tms) + entropy(es, tms);
      if (peMS >= peLR) continue;
      msUsed[k] = 1;
      for (let i = start; i < end; i++) {
        const l = left[i]!;
        const r = right[i]!;
        left[i] = (l + r) * 0.5;
        right[i] = (l - r) * 0.5;
      }
      energyL[k] = em;
      energyR[k] = es;
      thresholdL[k] = tms;
      thresholdR[k] = tms;
    }
  }
}

/** Bits per coefficient (up to a constant factor) to code energy `e` with noise `t`. */
function entropy(e: number, t: number): number {
  return e > t ? Math.log2(e / t) : 0;
}
