import { BitWriter } from '../bytes/index.js';
import { BitReservoir } from './bit-reservoir.js';
import { cpeHeaderBits, fillElementBits, icsFixedBits, MAX_FILL_PAYLOAD, writeCpe, writeEnd, writeFill, writeSce } from './bitstream.js';
import { BlockSwitcher, TransientDetector } from './block-switch.js';
import { bandwidthFor } from './config.js';
import type { ResolvedConfig } from './config.js';
import { FRAME_LENGTH, NUM_SHORT_WINDOWS, SHORT_LENGTH, WindowSequence, WindowShape } from './constants.js';
import { BAND_STRIDE, IcsData } from './ics.js';
import { Mdct } from './mdct.js';
import { PsychoacousticModel } from './psymodel.js';
import { RateLoop } from './rate-loop.js';
import type { ChannelInput } from './rate-loop.js';
import { applyMidSide } from './stereo.js';
import { bandTablesFor } from './swb-tables.js';
import type { BandTables } from './swb-tables.js';
import { NoiseSubstitution, PNS_MAX_BITRATE_PER_CHANNEL } from './pns.js';
import { TnsFilter } from './tns.js';
import { applyLongWindow, applyShortWindow } from './windows.js';

/**
 * Encodes fixed 1024-sample blocks into AAC-LC raw_data_block()s: one SCE for mono, one CPE for
 * stereo (channelConfiguration 1 and 2, §1.6.3.4).
 *
 * Frame f transforms blocks f−1 and f and is written once block f+1 has arrived (the look-ahead
 * of block switching), so the first call returns nothing and the stream starts with 1024 samples
 * of priming: the decoded output of access unit f is input samples 1024·(f−1) … 1024·f.
 * @internal
 */

/** PCM in [−1, 1] is coded at the 16-bit scale the standard's filterbank assumes. */
const PCM_SCALE = 32768;
/**
 * Loudest to quietest 128-sample segment ratio (12 dB) from which a frame's temporal envelope
 * counts as uneven: TNS is tried there, and PNS only below it.
 */
const TNS_ENVELOPE_RATIO = 16;
/** A window whose energy exceeds its group's mean by this factor starts a new group. */
const GROUP_SPLIT_RATIO = 8;

/** Encoder delay in samples: the decoder's first 1024 output samples precede the input. */
export const ENCODER_DELAY = FRAME_LENGTH;

class ChannelState {
  /** Blocks f−1, f and f+1, at PCM_SCALE. */
  readonly history = new Float64Array(3 * FRAME_LENGTH);
  readonly windowed = new Float64Array(2 * FRAME_LENGTH);
  /** Short-window spectra in window order, before interleaving. */
  readonly shortSpectra = new Float64Array(FRAME_LENGTH);
  readonly spectrum = new Float64Array(FRAME_LENGTH);
  readonly energy = new Float64Array(8 * BAND_STRIDE);
  readonly threshold = new Float64Array(8 * BAND_STRIDE);
  readonly ics: IcsData;
  readonly psy: PsychoacousticModel;
  readonly detector = new TransientDetector();
  readonly pns: NoiseSubstitution;

  constructor(tables: BandTables, sampleRate: number) {
    this.pns = new NoiseSubstitution(sampleRate);
    this.ics = new IcsData(tables);
    this.psy = new PsychoacousticModel(tables, sampleRate);
  }
}

export class FrameEncoder {
  private readonly channels: ChannelState[];
  private readonly switcher = new BlockSwitcher();
  private readonly longMdct = new Mdct(2 * FRAME_LENGTH);
  private readonly shortMdct = new Mdct(2 * SHORT_LENGTH);
  private readonly reservoir: BitReservoir;
  private readonly rateLoop: RateLoop;
  private readonly msUsed = new Uint8Array(8 * BAND_STRIDE);
  private readonly codedLong: number;
  private readonly codedShort: number;
  private readonly windowEnergy = new Float64Array(NUM_SHORT_WINDOWS);
  private readonly shape: WindowShape;
  private readonly tables: BandTables;
  private readonly tns: TnsFilter;
  private readonly usePns: boolean;
  private prevShape: WindowShape;
  private blocks = 0;
  private readonly inputs: ChannelInput[];
  /** Size of the whole raw_data_block (END and byte alignment included) for given ICS payload bits. */
  private readonly frameBits = (icsBits: number): number => {
    const left = this.channels[0]!.ics;
    const right = this.channels[1]?.ics;
    const headers = right
      ? cpeHeaderBits(left, this.msUsed) + icsFixedBits(left, true) + icsFixedBits(right, true)
      : 7 + icsFixedBits(left, false);
    return align8(icsBits + headers + 3);
  };

  constructor(config: ResolvedConfig, shape: WindowShape = WindowShape.Sine) {
    const tables = bandTablesFor(config.sampleRate);
    this.tables = tables;
    this.tns = new TnsFilter(config.sampleRate);
    this.usePns = config.bitrate / config.numberOfChannels <= PNS_MAX_BITRATE_PER_CHANNEL;
    this.channels = Array.from({ length: config.numberOfChannels }, () => new ChannelState(tables, config.sampleRate));
    this.reservoir = new BitReservoir(config.bitrate, config.sampleRate, config.numberOfChannels);
    this.rateLoop = new RateLoop(config.numberOfChannels);
    const cutoffHz = bandwidthFor(config.bitrate, config.numberOfChannels, config.sampleRate);
    const cutoffBin = (cutoffHz / (config.sampleRate / 2)) * FRAME_LENGTH;
    this.codedLong = countBandsBelow(tables.long, cutoffBin);
    this.codedShort = countBandsBelow(tables.short, cutoffBin / NUM_SHORT_WINDOWS);
    this.shape = shape;
    this.prevShape = shape;
    this.inputs = this.channels.map((ch) => ({
      ics: ch.ics,
      spectrum: ch.spectrum,
      energy: ch.energy,
      threshold: ch.threshold,
      codedBands: this.codedLong,
    }));
  }

  /**
   * Takes the next block of 1024 samples per channel (planar, [−1, 1]) and returns the access unit
   * of the frame it completes, or null for the very first block.
   */
  encodeBlock(planes: readonly Float32Array[]): Uint8Array | null {
    let attack = -1;
    for (let c = 0; c < this.channels.length; c++) {
      const ch = this.channels[c]!;
      const h = ch.history;
      h.copyWithin(0, FRAME_LENGTH);
      const plane = planes[c]!;
      for (let i = 0; i < FRAME_LENGTH; i++) h[2 * FRAME_LENGTH + i] = plane[i]! * PCM_SCALE;
      const a = ch.detector.detect(h.subarray(2 * FRAME_LENGTH));
      if (a >= 0 && (attack < 0 || a < attack)) attack = a;
    }
    const sequence = this.switcher.next(attack);
    if (this.blocks++ === 0) return null;
    return this.encodeFrame(sequence);
  }

  private encodeFrame(sequence: WindowSequence): Uint8Array {
    const short = sequence === WindowSequence.EightShort;
    this.analyse(sequence);
    const stereo = this.channels.length === 2;
    const [left, right] = this.channels;
    if (stereo) {
      applyMidSide(left!.ics, left!.spectrum, right!.spectrum, left!.energy, right!.energy, left!.threshold, right!.threshold, this.msUsed);
    }
    const codedBands = short ? this.codedShort : this.codedLong;
    this.chooseNoiseBands(sequence, codedBands);

    const pe = this.channels.reduce((sum, ch) => sum + ch.psy.pe, 0);
    const budget = this.reservoir.budget(pe, short);
    for (const input of this.inputs) input.codedBands = codedBands;
    this.rateLoop.run(this.inputs, budget, this.frameBits);

    const bw = new BitWriter(Math.ceil(budget / 8) + 64);
    if (stereo) writeCpe(bw, 0, left!.ics, right!.ics, this.msUsed);
    else writeSce(bw, 0, left!.ics);
    const padding = this.reservoir.paddingFor(align8(bw.bitLength + 3));
    if (padding > 0) this.writePadding(bw, padding);
    writeEnd(bw);
    this.reservoir.commit(bw.bitLength);
    this.prevShape = this.shape;
    return bw.toBytes();
  }

  /** Filterbank, window grouping, psychoacoustic model and TNS for every channel. */
  private analyse(sequence: WindowSequence): void {
    const short = sequence === WindowSequence.EightShort;
    for (const ch of this.channels) this.transform(ch, sequence);
    // A channel pair shares its window grouping (common_window), so it is chosen from both.
    const lengths = short ? this.chooseGroups() : [1];
    for (const ch of this.channels) {
      ch.ics.windowShape = this.shape;
      ch.ics.setGrouping(sequence, lengths);
      if (short) this.interleave(ch);
      ch.psy.analyse(ch.spectrum, ch.ics);
      ch.energy.set(ch.psy.energy);
      ch.threshold.set(ch.psy.threshold);
      this.applyTns(ch, short);
    }
  }

  /** PNS decisions, at low bitrates and in steady long frames only. */
  private chooseNoiseBands(sequence: WindowSequence, codedBands: number): void {
    const stereo = this.channels.length === 2;
    for (const ch of this.channels) {
      ch.ics.noise.fill(0);
      if (!this.usePns) continue;
      // Random noise has no temporal structure within a window: substitute only in steady frames.
      const long = sequence === WindowSequence.OnlyLong;
      if (long && ch.detector.envelopeRatio() < TNS_ENVELOPE_RATIO) {
        ch.pns.choose(ch.ics, ch.spectrum, ch.energy, ch.threshold, ch.psy.tonality, stereo ? this.msUsed : null, codedBands);
      }
      ch.pns.update(ch.psy.energy, long);
    }
  }

  /**
   * Adds fill elements that grow the byte-aligned frame by at most `bits` (whole bytes; a fill
   * element takes 15 bits at the least, so a few bits may stay in the reservoir).
   */
  private writePadding(bw: BitWriter, bits: number): void {
    // The END id (3 bits) and byte alignment follow the fill elements.
    const limit = align8(bw.bitLength + 3) + 8 * Math.floor(bits / 8);
    for (;;) {
      const room = limit - (bw.bitLength + 3);
      if (room < fillElementBits(1)) return;
      let bytes = 1;
      while (bytes < MAX_FILL_PAYLOAD && fillElementBits(bytes + 1) <= room) bytes++;
      writeFill(bw, bytes);
    }
  }

  private transform(ch: ChannelState, sequence: WindowSequence): void {
    if (sequence !== WindowSequence.EightShort) {
      applyLongWindow(ch.history, ch.windowed, sequence, this.prevShape, this.shape);
      this.longMdct.forward(ch.windowed, ch.spectrum);
      return;
    }
    for (let w = 0; w < NUM_SHORT_WINDOWS; w++) {
      applyShortWindow(ch.history, ch.windowed, w, this.prevShape, this.shape);
      this.shortMdct.forward(ch.windowed, ch.shortSpectra, w * SHORT_LENGTH);
    }
  }

  /**
   * Temporal noise shaping on the spectrum the psychoacoustic model has seen: per window, and
   * before M/S, as the decoder undoes it per window after M/S (§4.6.9.3).
   */
  private applyTns(ch: ChannelState, short: boolean): void {
    const tns = ch.ics.tns;
    tns.reset(short ? NUM_SHORT_WINDOWS : 1);
    if (ch.detector.envelopeRatio() < TNS_ENVELOPE_RATIO) return;
    if (!short) {
      this.tns.apply(ch.spectrum, 0, this.tables.long, 0, tns);
      return;
    }
    for (let w = 0; w < NUM_SHORT_WINDOWS; w++) this.tns.apply(ch.shortSpectra, w * SHORT_LENGTH, this.tables.short, w, tns);
    if (tns.present) this.interleave(ch);
  }

  /**
   * Groups short windows of similar energy (§4.6.2.3.2, scale_factor_grouping): windows in one
   * group share scalefactors, which saves side information, but a group must not mix the quiet
   * windows before an attack with the loud ones after it, or the attack's quantization noise would
   * spread into the quiet ones as pre-echo.
   */
  private chooseGroups(): number[] {
    const e = this.windowEnergy;
    e.fill(0);
    for (const ch of this.channels) {
      for (let i = 0; i < FRAME_LENGTH; i++) e[i >> 7] = e[i >> 7]! + ch.shortSpectra[i]! * ch.shortSpectra[i]!;
    }
    const lengths = [1];
    let groupEnergy = e[0]!;
    for (let w = 1; w < NUM_SHORT_WINDOWS; w++) {
      const n = lengths[lengths.length - 1]!;
      const mean = groupEnergy / n + 1e-9;
      const ew = e[w]! + 1e-9;
      if (ew > GROUP_SPLIT_RATIO * mean || ew * GROUP_SPLIT_RATIO < mean) {
        lengths.push(1);
        groupEnergy = e[w]!;
      } else {
        lengths[lengths.length - 1] = n + 1;
        groupEnergy += e[w]!;
      }
    }
    return lengths;
  }

  /** Interleaves the eight short spectra by group and band, the order §4.6.3 reads them in. */
  private interleave(ch: ChannelState): void {
    const ics = ch.ics;
    let out = 0;
    let window = 0;
    for (let g = 0; g < ics.numGroups; g++) {
      const len = ics.groupLength[g]!;
      for (let b = 0; b < ics.numSwb; b++) {
        const lo = ics.swb[b]!;
        const hi = ics.swb[b + 1]!;
        for (let w = window; w < window + len; w++) {
          const base = w * SHORT_LENGTH;
          for (let k = lo; k < hi; k++) ch.spectrum[out++] = ch.shortSpectra[base + k]!;
        }
      }
      window += len;
    }
  }
}

function countBandsBelow(swb: Uint16Array, bin: number): number {
  let n = 0;
  while (n < swb.length - 1 && swb[n]! < bin) n++;
  return n;
}

function align8(bits: number): number {
  return (bits + 7) & ~7;
}
