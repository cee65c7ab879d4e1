/**
 * The FLV file header (FLV spec v10.1 §E.2) and the tag header that precedes every tag body
 * (§E.4.1). These are the only fixed-layout structures of the FLV container; tag bodies are
 * described in `video.ts`, `audio.ts` and `metadata.ts`.
 */
import { ByteReader } from '../bytes/byte-reader.js';
import { ByteWriter } from '../bytes/byte-writer.js';
import { FormatError, TruncatedError } from '../errors.js';
import { FlvTagType } from './tag.js';

/** Length of the FLV file header as written by this package (DataOffset). */
export const FLV_HEADER_SIZE = 9;
/** Length of a tag header (§E.4.1): TagType … StreamID. */
export const FLV_TAG_HEADER_SIZE = 11;
/** Length of each PreviousTagSize field (§E.3). */
export const FLV_PREVIOUS_TAG_SIZE_SIZE = 4;

/** What the FLV header declares about the file. */
export interface FlvHeader {
  /** Always 1 for FLV files up to spec v10.1. */
  version: number;
  /** TypeFlagsAudio: audio tags are present. */
  hasAudio: boolean;
  /** TypeFlagsVideo: video tags are present. */
  hasVideo: boolean;
  /** DataOffset: the header's length, 9 for version 1; the body starts here. */
  dataOffset: number;
}

const TYPE_FLAGS_AUDIO = 0x04;
const TYPE_FLAGS_VIDEO = 0x01;

/*
 * FLV header (§E.2), 9 bytes, then PreviousTagSize0 (§E.3):
 *
 *   0        1        2        3        4        5                           8
 *  +--------+--------+--------+--------+--------+--------+--------+--------+--------+
 *  |  'F'   |  'L'   |  'V'   |Version |TypeFlags        DataOffset (UI32, = 9)     |
 *  +--------+--------+--------+--------+--------+--------+--------+--------+--------+
 *  TypeFlags: 00000 A 0 V  (TypeFlagsReserved:5, TypeFlagsAudio:1, TypeFlagsReserved:1, TypeFlagsVideo:1)
 *
 *  9: PreviousTagSize0 (UI32, always 0)
 */

/** The 13 bytes that open an FLV file: the header and PreviousTagSize0. */
export function encodeFlvHeader(flags: { hasAudio: boolean; hasVideo: boolean }): Uint8Array {
  const w = new ByteWriter(FLV_HEADER_SIZE + FLV_PREVIOUS_TAG_SIZE_SIZE);
  w.writeU8(0x46); // Signature 'F'
  w.writeU8(0x4c); // Signature 'L'
  w.writeU8(0x56); // Signature 'V'
  w.writeU8(1); // Version
  w.writeU8((flags.hasAudio ? TYPE_FLAGS_AUDIO : 0) | (flags.hasVideo ? TYPE_FLAGS_VIDEO : 0)); // TypeFlags
  w.writeU32BE(FLV_HEADER_SIZE); // DataOffset
  w.writeU32BE(0); // PreviousTagSize0
  return w.toBytes();
}

/**
 * Parses the 9-byte FLV header at the start of `bytes` (the PreviousTagSize0 that follows is not
 * read). Throws {@link FormatError} on a bad signature, an unknown version or a DataOffset below 9.
 */
export function parseFlvHeader(bytes: Uint8Array): FlvHeader {
  const r = new ByteReader(bytes);
  const f = r.readU8();
  const l = r.readU8();
  const v = r.readU8();
  if (f !== 0x46 || l !== 0x4c || v !== 0x56) {
    throw new FormatError(`not an FLV stream: signature is ${hex([f, l, v])}, expected 464c56 ('FLV')`);
  }
  const version = r.readU8();
  // Version 1 is the only one defined; a different value means a different (unknown) layout.
  if (version !== 1) throw new FormatError(`unsupported FLV version ${version}`);
  const typeFlags = r.readU8();
  const dataOffset = r.readU32BE();
  if (dataOffset < FLV_HEADER_SIZE) throw new FormatError(`FLV DataOffset ${dataOffset} is below ${FLV_HEADER_SIZE}`);
  return {
    version,
    hasAudio: (typeFlags & TYPE_FLAGS_AUDIO) !== 0,
    hasVideo: (typeFlags & TYPE_FLAGS_VIDEO) !== 0,
    dataOffset,
  };
}

/** A parsed tag header (§E.4.1). */
export interface FlvTagHeader {
  type: FlvTagType;
  /** DataSize: length of the tag body. */
  dataSize: number;
  /** Timestamp with TimestampExtended as its upper 8 bits, in ms. */
  timestamp: number;
  /** StreamID, always 0 in files. */
  streamId: number;
}

/*
 * FLV tag header (§E.4.1), 11 bytes, followed by DataSize bytes of body and a PreviousTagSize:
 *
 *   0        1        2        3        4        5        6        7        8        9        10
 *  +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
 *  |RR F TTTTT| DataSize (UI24)        | Timestamp (UI24, low bits)| TsExt  | StreamID (UI24, = 0)    |
 *  +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
 *  RR: Reserved (0), F: Filter (1 = encrypted/pre-processed body), TTTTT: TagType (8, 9, 18)
 *  TsExt: TimestampExtended, bits 31..24 of the 32-bit millisecond timestamp
 */

/** Appends one tag header to `w`. */
export function writeFlvTagHeader(w: ByteWriter, type: FlvTagType, dataSize: number, timestamp: number): void {
  if (!Number.isInteger(timestamp) || timestamp < 0 || timestamp > 0xffffffff) {
    throw new RangeError(`FLV tag timestamp ${timestamp} is not an integer in 0..2^32-1`);
  }
  if (!Number.isInteger(dataSize) || dataSize < 0 || dataSize > 0xffffff) {
    throw new RangeError(`FLV tag body of ${dataSize} bytes does not fit the 24-bit DataSize`);
  }
  w.writeU8(type); // Reserved (2 bits) = 0, Filter (1 bit) = 0, TagType (5 bits)
  w.writeU24BE(dataSize); // DataSize
  w.writeU24BE(timestamp & 0xffffff); // Timestamp (lower 24 bits)
  w.writeU8(Math.floor(timestamp / 0x1000000)); // TimestampExtended (upper 8 bits)
  w.writeU24BE(0); // StreamID
}

/**
 * Parses the 11-byte tag header at `at` in `bytes`. Throws {@link FormatError} on reserved bits,
 * the Filter bit (encrypted bodies are not supported) or an unknown TagType.
 */
export function parseFlvTagHeader(bytes: Uint8Array, at = 0): FlvTagHeader {
  if (bytes.length - at < FLV_TAG_HEADER_SIZE) throw new TruncatedError(`FLV tag header needs ${FLV_TAG_HEADER_SIZE} bytes, ${Math.max(0, bytes.length - at)} left`);
  // Plain byte reads, no ByteReader: the FLV reader parses one of these per tag.
  const first = bytes[at]!;
  if (first & 0xc0) throw new FormatError(`FLV tag header has reserved bits set (0x${first.toString(16)})`);
  if (first & 0x20) throw new FormatError('FLV tag has the Filter bit set: encrypted tags are not supported');
  const type = first & 0x1f;
  if (type !== FlvTagType.Audio && type !== FlvTagType.Video && type !== FlvTagType.Script) {
    throw new FormatError(`unknown FLV TagType ${type}`);
  }
  const dataSize = (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
  const low = (bytes[at + 4]! << 16) | (bytes[at + 5]! << 8) | bytes[at + 6]!;
  const extended = bytes[at + 7]!;
  const streamId = (bytes[at + 8]! << 16) | (bytes[at + 9]! << 8) | bytes[at + 10]!;
  return { type, dataSize, timestamp: extended * 0x1000000 + low, streamId };
}

function hex(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}
