import type { BitWriter } from '../bytes/index.js';
import { ElementId, NOISE_HCB, NOISE_OFFSET, NOISE_PCM_OFFSET, ZERO_HCB } from './constants.js';
import { scalefactorBits, writeScalefactorDiff, writeSpectral } from './huffman.js';
import { BAND_STRIDE } from './ics.js';
import type { IcsData } from './ics.js';
import { assert } from '../errors.js';

/**
 * Writers for the syntax of raw_data_block() (ISO/IEC 14496-3 §4.4.2): single_channel_element,
 * channel_pair_element, fill_element and the END id. Pulse data and gain control are not used and
 * are signalled absent.
 * @internal
 */

/** ics_info() (Table 4.6): 11 bits for long frames, 15 for eight short windows. */
function writeIcsInfo(bw: BitWriter, ics: IcsData): void {
  bw.writeBits(0, 1); // ics_reserved_bit
  bw.writeBits(ics.windowSequence, 2); // window_sequence
  bw.writeBits(ics.windowShape, 1); // window_shape
  if (ics.isShort) {
    bw.writeBits(ics.maxSfb, 4); // max_sfb
    bw.writeBits(ics.groupingBits(), 7); // scale_factor_grouping
  } else {
    bw.writeBits(ics.maxSfb, 6); // max_sfb
    bw.writeBits(0, 1); // predictor_data_present
  }
}

function icsInfoBits(ics: IcsData): number {
  return ics.isShort ? 15 : 11;
}

/** section_data() (Table 4.52): runs of equal codebooks, lengths escaped in 5 (long) or 3 bits. */
function writeSectionData(bw: BitWriter, ics: IcsData): void {
  const lenBits = ics.isShort ? 3 : 5;
  const esc = (1 << lenBits) - 1;
  for (let g = 0; g < ics.numGroups; g++) {
    const base = g * BAND_STRIDE;
    let b = 0;
    while (b < ics.maxSfb) {
      const cb = ics.cb[base + b]!;
      let end = b + 1;
      while (end < ics.maxSfb && ics.cb[base + end] === cb) end++;
      bw.writeBits(cb, 4); // sect_cb
      let len = end - b;
      while (len >= esc) {
        bw.writeBits(esc, lenBits); // sect_len_incr = sect_esc_val
        len -= esc;
      }
      bw.writeBits(len, lenBits); // sect_len_incr
      b = end;
    }
  }
}

/**
 * Makes the scalefactors of coded bands a valid DPCM chain starting at global_gain
 * (§4.6.2.3.2): global_gain takes the first band with non-zero values, and coded bands whose
 * values all quantized to zero repeat the previous scalefactor (a 1-bit difference), so that the
 * chain of real scalefactors stays as the rate loop built it. Noise energies are clamped into
 * the range their own chain can code. Returns the bits of scale_factor_data().
 */
export function settleScalefactors(ics: IcsData): number {
  let last = -1;
  for (let g = 0; g < ics.numGroups && last < 0; g++) {
    for (let b = 0; b < ics.maxSfb; b++) {
      const cb = ics.cb[g * BAND_STRIDE + b]!;
      if (cb !== ZERO_HCB && cb !== NOISE_HCB && !bandIsZero(ics, g, b)) {
        last = ics.sf[g * BAND_STRIDE + b]!;
        break;
      }
    }
  }
  let bits = 0;
  let lastNoise = NaN;
  for (let g = 0; g < ics.numGroups; g++) {
    const base = g * BAND_STRIDE;
    for (let b = 0; b < ics.maxSfb; b++) {
      const cb = ics.cb[base + b]!;
      if (cb === ZERO_HCB) continue;
      if (cb === NOISE_HCB) {
        if (Number.isNaN(lastNoise)) {
          // Only noise bands: global_gain is free, so place it where the first energy fits.
          if (last < 0) last = Math.min(255, Math.max(0, ics.sf[base + b]! + NOISE_OFFSET));
          const lo = last - NOISE_OFFSET - NOISE_PCM_OFFSET;
          ics.sf[base + b] = Math.min(lo + 511, Math.max(lo, ics.sf[base + b]!));
          bits += 9;
        } else {
          ics.sf[base + b] = Math.min(lastNoise + 60, Math.max(lastNoise - 60, ics.sf[base + b]!));
          bits += scalefactorBits(ics.sf[base + b]! - lastNoise);
        }
        lastNoise = ics.sf[base + b]!;
        continue;
      }
      if (last < 0) last = ics.sf[base + b]!;
      if (bandIsZero(ics, g, b)) ics.sf[base + b] = last;
      const diff = ics.sf[base + b]! - last;
      assert(diff >= -60 && diff <= 60, `scalefactor step ${diff} at band ${b}`);
      bits += scalefactorBits(diff);
      last = ics.sf[base + b]!;
    }
  }
  ics.globalGain = last < 0 ? 0 : firstScalefactor(ics, last);
  return bits;
}

/** global_gain: the first coded band's scalefactor (or the value chosen for noise-only frames). */
function firstScalefactor(ics: IcsData, fallback: number): number {
  for (let g = 0; g < ics.numGroups; g++) {
    for (let b = 0; b < ics.maxSfb; b++) {
      const cb = ics.cb[g * BAND_STRIDE + b]!;
      if (cb !== ZERO_HCB && cb !== NOISE_HCB) return ics.sf[g * BAND_STRIDE + b]!;
    }
  }
  return fallback;
}

function bandIsZero(ics: IcsData, g: number, b: number): boolean {
  for (let i = ics.bandStart(g, b), end = ics.bandStart(g, b + 1); i < end; i++) {
    if (ics.q[i] !== 0) return false;
  }
  return true;
}

/**
 * scale_factor_data() (Table 4.53) without intensity bands. Noise bands (§4.6.13) carry their
 * energy in a chain of their own, which starts at global_gain − 90 with a 9-bit difference
 * (offset by 256) and continues with scalefactor-codebook differences.
 */
function writeScalefactorData(bw: BitWriter, ics: IcsData): void {
  let last = ics.globalGain;
  let lastNoise = NaN;
  for (let g = 0; g < ics.numGroups; g++) {
    const base = g * BAND_STRIDE;
    for (let b = 0; b < ics.maxSfb; b++) {
      const cb = ics.cb[base + b]!;
      if (cb === ZERO_HCB) continue;
      const value = ics.sf[base + b]!;
      if (cb === NOISE_HCB) {
        if (Number.isNaN(lastNoise)) {
          bw.writeBits(value - (ics.globalGain - NOISE_OFFSET) + NOISE_PCM_OFFSET, 9); // dpcm_noise_nrg
        } else {
          writeScalefactorDiff(bw, value - lastNoise); // hcod_sf[dpcm_noise_nrg]
        }
        lastNoise = value;
        continue;
      }
      assert(cb < NOISE_HCB, `codebook ${cb} is not a spectral book`);
      writeScalefactorDiff(bw, value - last); // hcod_sf[dpcm_sf]
      last = value;
    }
  }
}

function writeSpectralData(bw: BitWriter, ics: IcsData): void {
  for (let g = 0; g < ics.numGroups; g++) {
    const base = g * BAND_STRIDE;
    for (let b = 0; b < ics.maxSfb; b++) {
      const cb = ics.cb[base + b]!;
      if (cb === ZERO_HCB || cb === NOISE_HCB) continue;
      writeSpectral(bw, ics.q, ics.bandStart(g, b), ics.bandStart(g, b + 1), cb);
    }
  }
}

/**
 * individual_channel_stream() (Table 4.50). Call settleScalefactors() first.
 * Fixed part: 8 (global_gain) + 3 flags (pulse, TNS, gain control), plus ics_info when the
 * window is not common.
 */
function writeIcs(bw: BitWriter, ics: IcsData, commonWindow: boolean): void {
  bw.writeBits(ics.globalGain, 8); // global_gain
  if (!commonWindow) writeIcsInfo(bw, ics);
  writeSectionData(bw, ics);
  writeScalefactorData(bw, ics);
  bw.writeBits(0, 1); // pulse_data_present
  bw.writeFlag(ics.tns.present); // tns_data_present
  if (ics.tns.present) ics.tns.write(bw);
  bw.writeBits(0, 1); // gain_control_data_present
  writeSpectralData(bw, ics);
}

/**
 * Bits of individual_channel_stream() outside section, scalefactor and spectral data: global_gain,
 * ics_info when the window is not common, three presence flags and tns_data().
 */
export function icsFixedBits(ics: IcsData, commonWindow: boolean): number {
  return 8 + 3 + (commonWindow ? 0 : icsInfoBits(ics)) + ics.tns.bits();
}

/** single_channel_element() (Table 4.4). */
export function writeSce(bw: BitWriter, tag: number, ics: IcsData): void {
  bw.writeBits(ElementId.Sce, 3); // id_syn_ele
  bw.writeBits(tag, 4); // element_instance_tag
  writeIcs(bw, ics, false);
}

/**
 * channel_pair_element() (Table 4.5) with common_window = 1: one ics_info for both channels and
 * ms_mask_present = 2 (all bands M/S) or 1 (per-band ms_used), or 0 (none).
 */
export function writeCpe(
  bw: BitWriter,
  tag: number,
  left: IcsData,
  right: IcsData,
  msUsed: Uint8Array,
): void {
  bw.writeBits(ElementId.Cpe, 3); // id_syn_ele
  bw.writeBits(tag, 4); // element_instance_tag
  bw.writeBits(1, 1); // common_window
  writeIcsInfo(bw, left);
  const mode = msMaskMode(left, msUsed);
  bw.writeBits(mode, 2); // ms_mask_present
  if (mode === 1) {
    for (let g = 0; g < left.numGroups; g++) {
      for (let b = 0; b < left.maxSfb; b++) bw.writeBits(msUsed[g * BAND_STRIDE + b]!, 1); // ms_used
    }
  }
  writeIcs(bw, left, true);
  writeIcs(bw, right, true);
}

/** ms_mask_present for the given flags: 0 none, 2 all, 1 per band. */
function msMaskMode(ics: IcsData, msUsed: Uint8Array): number {
  let any = false;
  let all = true;
  for (let g = 0; g < ics.numGroups; g++) {
    for (let b = 0; b < ics.maxSfb; b++) {
      if (msUsed[g * BAND_STRIDE + b]) any = true;
      else all = false;
    }
  }
  if (!any) return 0;
  return all ? 2 : 1;
}

/** Bits of a CPE's header: id, tag, common_window, ics_info, ms_mask_present and ms_used. */
export function cpeHeaderBits(left: IcsData, msUsed: Uint8Array): number {
  const mode = msMaskMode(left, msUsed);
  return 3 + 4 + 1 + icsInfoBits(left) + 2 + (mode === 1 ? left.numGroups * left.maxSfb : 0);
}

/** Size in bits of a fill_element() carrying `payloadBytes` bytes (Table 4.11). */
export function fillElementBits(payloadBytes: number): number {
  return 3 + 4 + (payloadBytes >= 15 ? 8 : 0) + 8 * payloadBytes;
}

/** Largest payload one fill_element() can carry: count 15 + esc_count 255 − 1. */
export const MAX_FILL_PAYLOAD = 269;

/**
 * fill_element() with an extension_payload() of type EXT_FILL (§4.5.2.8.2): a zero nibble and then
 * the fill byte 0b10100101, which decoders skip. Used to hold the bitrate when the bit reservoir
 * is full.
 */
export function writeFill(bw: BitWriter, payloadBytes: number): void {
  assert(payloadBytes >= 1 && payloadBytes <= MAX_FILL_PAYLOAD, `fill payload ${payloadBytes}`);
  bw.writeBits(ElementId.Fil, 3); // id_syn_ele
  if (payloadBytes >= 15) {
    bw.writeBits(15, 4); // count
    bw.writeBits(payloadBytes - 14, 8); // esc_count: cnt = 15 + esc_count − 1
  } else {
    bw.writeBits(payloadBytes, 4); // count
  }
  bw.writeBits(0, 4); // extension_type = EXT_FILL
  bw.writeBits(0, 4); // fill_nibble
  for (let i = 1; i < payloadBytes; i++) bw.writeBits(0xa5, 8); // fill_byte
}

/** The END id closing a raw_data_block(), then byte alignment. */
export function writeEnd(bw: BitWriter): void {
  bw.writeBits(ElementId.End, 3); // id_syn_ele
  bw.byteAlign();
}
