import { NUM_SHORT_WINDOWS, SHORT_LENGTH, WindowSequence } from './constants.js';

/**
 * Transient detection and window-sequence decisions (§4.6.11.3.2, block switching).
 *
 * Frame f transforms input blocks f−1 and f (1024 samples each); its eight short windows cover
 * positions 448…1600 of those 2048 samples, i.e. the tail of block f−1 and the first 576 samples of
 * block f. The detector runs one block ahead: when block f+1 arrives it looks for an attack in it,
 * in eight 128-sample segments. An attack in segments 0–4 needs frame f+1 short; one in segments
 * 4–7 lies past frame f+1's short windows and needs frame f+2 short. Because a short frame must be
 * preceded by LONG_START (or another short frame) and followed by LONG_STOP, frame f's own
 * sequence is only final once frame f+1's need is known, which is why the detector looks ahead.
 * @internal
 */

/** Energy ratio (high-passed, segment vs recent average) that counts as an attack: 10 dB. */
const ATTACK_RATIO = 10;
/** Segment energy below which nothing counts as an attack (about −70 dBFS per sample, scaled). */
const MIN_ATTACK_ENERGY = SHORT_LENGTH * (32768 * 10 ** (-70 / 20)) ** 2;
/** First segment whose attack frame f+1's short windows no longer cover well. */
const LATE_SEGMENT = 4;

/** Finds attacks in one channel's blocks. */
export class TransientDetector {
  private prevIn = 0;
  private prevOut = 0;
  /** Smoothed energy of recent segments, the reference an attack is measured against. */
  private envelope = 0;
  /**
   * High-passed energy of the 128-sample segments of blocks f−1, f and f+1 (the look-ahead), in
   * time order: the temporal envelope of the frame being coded is the first 16.
   */
  readonly segmentEnergy = new Float64Array(3 * NUM_SHORT_WINDOWS);

  /**
   * Analyses one block (scaled to the 16-bit range) and returns the first segment (0–7) holding
   * an attack, or −1.
   */
  detect(block: Float64Array): number {
    let x1 = this.prevIn;
    let y1 = this.prevOut;
    let attack = -1;
    this.segmentEnergy.copyWithin(0, NUM_SHORT_WINDOWS);
    for (let s = 0; s < NUM_SHORT_WINDOWS; s++) {
      let e = 0;
      for (let i = s * SHORT_LENGTH; i < (s + 1) * SHORT_LENGTH; i++) {
        // First-order high-pass (pole 0.92, zero at DC): attacks are broadband, while the
        // steady low-frequency energy of music would mask them in a plain energy envelope.
        const x = block[i]!;
        const y = 0.92 * y1 + x - x1;
        x1 = x;
        y1 = y;
        e += y * y;
      }
      this.segmentEnergy[2 * NUM_SHORT_WINDOWS + s] = e;
      if (attack < 0 && e > MIN_ATTACK_ENERGY && e > ATTACK_RATIO * this.envelope) attack = s;
      // Fast attack, slow release, so a decaying note does not hide the next onset.
      this.envelope = e > this.envelope ? e : 0.7 * this.envelope + 0.3 * e;
    }
    this.prevIn = x1;
    this.prevOut = y1;
    return attack;
  }

  /**
   * Ratio of the loudest to the quietest segment of the frame being coded (blocks f−1 and f):
   * how far its temporal envelope is from flat.
   */
  envelopeRatio(): number {
    let max = 0;
    let min = Infinity;
    for (let s = 0; s < 2 * NUM_SHORT_WINDOWS; s++) {
      const e = this.segmentEnergy[s]!;
      if (e > max) max = e;
      if (e < min) min = e;
    }
    return max / (min + MIN_ATTACK_ENERGY);
  }
}

/**
 * Chooses window sequences for a group of channels that share them (a channel pair with a common
 * window), from attacks found one block ahead.
 */
export class BlockSwitcher {
  private previous: WindowSequence = WindowSequence.OnlyLong;
  /** Whether frames f, f+1 and f+2 (relative to the one being decided) need short windows. */
  private readonly need = new Uint8Array(3);

  /**
   * Registers the attack segment (or −1) found in the look-ahead block f+1, then returns the
   * sequence for frame f.
   */
  next(attackSegment: number): WindowSequence {
    if (attackSegment >= 0) {
      if (attackSegment <= LATE_SEGMENT) this.need[1] = 1;
      if (attackSegment >= LATE_SEGMENT) this.need[2] = 1;
    }
    const shortNow = this.need[0] === 1;
    const shortNext = this.need[1] === 1;
    const prevShortEnd =
      this.previous === WindowSequence.LongStart || this.previous === WindowSequence.EightShort;
    let seq: WindowSequence;
    if (shortNow || (prevShortEnd && shortNext)) seq = WindowSequence.EightShort;
    else if (prevShortEnd) seq = WindowSequence.LongStop;
    else seq = shortNext ? WindowSequence.LongStart : WindowSequence.OnlyLong;
    this.previous = seq;
    this.need.copyWithin(0, 1);
    this.need[2] = 0;
    return seq;
  }
}
