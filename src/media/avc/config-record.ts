/**
 * AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.2.4.1): the SPS/PPS bundle that starts an
 * H.264 stream in MP4 (`avcC`), FLV and RTMP (the AVC sequence header) and WebCodecs
 * (`VideoDecoderConfig.description`).
 */
import { ByteReader } from '../bytes/byte-reader.js';
import { ByteWriter } from '../bytes/byte-writer.js';
import { FormatError } from '../errors.js';
import { nalUnitType, NalUnitType } from './nal.js';
import { parseSps } from './sps.js';

/** A parsed AVCDecoderConfigurationRecord. NAL units are views into the parsed bytes. */
export interface AvcDecoderConfigurationRecord {
  /** AVCProfileIndication: profile_idc of the SPS. */
  profileIndication: number;
  /** profile_compatibility: the SPS byte of constraint flags. */
  profileCompatibility: number;
  /** AVCLevelIndication: level_idc of the SPS. */
  levelIndication: number;
  /** Bytes in each NAL unit length prefix of the samples (1, 2 or 4). */
  lengthSize: 1 | 2 | 4;
  sps: Uint8Array[];
  pps: Uint8Array[];
  /** The high-profile extension (chroma_format, bit depths, SPS extensions), when present. */
  highProfile?: { chromaFormat: number; bitDepthLuma: number; bitDepthChroma: number; spsExt: Uint8Array[] };
}

/** Profiles whose record carries the chroma/bit-depth extension (§5.2.4.1.1). */
const EXTENDED_PROFILES = new Set([100, 110, 122, 144]);

/*
 * AVCDecoderConfigurationRecord (§5.2.4.1.1):
 *
 *  +-----------------------+--------------------+----------------------+--------------------+
 *  | configurationVersion=1| AVCProfileIndication| profile_compatibility| AVCLevelIndication |
 *  +-----------------------+--------------------+----------------------+--------------------+
 *  | 111111 lengthSizeMinusOne(2) | 111 numOfSequenceParameterSets(5) |
 *  | { sequenceParameterSetLength (16) | SPS NAL unit } × numOfSequenceParameterSets
 *  | numOfPictureParameterSets (8) | { pictureParameterSetLength (16) | PPS NAL unit } × n
 *  | if profile in {100,110,122,144}:
 *  |   111111 chroma_format(2) | 11111 bit_depth_luma_minus8(3) | 11111 bit_depth_chroma_minus8(3)
 *  |   numOfSequenceParameterSetExt (8) | { length (16) | SPS extension NAL unit } × n
 */

/**
 * Builds the record from SPS and PPS NAL units (NAL header byte included, no start codes). The
 * profile, compatibility and level bytes come from the first SPS; for high profiles the extension
 * is filled from the parsed SPS.
 */
export function buildAvcDecoderConfigurationRecord(options: {
  sps: readonly Uint8Array[];
  pps: readonly Uint8Array[];
  spsExt?: readonly Uint8Array[];
  lengthSize?: 1 | 2 | 4;
}): Uint8Array {
  const { sps, pps, spsExt = [], lengthSize = 4 } = options;
  const first = sps[0];
  if (!first) throw new TypeError('buildAvcDecoderConfigurationRecord: options.sps must hold at least one SPS');
  if (sps.length > 31) throw new TypeError('buildAvcDecoderConfigurationRecord: options.sps holds more than 31 SPS');
  if (pps.length > 255) throw new TypeError('buildAvcDecoderConfigurationRecord: options.pps holds more than 255 PPS');
  for (const nal of sps) if (nalUnitType(nal) !== NalUnitType.Sps) throw new TypeError('buildAvcDecoderConfigurationRecord: options.sps holds a non-SPS NAL unit');
  for (const nal of pps) if (nalUnitType(nal) !== NalUnitType.Pps) throw new TypeError('buildAvcDecoderConfigurationRecord: options.pps holds a non-PPS NAL unit');
  const info = parseSps(first);

  const w = new ByteWriter(64);
  w.writeU8(1); // configurationVersion
  w.writeU8(info.profileIdc); // AVCProfileIndication
  w.writeU8(info.constraintFlags); // profile_compatibility
  w.writeU8(info.levelIdc); // AVCLevelIndication
  w.writeU8(0xfc | (lengthSize - 1)); // reserved '111111'b, lengthSizeMinusOne
  w.writeU8(0xe0 | sps.length); // reserved '111'b, numOfSequenceParameterSets
  for (const nal of sps) {
    w.writeU16BE(nal.length); // sequenceParameterSetLength
    w.writeBytes(nal); // sequenceParameterSetNALUnit
  }
  w.writeU8(pps.length); // numOfPictureParameterSets
  for (const nal of pps) {
    w.writeU16BE(nal.length); // pictureParameterSetLength
    w.writeBytes(nal); // pictureParameterSetNALUnit
  }
  if (EXTENDED_PROFILES.has(info.profileIdc)) {
    w.writeU8(0xfc | info.chromaFormatIdc); // reserved '111111'b, chroma_format
    w.writeU8(0xf8 | (info.bitDepthLuma - 8)); // reserved '11111'b, bit_depth_luma_minus8
    w.writeU8(0xf8 | (info.bitDepthChroma - 8)); // reserved '11111'b, bit_depth_chroma_minus8
    w.writeU8(spsExt.length); // numOfSequenceParameterSetExt
    for (const nal of spsExt) {
      w.writeU16BE(nal.length); // sequenceParameterSetExtLength
      w.writeBytes(nal); // sequenceParameterSetExtNALUnit
    }
  }
  return w.toBytes();
}

/**
 * Parses a record. The high-profile extension is read when present: many muxers (older FFmpeg,
 * some cameras) leave it out even for High profile, so its absence is not an error.
 * Throws {@link FormatError} on a wrong version, a length size of 3, or truncation.
 */
export function parseAvcDecoderConfigurationRecord(bytes: Uint8Array): AvcDecoderConfigurationRecord {
  const r = new ByteReader(bytes);
  const version = r.readU8(); // configurationVersion
  if (version !== 1) throw new FormatError(`AVCDecoderConfigurationRecord version ${version} is not 1`);
  const profileIndication = r.readU8(); // AVCProfileIndication
  const profileCompatibility = r.readU8(); // profile_compatibility
  const levelIndication = r.readU8(); // AVCLevelIndication
  const lengthSize = (r.readU8() & 0x03) + 1; // lengthSizeMinusOne
  // §5.2.4.1.2: lengthSizeMinusOne "shall be one of 0, 1, or 3" (1-, 2- or 4-byte lengths).
  if (lengthSize === 3) throw new FormatError('AVCDecoderConfigurationRecord lengthSizeMinusOne = 2 is not allowed');
  const sps = readNalList(r, r.readU8() & 0x1f, NalUnitType.Sps, 'SPS');
  const pps = readNalList(r, r.readU8(), NalUnitType.Pps, 'PPS');
  const record: AvcDecoderConfigurationRecord = {
    profileIndication,
    profileCompatibility,
    levelIndication,
    lengthSize: lengthSize as 1 | 2 | 4,
    sps,
    pps,
  };
  if (EXTENDED_PROFILES.has(profileIndication) && r.remaining >= 4) {
    const chromaFormat = r.readU8() & 0x03; // chroma_format
    const bitDepthLuma = (r.readU8() & 0x07) + 8; // bit_depth_luma_minus8
    const bitDepthChroma = (r.readU8() & 0x07) + 8; // bit_depth_chroma_minus8
    const spsExt = readNalList(r, r.readU8(), NalUnitType.SpsExtension, 'SPS extension');
    record.highProfile = { chromaFormat, bitDepthLuma, bitDepthChroma, spsExt };
  }
  return record;
}

function readNalList(r: ByteReader, count: number, type: number, what: string): Uint8Array[] {
  const nals: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const nal = r.readBytes(r.readU16BE());
    if (nal.length === 0 || nalUnitType(nal) !== type) {
      throw new FormatError(`AVCDecoderConfigurationRecord ${what} #${i} is ${nal.length === 0 ? 'empty' : `NAL type ${nalUnitType(nal)}`}`);
    }
    nals.push(nal);
  }
  return nals;
}
