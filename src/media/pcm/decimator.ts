/**
 * Integer-factor sample-rate reduction of planar Float32 PCM: the browser's sound graph runs at
 * 48 kHz whatever `audio-quality` says, and `low` (16 kHz, spec §1) is made here, in front of the
 * AAC encoder. Why not a 16 kHz AudioContext: `audio-quality` may change during a push, and a new
 * context would mean a new microphone graph, a gap in the sound and the background music and
 * effects rebuilt; with one graph rate only the encoder changes.
 *
 * The filter is a linear-phase FIR low-pass (Blackman-windowed sinc) with its −6 dB point at the
 * output's Nyquist frequency and a transition of about 5.5 / taps: at 48 → 16 kHz (129 taps) flat
 * to 7 kHz and over 70 dB down from 9 kHz, so aliases fold only into the 7–8 kHz edge that AAC at
 * 16 kHz barely codes. Only every `factor`-th output is computed. Its delay,
 * {@link Decimator.delayFrames} input frames, is in each result's `offsetFrames` for timestamps.
 */

/** Taps per unit of decimation factor: 129 taps at 48 → 16 kHz. */
const TAPS_PER_FACTOR = 43;

/** One block's output. */
export interface DecimatedBlock {
  /** Planar output, valid until the next process() call. */
  planes: Float32Array[];
  /**
   * Input frames from the block's first input sample to the instant of its first output sample
   * (filter delay included; negative when that instant lies in an earlier block).
   */
  offsetFrames: number;
}

export class Decimator {
  readonly factor: number;
  readonly channels: number;
  /** Group delay of the filter, in input frames. */
  readonly delayFrames: number;
  private readonly taps: Float32Array;
  /** Per channel: the last taps−1 input samples, then the block being filtered. */
  private history: Float32Array[];
  /** Input frames to skip before the next output (keeps the phase across blocks). */
  private phase = 0;
  private out: Float32Array[] = [];
  private readonly passThrough: DecimatedBlock = { planes: [], offsetFrames: 0 };

  constructor(factor: number, channels: number) {
    if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`Decimator: factor must be a positive integer, got ${factor}`);
    if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`Decimator: channels must be a positive integer, got ${channels}`);
    this.factor = factor;
    this.channels = channels;
    const n = factor === 1 ? 1 : TAPS_PER_FACTOR * factor - (factor % 2 === 0 ? 1 : 0);
    this.taps = lowPass(n, 0.5 / factor);
    this.delayFrames = (n - 1) / 2;
    this.history = Array.from({ length: channels }, () => new Float32Array(n - 1));
  }

  /**
   * Filters one block. Blocks may have any length; the phase carries over, so the outputs are
   * exactly the decimation of the blocks' concatenation.
   */
  process(planes: readonly Float32Array[]): DecimatedBlock {
    const frames = planes[0]?.length ?? 0;
    if (planes.length !== this.channels) throw new RangeError(`Decimator.process: ${planes.length} planes, expected ${this.channels}`);
    if (this.factor === 1) {
      this.passThrough.planes = planes as Float32Array[];
      return this.passThrough;
    }
    const n = this.taps.length;
    const count = frames > this.phase ? Math.ceil((frames - this.phase) / this.factor) : 0;
    if ((this.out[0]?.length ?? 0) < count) this.out = Array.from({ length: this.channels }, () => new Float32Array(count));
    const offsetFrames = this.phase - this.delayFrames;
    const result: Float32Array[] = [];
    for (let c = 0; c < this.channels; c++) {
      const input = planes[c]!;
      // Filter over history ++ input without concatenating: index i < 0 reads history.
      const history = this.history[c]!;
      const out = this.out[c]!.subarray(0, count);
      result.push(out);
      const taps = this.taps;
      for (let k = 0, at = this.phase; k < count; k++, at += this.factor) {
        // Output k is centred on input frame `at`; its window spans at−(n−1) … at.
        let sum = 0;
        for (let t = 0; t < n; t++) {
          const i = at - t;
          sum += taps[t]! * (i >= 0 ? input[i]! : history[n - 1 + i]!);
        }
        out[k] = sum;
      }
      // Keep the last n−1 frames of history ++ input.
      if (frames >= n - 1) history.set(input.subarray(frames - (n - 1)));
      else {
        history.copyWithin(0, frames);
        history.set(input, n - 1 - frames);
      }
    }
    this.phase = this.phase + count * this.factor - frames;
    return { planes: result, offsetFrames };
  }
}

/** Blackman-windowed sinc low-pass of `n` taps, cutoff in cycles per sample, unity DC gain. */
function lowPass(n: number, cutoff: number): Float32Array {
  const taps = new Float32Array(n);
  const mid = (n - 1) / 2;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const w = n === 1 ? 1 : 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (n - 1));
    taps[i] = sinc * w;
    sum += taps[i]!;
  }
  for (let i = 0; i < n; i++) taps[i]! /= sum;
  return taps;
}
