import { MAX_BITS_PER_CHANNEL } from './constants.js';

/**
 * The bit reservoir (§4.5.3.2 and the buffer model of ISO/IEC 13818-7 Annex B): every frame earns
 * the mean number of bits of the target bitrate; frames that need fewer leave the rest in the
 * reservoir for frames that need more (attacks, dense spectra). The level never goes below zero
 * (a frame spends at most what it earned plus what was saved) and never above the decoder buffer
 * of 6144 bits per channel minus one mean frame; past that the frame is padded with a fill
 * element, so the average bitrate holds at the target.
 * @internal
 */
export class BitReservoir {
  /** Bits each frame earns. */
  readonly meanBits: number;
  /** Largest level the decoder buffer allows. */
  readonly maxLevel: number;
  /**
   * Bits saved so far (fractional: the mean per frame rarely is a whole number). It starts full,
   * as the decoder fills its buffer before it starts decoding, so that the very first frames,
   * whose onsets are often the most demanding, can draw on it.
   */
  level: number;
  private avgPe = 0;
  private readonly frameLimit: number;

  constructor(bitrate: number, sampleRate: number, numberOfChannels: number) {
    this.meanBits = (bitrate * 1024) / sampleRate;
    this.frameLimit = MAX_BITS_PER_CHANNEL * numberOfChannels;
    this.maxLevel = Math.max(0, this.frameLimit - Math.ceil(this.meanBits));
    this.level = this.maxLevel;
  }

  /**
   * Bits this frame may use, from its perceptual entropy relative to the recent average (a frame
   * twice as demanding asks for about 1.5 times the mean), pulled towards a half-full reservoir.
   * Short-window frames count double: their attacks need the bits most, and the quiet windows
   * before an attack must stay clean too. No frame takes more than 60% of what is saved.
   */
  budget(pe: number, short: boolean): number {
    const demandPe = short ? pe * 2 : pe;
    this.avgPe = this.avgPe === 0 ? demandPe : 0.9 * this.avgPe + 0.1 * demandPe;
    const ratio = this.avgPe > 0 ? Math.min(4, Math.max(0.4, demandPe / this.avgPe)) : 1;
    let bits = this.meanBits * ratio ** 0.6 + 0.25 * (this.level - this.maxLevel / 2);
    const most = Math.min(this.meanBits + 0.6 * this.level, this.frameLimit);
    const least = this.meanBits + this.level - this.maxLevel;
    if (bits > most) bits = most;
    if (bits < least) bits = least;
    return Math.floor(bits);
  }

  /**
   * Padding bits the frame should add so that the reservoir does not overflow after `used` bits,
   * never past the largest frame a decoder accepts.
   */
  paddingFor(used: number): number {
    const over = Math.ceil(this.level + this.meanBits - used - this.maxLevel);
    return Math.max(0, Math.min(over, this.frameLimit - used));
  }

  /** Books a finished frame of `used` bits (padding included). */
  commit(used: number): void {
    this.level += this.meanBits - used;
  }
}
