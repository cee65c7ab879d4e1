import { MAX_QUANT, SF_OFFSET } from './constants.js';

/**
 * Non-uniform quantization of §4.6.1.3 seen from the encoder side. The decoder reconstructs
 * x̂ = sign(q)·|q|^(4/3)·2^((sf − 100)/4), so the encoder quantizes
 *
 *   q = sign(x) · ⌊ |x|^(3/4) · 2^(−3(sf − 100)/16) + 0.4054 ⌋
 *
 * where the rounding offset 0.4054 (rather than ½) is the usual deadzone that minimises the
 * reconstruction error of this power law for Laplacian-like spectra.
 * @internal
 */

const ROUNDING = 0.4054;

/** 2^(−3(sf − 100)/16) for sf = 0…255: the quantizer's step in the |x|^(3/4) domain. */
const INV_STEP34 = new Float64Array(256);
for (let sf = 0; sf < 256; sf++) INV_STEP34[sf] = 2 ** ((-3 * (sf - SF_OFFSET)) / 16);

/** x34[i] = |x[i]|^(3/4), computed once per frame for every rate-loop iteration to reuse. */
export function pow34(x: Float64Array, x34: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const a = Math.abs(x[i]!);
    x34[i] = Math.sqrt(a * Math.sqrt(a));
  }
}

/** Quantizes x[start..end) with scalefactor `sf` into q; returns the largest magnitude. */
export function quantizeBand(
  x: Float64Array,
  x34: Float64Array,
  q: Int32Array,
  start: number,
  end: number,
  sf: number,
): number {
  const s = INV_STEP34[sf]!;
  let max = 0;
  for (let i = start; i < end; i++) {
    let m = Math.floor(x34[i]! * s + ROUNDING);
    if (m > MAX_QUANT) m = MAX_QUANT; // only when the ±60 scalefactor step limit forced sf down
    q[i] = x[i]! < 0 ? -m : m;
    if (m > max) max = m;
  }
  return max;
}

/** Smallest scalefactor at which a band whose largest |x|^(3/4) is `max34` stays ≤ MAX_QUANT. */
export function minScalefactor(max34: number): number {
  if (max34 <= 0) return 0;
  // max34 · 2^(−3(sf−100)/16) + ROUNDING < MAX_QUANT + 1
  const sf = Math.ceil(SF_OFFSET + (16 / 3) * Math.log2(max34 / (MAX_QUANT + 1 - ROUNDING)));
  return sf < 0 ? 0 : sf;
}

/**
 * The scalefactor whose expected quantization noise in a band equals `allowed`, from the
 * high-resolution approximation of the noise of this quantizer: each coefficient contributes
 * (4/27)·A^(3/2)·|x|^(1/2) with A = 2^((sf−100)/4), so
 *   sf = 100 + (8/3)·log2( 27·allowed / (4·Σ|x|^(1/2)) ).
 * Returns a real number; the caller rounds and clamps.
 */
export function scalefactorForNoise(allowed: number, sumSqrtAbs: number): number {
  return SF_OFFSET + (8 / 3) * Math.log2((27 * allowed) / (4 * sumSqrtAbs));
}
