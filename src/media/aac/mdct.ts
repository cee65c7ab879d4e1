/**
 * The forward MDCT of §4.6.11.2 (filterbank):
 *
 *   X[k] = 2 · Σ_{n=0}^{N-1} z[n] · cos(2π/N · (n + n0) · (k + ½)),  n0 = (N/2 + 1)/2,  k < N/2
 *
 * computed in O(N log N): the windowed block (a, b, c, d) of quarters folds into the DCT-IV input
 * (−c_r − d, a − b_r), and a DCT-IV of length M = N/2 is one complex FFT of length M/2 between a
 * pre-twiddle e^{−iπn/M} and a post-twiddle e^{−iπ(k+¼)/M}; even outputs are the real parts and odd
 * outputs (from the top) the negated imaginary parts.
 * @internal
 */
export class Mdct {
  /** Transform input length N (2048 or 256). */
  readonly size: number;
  private readonly half: number;
  private readonly fftSize: number;
  private readonly preCos: Float64Array;
  private readonly preSin: Float64Array;
  private readonly postCos: Float64Array;
  private readonly postSin: Float64Array;
  private readonly bitrev: Uint16Array;
  private readonly twCos: Float64Array;
  private readonly twSin: Float64Array;
  private readonly fold: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    this.size = size;
    const M = size / 2;
    const F = M / 2;
    this.half = M;
    this.fftSize = F;
    this.preCos = new Float64Array(F);
    this.preSin = new Float64Array(F);
    this.postCos = new Float64Array(F);
    this.postSin = new Float64Array(F);
    for (let n = 0; n < F; n++) {
      this.preCos[n] = Math.cos((Math.PI * n) / M);
      this.preSin[n] = -Math.sin((Math.PI * n) / M);
      // The factor 2 of the definition is folded into the post-twiddle.
      this.postCos[n] = 2 * Math.cos((Math.PI * (n + 0.25)) / M);
      this.postSin[n] = -2 * Math.sin((Math.PI * (n + 0.25)) / M);
    }
    const bits = Math.log2(F);
    this.bitrev = new Uint16Array(F);
    for (let i = 0; i < F; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitrev[i] = r;
    }
    this.twCos = new Float64Array(F / 2);
    this.twSin = new Float64Array(F / 2);
    for (let i = 0; i < F / 2; i++) {
      this.twCos[i] = Math.cos((2 * Math.PI * i) / F);
      this.twSin[i] = -Math.sin((2 * Math.PI * i) / F);
    }
    this.fold = new Float64Array(M);
    this.re = new Float64Array(F);
    this.im = new Float64Array(F);
  }

  /** Transforms `input[0..N)` (already windowed) into `out[offset..offset + N/2)`. */
  forward(input: Float64Array, out: Float64Array, offset = 0): void {
    const M = this.half;
    const Q = M / 2;
    const F = this.fftSize;
    const v = this.fold;
    // Fold: v = (−c_r − d, a − b_r) with quarters a, b, c, d of length M/2.
    for (let n = 0; n < Q; n++) {
      v[n] = -input[3 * Q - 1 - n]! - input[3 * Q + n]!;
      v[Q + n] = input[n]! - input[M - 1 - n]!;
    }
    const re = this.re;
    const im = this.im;
    const rev = this.bitrev;
    for (let n = 0; n < F; n++) {
      const a = v[2 * n]!;
      const b = v[M - 1 - 2 * n]!;
      const c = this.preCos[n]!;
      const s = this.preSin[n]!;
      const j = rev[n]!;
      re[j] = a * c - b * s;
      im[j] = a * s + b * c;
    }
    this.fftInPlace();
    for (let k = 0; k < F; k++) {
      const c = this.postCos[k]!;
      const s = this.postSin[k]!;
      const r = re[k]!;
      const i = im[k]!;
      out[offset + 2 * k] = r * c - i * s;
      out[offset + M - 1 - 2 * k] = -(r * s + i * c);
    }
  }

  /** Iterative radix-2 decimation-in-time FFT on bit-reversed input. */
  private fftInPlace(): void {
    const F = this.fftSize;
    const re = this.re;
    const im = this.im;
    const twCos = this.twCos;
    const twSin = this.twSin;
    for (let len = 2; len <= F; len <<= 1) {
      const halfLen = len >> 1;
      const step = F / len;
      for (let start = 0; start < F; start += len) {
        for (let j = 0; j < halfLen; j++) {
          const wr = twCos[j * step]!;
          const wi = twSin[j * step]!;
          const p = start + j;
          const q = p + halfLen;
          const xr = re[q]! * wr - im[q]! * wi;
          const xi = re[q]! * wi + im[q]! * wr;
          re[q] = re[p]! - xr;
          im[q] = im[p]! - xi;
          re[p] = re[p]! + xr;
          im[p] = im[p]! + xi;
        }
      }
    }
  }
}
