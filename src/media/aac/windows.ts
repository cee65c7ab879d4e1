import { FRAME_LENGTH, SHORT_LENGTH, WindowSequence, WindowShape } from './constants.js';

/**
 * Analysis windows of §4.6.11.3 (filterbank and block switching). Each shape is stored as its
 * rising half; the falling half is the mirror image, which is what makes the sine and KBD windows
 * satisfy the Princen-Bradley condition w²[n] + w²[n + N/2] = 1.
 * @internal
 */

/** Rising half of the sine window of length 2·half: w[n] = sin(π/(2·half)·(n + ½)). */
function sineHalf(half: number): Float64Array {
  const w = new Float64Array(half);
  for (let n = 0; n < half; n++) w[n] = Math.sin((Math.PI / (2 * half)) * (n + 0.5));
  return w;
}

/** Zeroth-order modified Bessel function of the first kind, by its power series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Rising half of the Kaiser-Bessel derived window (§4.6.11.3.1): the normalised running sum of a
 * Kaiser kernel of length half + 1 with parameter α (4 for long, 6 for short windows).
 */
function kbdHalf(half: number, alpha: number): Float64Array {
  const kernel = new Float64Array(half + 1);
  for (let n = 0; n <= half; n++) {
    const r = (2 * n) / half - 1;
    kernel[n] = besselI0(Math.PI * alpha * Math.sqrt(1 - r * r));
  }
  let total = 0;
  for (let n = 0; n <= half; n++) total += kernel[n]!;
  const w = new Float64Array(half);
  let running = 0;
  for (let n = 0; n < half; n++) {
    running += kernel[n]!;
    w[n] = Math.sqrt(running / total);
  }
  return w;
}

/** Rising halves indexed by WindowShape. */
export const LONG_HALVES: readonly [Float64Array, Float64Array] = [
  sineHalf(FRAME_LENGTH),
  kbdHalf(FRAME_LENGTH, 4),
];
export const SHORT_HALVES: readonly [Float64Array, Float64Array] = [
  sineHalf(SHORT_LENGTH),
  kbdHalf(SHORT_LENGTH, 6),
];

/**
 * Applies the 2048-sample window of a long-type sequence (ONLY_LONG, LONG_START, LONG_STOP) to
 * `input` into `out`. The left half follows the previous frame's shape, the right half this frame's
 * (§4.6.11.3.2), so that overlapping halves always match.
 */
export function applyLongWindow(
  input: Float64Array,
  out: Float64Array,
  sequence: WindowSequence,
  prevShape: WindowShape,
  shape: WindowShape,
): void {
  const N = FRAME_LENGTH;
  const S = SHORT_LENGTH;
  const flat = (N - S) / 2; // 448: the zero (or one) run that centres a short slope in a half
  if (sequence === WindowSequence.LongStop) {
    const rise = SHORT_HALVES[prevShape];
    for (let n = 0; n < flat; n++) out[n] = 0;
    for (let n = 0; n < S; n++) out[flat + n] = input[flat + n]! * rise[n]!;
    for (let n = flat + S; n < N; n++) out[n] = input[n]!;
  } else {
    const rise = LONG_HALVES[prevShape];
    for (let n = 0; n < N; n++) out[n] = input[n]! * rise[n]!;
  }
  if (sequence === WindowSequence.LongStart) {
    const fall = SHORT_HALVES[shape];
    for (let n = 0; n < flat; n++) out[N + n] = input[N + n]!;
    for (let n = 0; n < S; n++) out[N + flat + n] = input[N + flat + n]! * fall[S - 1 - n]!;
    for (let n = N + flat + S; n < 2 * N; n++) out[n] = 0;
  } else {
    const fall = LONG_HALVES[shape];
    for (let n = 0; n < N; n++) out[N + n] = input[N + n]! * fall[N - 1 - n]!;
  }
}

/**
 * Applies short window `w` (0–7) of an EIGHT_SHORT_SEQUENCE: 256 samples starting at 448 + 128·w.
 * Only the first window's rising half uses the previous frame's shape.
 */
export function applyShortWindow(
  input: Float64Array,
  out: Float64Array,
  w: number,
  prevShape: WindowShape,
  shape: WindowShape,
): void {
  const S = SHORT_LENGTH;
  const start = (FRAME_LENGTH - S) / 2 + w * S;
  const rise = SHORT_HALVES[w === 0 ? prevShape : shape];
  const fall = SHORT_HALVES[shape];
  for (let n = 0; n < S; n++) {
    out[n] = input[start + n]! * rise[n]!;
    out[S + n] = input[start + S + n]! * fall[S - 1 - n]!;
  }
}
