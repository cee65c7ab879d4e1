import type { BitWriter } from '../bytes/index.js';
import { NUM_SHORT_WINDOWS, SAMPLE_RATE_INDEX } from './constants.js';
import { assert } from '../errors.js';

/**
 * Temporal noise shaping (ISO/IEC 14496-3 §4.6.9). A spectrum whose signal is peaky in time
 * (attacks, pitch pulses of speech) is predictable along frequency; coding the prediction
 * residual instead of the spectrum, the decoder's all-pole synthesis filter puts the
 * quantization noise back under the temporal envelope of the signal, where it is masked, instead
 * of spreading it evenly over the window.
 *
 * The encoder runs one filter per window, upwards over the bands from about 1.4 kHz to
 * TNS_MAX_BANDS: a Levinson-Durbin analysis of the spectrum's autocorrelation gives reflection
 * coefficients, quantized with 4 bits (coef_res = 1), converted to LPC exactly as the decoder
 * does (tns_decode_coef), then applied as the FIR inverse of the decoder's filter. It is used only
 * where it pays: in frames whose temporal envelope is far from flat (the caller decides from the
 * transient detector's segment energies) and whose prediction gain is large enough. A high
 * prediction gain alone is not enough: a chirp is predictable along frequency too, with a flat
 * envelope, and there the synthesis filter would only amplify the quantization noise.
 * @internal
 */

/** TNS_MAX_ORDER for AAC-LC (Table 4.157): 12 for long, 7 for short windows. */
const MAX_ORDER_LONG = 12;
const MAX_ORDER_SHORT = 7;
/** TNS_MAX_BANDS for AAC-LC by samplingFrequencyIndex (Table 4.156). */
const MAX_BANDS_LONG = [31, 31, 34, 40, 42, 51, 46, 46, 42, 42, 42, 39, 39];
const MAX_BANDS_SHORT = [9, 9, 10, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14];
/** Prediction gain (residual energy ratio) from which filtering pays for its side information. */
const MIN_PREDICTION_GAIN = 1.4;
/** Lowest frequency TNS filters: below it, the spectrum of speech and music is tonal, not peaky. */
const START_HZ = 1400;
/** coef_res = 1: 4-bit coefficients; iqfac for positive and negative indices (§4.6.9.3). */
const IQFAC = (8 - 0.5) / (Math.PI / 2);
const IQFAC_M = (8 + 0.5) / (Math.PI / 2);

/** The TNS side information of one ICS: at most one filter per window. */
export class TnsData {
  present = false;
  numWindows = 1;
  /** Filter order per window; 0 = n_filt 0 (no filter). */
  readonly order = new Uint8Array(NUM_SHORT_WINDOWS);
  /** length[w] in bands, counted down from num_swb. */
  readonly length = new Uint8Array(NUM_SHORT_WINDOWS);
  /** 4-bit coefficient indices, −8…7, at w·MAX_ORDER_LONG + i. */
  readonly coef = new Int8Array(NUM_SHORT_WINDOWS * MAX_ORDER_LONG);

  reset(numWindows: number): void {
    this.present = false;
    this.numWindows = numWindows;
    this.order.fill(0);
  }

  /** Bits of tns_data() (Table 4.60); the tns_data_present flag itself is counted elsewhere. */
  bits(): number {
    if (!this.present) return 0;
    const short = this.numWindows === NUM_SHORT_WINDOWS;
    let bits = 0;
    for (let w = 0; w < this.numWindows; w++) {
      bits += short ? 1 : 2; // n_filt
      const order = this.order[w]!;
      if (order === 0) continue;
      bits += 1 + (short ? 4 : 6) + (short ? 3 : 5) + 1 + 1 + 4 * order; // coef_res … coef
    }
    return bits;
  }

  /** tns_data() with coef_res = 1, direction = 0 (upwards), coef_compress = 0. */
  write(bw: BitWriter): void {
    const short = this.numWindows === NUM_SHORT_WINDOWS;
    for (let w = 0; w < this.numWindows; w++) {
      const order = this.order[w]!;
      bw.writeBits(order > 0 ? 1 : 0, short ? 1 : 2); // n_filt
      if (order === 0) continue;
      bw.writeBits(1, 1); // coef_res: 4-bit coefficients
      bw.writeBits(this.length[w]!, short ? 4 : 6); // length
      bw.writeBits(order, short ? 3 : 5); // order
      bw.writeBits(0, 1); // direction: upwards
      bw.writeBits(0, 1); // coef_compress
      for (let i = 0; i < order; i++) bw.writeBits(this.coef[w * MAX_ORDER_LONG + i]! & 15, 4); // coef
    }
  }
}

/** Decides and applies TNS for one sampling rate. */
export class TnsFilter {
  private readonly maxBandsLong: number;
  private readonly maxBandsShort: number;
  private readonly sampleRate: number;
  private readonly autocorr = new Float64Array(MAX_ORDER_LONG + 1);
  private readonly parcor = new Float64Array(MAX_ORDER_LONG);
  private readonly lpc = new Float64Array(MAX_ORDER_LONG + 1);
  private readonly scratch = new Float64Array(MAX_ORDER_LONG + 1);
  private readonly history = new Float64Array(MAX_ORDER_LONG);

  constructor(sampleRate: number) {
    const index = SAMPLE_RATE_INDEX.get(sampleRate);
    assert(index !== undefined, `TNS: unsupported rate ${sampleRate}`);
    this.maxBandsLong = MAX_BANDS_LONG[index]!;
    this.maxBandsShort = MAX_BANDS_SHORT[index]!;
    this.sampleRate = sampleRate;
  }

  /**
   * Analyses window `w` of `spectrum` (coefficients from `offset`, band table `swb`) and, when
   * the prediction gain pays, filters it in place and records the filter in `tns`.
   */
  apply(spectrum: Float64Array, offset: number, swb: Uint16Array, w: number, tns: TnsData): void {
    const short = tns.numWindows === NUM_SHORT_WINDOWS;
    const numSwb = swb.length - 1;
    const maxBands = Math.min(numSwb, short ? this.maxBandsShort : this.maxBandsLong);
    const maxOrder = short ? MAX_ORDER_SHORT : MAX_ORDER_LONG;
    const binHz = this.sampleRate / 2 / swb[numSwb]!;
    let startBand = 0;
    while (startBand < maxBands && swb[startBand]! * binHz < START_HZ) startBand++;
    const start = offset + swb[startBand]!;
    const end = offset + swb[maxBands]!;
    if (end - start < 4 * maxOrder) return;

    const r = this.autocorr;
    for (let lag = 0; lag <= maxOrder; lag++) {
      let s = 0;
      for (let i = start + lag; i < end; i++) s += spectrum[i]! * spectrum[i - lag]!;
      // Gaussian lag window: smooths the spectral envelope the filter models.
      r[lag] = s * Math.exp(-0.5 * (0.4 * lag) ** 2);
    }
    if (!(r[0]! > 0)) return;
    const error = this.levinson(maxOrder);
    if (r[0]! / error < MIN_PREDICTION_GAIN) return;

    // Quantize the reflection coefficients, drop trailing zeros.
    const base = w * MAX_ORDER_LONG;
    let order = 0;
    for (let i = 0; i < maxOrder; i++) {
      const a = Math.asin(Math.max(-1, Math.min(1, this.parcor[i]!)));
      const idx = Math.max(-8, Math.min(7, Math.round(a * (a >= 0 ? IQFAC : IQFAC_M))));
      tns.coef[base + i] = idx;
      if (idx !== 0) order = i + 1;
    }
    if (order === 0) return;
    this.decodedLpc(tns.coef, base, order);
    this.filter(spectrum, start, end, order);
    tns.present = true;
    tns.order[w] = order;
    tns.length[w] = numSwb - startBand;
  }

  /**
   * Levinson-Durbin recursion on `autocorr`: fills `parcor` with reflection coefficients in the
   * sign convention of §4.6.9.3 (the decoder's filter is 1 / (1 + Σ a_i z^−i)) and returns the
   * residual energy.
   */
  private levinson(order: number): number {
    const r = this.autocorr;
    const a = this.lpc;
    const tmp = this.scratch;
    a.fill(0);
    a[0] = 1;
    let err = r[0]!;
    for (let m = 1; m <= order; m++) {
      let acc = r[m]!;
      for (let i = 1; i < m; i++) acc += a[i]! * r[m - i]!;
      const k = -acc / err;
      this.parcor[m - 1] = k;
      for (let i = 1; i < m; i++) tmp[i] = a[i]! + k * a[m - i]!;
      for (let i = 1; i < m; i++) a[i] = tmp[i]!;
      a[m] = k;
      err *= 1 - k * k;
      if (err <= 0) {
        for (let i = m; i < order; i++) this.parcor[i] = 0;
        return 1e-30;
      }
    }
    return err;
  }

  /** tns_decode_coef(): dequantized reflection coefficients to LPC, as the decoder computes them. */
  private decodedLpc(coef: Int8Array, base: number, order: number): void {
    const a = this.lpc;
    const tmp = this.scratch;
    a[0] = 1;
    for (let m = 1; m <= order; m++) {
      const q = coef[base + m - 1]!;
      const k = Math.sin(q / (q >= 0 ? IQFAC : IQFAC_M));
      for (let i = 1; i < m; i++) tmp[i] = a[i]! + k * a[m - i]!;
      for (let i = 1; i < m; i++) a[i] = tmp[i]!;
      a[m] = k;
    }
  }

  /** e[n] = x[n] + Σ a_i·x[n−i], upwards: the inverse of the decoder's all-pole filter. */
  private filter(x: Float64Array, start: number, end: number, order: number): void {
    const a = this.lpc;
    const h = this.history;
    h.fill(0);
    for (let n = start; n < end; n++) {
      const v = x[n]!;
      let e = v;
      for (let i = 0; i < order; i++) e += a[i + 1]! * h[i]!;
      for (let i = order - 1; i > 0; i--) h[i] = h[i - 1]!;
      h[0] = v;
      x[n] = e;
    }
  }
}
