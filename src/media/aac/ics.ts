import { FRAME_LENGTH, NUM_SHORT_WINDOWS, WindowSequence, WindowShape } from './constants.js';
import type { BandTables } from './swb-tables.js';
import { TnsData } from './tns.js';

/** Band slots per window group in the per-band arrays (≥ the largest num_swb, 51). */
export const BAND_STRIDE = 64;

/**
 * Everything one individual_channel_stream() carries (§4.4.2.7), in the encoder's working layout.
 *
 * Short-window spectra are kept interleaved the way §4.6.3 reads them: within each window group,
 * band by band, the coefficients of every window of the group follow each other. A long frame is
 * one group of one window, so the same loops serve both.
 * @internal
 */
export class IcsData {
  windowSequence: WindowSequence = WindowSequence.OnlyLong;
  windowShape: WindowShape = WindowShape.Sine;
  /** swb_offset table of the current window type. */
  swb: Uint16Array;
  numSwb: number;
  maxSfb = 0;
  numGroups = 1;
  readonly groupLength = new Uint8Array(NUM_SHORT_WINDOWS);
  /** Offset of each group's first coefficient in the interleaved spectrum. */
  readonly groupStart = new Uint16Array(NUM_SHORT_WINDOWS + 1);
  /**
   * Scalefactor per band, at g·BAND_STRIDE + sfb; for a noise band (PNS) its noise energy
   * instead, as scale_factor_data() carries both.
   */
  readonly sf = new Int32Array(NUM_SHORT_WINDOWS * BAND_STRIDE);
  /** 1 where the band is substituted by noise (PNS, codebook NOISE_HCB), at g·BAND_STRIDE + sfb. */
  readonly noise = new Uint8Array(NUM_SHORT_WINDOWS * BAND_STRIDE);
  /** Spectral codebook per band, at g·BAND_STRIDE + sfb. */
  readonly cb = new Uint8Array(NUM_SHORT_WINDOWS * BAND_STRIDE);
  /** Quantized spectrum, interleaved. */
  readonly q = new Int32Array(FRAME_LENGTH);
  globalGain = 0;
  /** Temporal noise shaping filters of this frame (§4.6.9). */
  readonly tns = new TnsData();
  private readonly tables: BandTables;

  constructor(tables: BandTables) {
    this.tables = tables;
    this.swb = tables.long;
    this.numSwb = tables.long.length - 1;
    this.setGrouping(WindowSequence.OnlyLong, [1]);
  }

  get isShort(): boolean {
    return this.windowSequence === WindowSequence.EightShort;
  }

  /** Sets the window sequence and, for short frames, the window group lengths (summing to 8). */
  setGrouping(sequence: WindowSequence, lengths: readonly number[]): void {
    this.windowSequence = sequence;
    const short = sequence === WindowSequence.EightShort;
    this.swb = short ? this.tables.short : this.tables.long;
    this.numSwb = this.swb.length - 1;
    const groups = short ? lengths : [1];
    this.numGroups = groups.length;
    const width = short ? this.swb[this.numSwb]! : FRAME_LENGTH;
    this.groupStart[0] = 0;
    for (let g = 0; g < groups.length; g++) {
      this.groupLength[g] = groups[g]!;
      this.groupStart[g + 1] = this.groupStart[g]! + groups[g]! * width;
    }
  }

  /** First interleaved coefficient of band `sfb` of group `g` (sfb may be numSwb: the end). */
  bandStart(g: number, sfb: number): number {
    return this.groupStart[g]! + this.swb[sfb]! * this.groupLength[g]!;
  }

  /** scale_factor_grouping (§4.6.2.3.2): bit 6−w is set when window w+1 joins window w's group. */
  groupingBits(): number {
    let bits = 0;
    let w = 0;
    for (let g = 0; g < this.numGroups; g++) {
      for (let i = 0; i < this.groupLength[g]!; i++, w++) {
        if (i > 0) bits |= 1 << (7 - w);
      }
    }
    return bits;
  }
}
