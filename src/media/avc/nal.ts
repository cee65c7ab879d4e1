/**
 * H.264 NAL units (ITU-T H.264 §7.3.1, Annex B) and the two ways they are framed:
 * Annex B byte streams (start codes 00 00 01 / 00 00 00 01, as encoders and `.h264` files emit)
 * and length-prefixed "AVCC" samples (ISO/IEC 14496-15 §5.3.3, as MP4, FLV and RTMP carry).
 */
import { FormatError } from '../errors.js';

/** nal_unit_type values (H.264 Table 7-1) this package deals with. */
export const NalUnitType = {
  NonIdrSlice: 1,
  SlicePartitionA: 2,
  SlicePartitionB: 3,
  SlicePartitionC: 4,
  IdrSlice: 5,
  Sei: 6,
  Sps: 7,
  Pps: 8,
  AccessUnitDelimiter: 9,
  EndOfSequence: 10,
  EndOfStream: 11,
  FillerData: 12,
  SpsExtension: 13,
  PrefixNal: 14,
  SubsetSps: 15,
  AuxiliarySlice: 19,
  SliceExtension: 20,
} as const;
export type NalUnitType = (typeof NalUnitType)[keyof typeof NalUnitType];

const NAMES: Record<number, string> = {
  1: 'non-IDR slice',
  2: 'slice data partition A',
  3: 'slice data partition B',
  4: 'slice data partition C',
  5: 'IDR slice',
  6: 'SEI',
  7: 'SPS',
  8: 'PPS',
  9: 'access unit delimiter',
  10: 'end of sequence',
  11: 'end of stream',
  12: 'filler data',
  13: 'SPS extension',
  14: 'prefix NAL unit',
  15: 'subset SPS',
  16: 'depth parameter set',
  19: 'auxiliary slice',
  20: 'slice extension',
  21: '3D-AVC slice extension',
};

/** nal_unit_type of a NAL unit (the low 5 bits of its first byte). */
export function nalUnitType(nal: Uint8Array): number {
  if (nal.length === 0) throw new FormatError('empty NAL unit');
  return nal[0]! & 0x1f;
}

/** A readable name for a nal_unit_type, for logs and errors: 'IDR slice', 'SPS', 'reserved (17)'. */
export function nalTypeName(type: number): string {
  if (type === 0 || (type >= 24 && type <= 31)) return `unspecified (${type})`;
  return NAMES[type] ?? `reserved (${type})`;
}

/**
 * Splits an Annex B byte stream at its start codes; returns views of the NAL units (without
 * start codes; trailing_zero_8bits dropped). Bytes before the first start code are ignored, as
 * Annex B §B.2 allows leading zero bytes.
 */
export function splitAnnexB(stream: Uint8Array): Uint8Array[] {
  const nals: Uint8Array[] = [];
  let nalStart = -1;
  let i = 0;
  const n = stream.length;
  while (i + 2 < n) {
    // A start code prefix is 00 00 01; emulation prevention guarantees it never occurs inside a NAL.
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      if (nalStart >= 0) nals.push(trimTrailingZeros(stream, nalStart, i));
      i += 3;
      nalStart = i;
    } else {
      i++;
    }
  }
  if (nalStart >= 0) nals.push(trimTrailingZeros(stream, nalStart, n));
  return nals.filter((nal) => nal.length > 0);
}

function trimTrailingZeros(stream: Uint8Array, start: number, end: number): Uint8Array {
  // Zeros before a start code are either the 4-byte start code's first byte or
  // trailing_zero_8bits; a NAL unit never ends in 0x00 (it ends with rbsp_stop_one_bit or cabac_zero_words 0x0000 03).
  while (end > start && stream[end - 1] === 0) end--;
  return stream.subarray(start, end);
}

/** Joins NAL units into length-prefixed AVCC form (`lengthSize` 1, 2 or 4 bytes per length). */
export function nalUnitsToAvcc(nals: readonly Uint8Array[], lengthSize: 1 | 2 | 4 = 4): Uint8Array {
  let total = 0;
  for (const nal of nals) {
    if (nal.length >= 2 ** (8 * lengthSize)) throw new RangeError(`NAL unit of ${nal.length} bytes does not fit a ${lengthSize}-byte length`);
    total += lengthSize + nal.length;
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const nal of nals) {
    if (lengthSize === 4) view.setUint32(at, nal.length, false); // NALUnitLength
    else if (lengthSize === 2) view.setUint16(at, nal.length, false); // NALUnitLength
    else view.setUint8(at, nal.length); // NALUnitLength
    out.set(nal, at + lengthSize);
    at += lengthSize + nal.length;
  }
  return out;
}

/**
 * Splits a length-prefixed AVCC sample into views of its NAL units. Throws {@link FormatError}
 * when a length runs past the end.
 */
export function splitAvcc(sample: Uint8Array, lengthSize: 1 | 2 | 3 | 4 = 4): Uint8Array[] {
  const nals: Uint8Array[] = [];
  let at = 0;
  while (at < sample.length) {
    if (at + lengthSize > sample.length) throw new FormatError(`AVCC sample ends inside a ${lengthSize}-byte NAL length at offset ${at}`);
    let length = 0;
    for (let k = 0; k < lengthSize; k++) length = length * 256 + sample[at + k]!;
    at += lengthSize;
    if (at + length > sample.length) throw new FormatError(`AVCC NAL length ${length} at offset ${at - lengthSize} runs past the sample end`);
    nals.push(sample.subarray(at, at + length));
    at += length;
  }
  return nals;
}

/** Annex B byte stream → AVCC sample. */
export function annexBToAvcc(stream: Uint8Array, lengthSize: 1 | 2 | 4 = 4): Uint8Array {
  return nalUnitsToAvcc(splitAnnexB(stream), lengthSize);
}

/** AVCC sample → Annex B byte stream with 4-byte start codes. */
export function avccToAnnexB(sample: Uint8Array, lengthSize: 1 | 2 | 3 | 4 = 4): Uint8Array {
  const nals = splitAvcc(sample, lengthSize);
  const out = new Uint8Array(nals.reduce((sum, nal) => sum + 4 + nal.length, 0));
  let at = 0;
  for (const nal of nals) {
    out.set([0, 0, 0, 1], at); // start code prefix
    out.set(nal, at + 4);
    at += 4 + nal.length;
  }
  return out;
}

/**
 * NAL unit payload (EBSP) → RBSP: drops each emulation_prevention_three_byte, the 0x03 in
 * 00 00 03 (H.264 §7.4.1). Returns `ebsp` itself when there is none.
 */
export function removeEmulationPrevention(ebsp: Uint8Array): Uint8Array {
  let zeros = 0;
  let found = false;
  for (let i = 0; i < ebsp.length; i++) {
    if (zeros >= 2 && ebsp[i] === 3) {
      found = true;
      break;
    }
    zeros = ebsp[i] === 0 ? zeros + 1 : 0;
  }
  if (!found) return ebsp;
  const out = new Uint8Array(ebsp.length);
  let n = 0;
  zeros = 0;
  for (let i = 0; i < ebsp.length; i++) {
    const b = ebsp[i]!;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out[n++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.slice(0, n);
}

/**
 * RBSP → NAL unit payload (EBSP): inserts 0x03 after every 00 00 that precedes a byte ≤ 0x03,
 * so no start code can appear inside the NAL unit (H.264 §7.4.1). A trailing 00 00 (possible
 * only with cabac_zero_words) also gets one.
 */
export function insertEmulationPrevention(rbsp: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3); // emulation_prevention_three_byte
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  if (zeros >= 2) out.push(3); // emulation_prevention_three_byte
  return Uint8Array.from(out);
}
