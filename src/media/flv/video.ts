/**
 * AVC video tag bodies (FLV spec v10.1 §E.4.3.1 VIDEODATA / VideoTagHeader): what an RTMP video
 * message or an FLV video tag carries for H.264.
 */
import { ByteReader } from '../bytes/byte-reader.js';
import { ByteWriter } from '../bytes/byte-writer.js';
import { FormatError, TruncatedError } from '../errors.js';

/** FrameType (UB[4]) of the VideoTagHeader. */
export const VideoFrameType = {
  /** Key frame (for AVC, a seekable frame). */
  Key: 1,
  /** Inter frame (for AVC, a non-seekable frame). */
  Inter: 2,
  /** Disposable inter frame (H.263 only). */
  DisposableInter: 3,
  /** Generated key frame (reserved for server use only). */
  GeneratedKey: 4,
  /** Video info/command frame. */
  Command: 5,
} as const;
export type VideoFrameType = (typeof VideoFrameType)[keyof typeof VideoFrameType];

/** CodecID (UB[4]) of the VideoTagHeader; only AVC bodies are built and parsed here. */
export const VideoCodecId = {
  SorensonH263: 2,
  ScreenVideo: 3,
  Vp6: 4,
  Vp6Alpha: 5,
  ScreenVideo2: 6,
  Avc: 7,
} as const;
export type VideoCodecId = (typeof VideoCodecId)[keyof typeof VideoCodecId];

/** AVCPacketType (UI8), present when CodecID = 7. */
export const AvcPacketType = {
  /** Body is an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.2.4.1). */
  SequenceHeader: 0,
  /** Body is one or more length-prefixed NAL units: one access unit. */
  Nalu: 1,
  /** AVC end of sequence; the body is empty. */
  EndOfSequence: 2,
} as const;
export type AvcPacketType = (typeof AvcPacketType)[keyof typeof AvcPacketType];

/** A parsed or to-be-built AVC video tag body, by AVCPacketType. */
export type AvcVideoTag =
  | {
      kind: 'sequence-header';
      /** The AVCDecoderConfigurationRecord bytes. */
      config: Uint8Array;
    }
  | {
      kind: 'nalu';
      /** True for a key frame (FrameType 1), false for an inter frame (FrameType 2). */
      keyframe: boolean;
      /** CompositionTime: PTS − DTS in ms, signed (B-frames may need negative values). */
      compositionTime: number;
      /** Length-prefixed (AVCC) NAL units of one access unit. */
      data: Uint8Array;
    }
  | { kind: 'end-of-sequence' };

/*
 * VideoTagHeader for AVC (§E.4.3.1), 5 bytes, then the body:
 *
 *   0                    1                2        3        4
 *  +---------+----------+----------------+--------+--------+--------+
 *  |FrameType| CodecID  | AVCPacketType  | CompositionTime (SI24, ms) |
 *  | UB[4]   | UB[4]=7  |  UI8           |  0 unless AVCPacketType 1  |
 *  +---------+----------+----------------+--------+--------+--------+
 */

/** Length of the AVC VideoTagHeader (FrameType/CodecID, AVCPacketType, CompositionTime). */
export const AVC_VIDEO_TAG_HEADER_SIZE = 5;

/** Builds an AVC video tag body. */
export function buildAvcVideoTag(tag: AvcVideoTag): Uint8Array {
  const w = new ByteWriter(AVC_VIDEO_TAG_HEADER_SIZE + (tag.kind === 'end-of-sequence' ? 0 : tag.kind === 'nalu' ? tag.data.length : tag.config.length));
  switch (tag.kind) {
    case 'sequence-header':
      // The spec marks sequence headers as key frames; servers use it to cache them for late joiners.
      w.writeU8((VideoFrameType.Key << 4) | VideoCodecId.Avc); // FrameType, CodecID
      w.writeU8(AvcPacketType.SequenceHeader); // AVCPacketType
      w.writeS24BE(0); // CompositionTime
      w.writeBytes(tag.config); // AVCDecoderConfigurationRecord
      break;
    case 'nalu':
      w.writeU8(((tag.keyframe ? VideoFrameType.Key : VideoFrameType.Inter) << 4) | VideoCodecId.Avc); // FrameType, CodecID
      w.writeU8(AvcPacketType.Nalu); // AVCPacketType
      w.writeS24BE(tag.compositionTime); // CompositionTime
      w.writeBytes(tag.data); // NALUs (length-prefixed)
      break;
    case 'end-of-sequence':
      w.writeU8((VideoFrameType.Key << 4) | VideoCodecId.Avc); // FrameType, CodecID
      w.writeU8(AvcPacketType.EndOfSequence); // AVCPacketType
      w.writeS24BE(0); // CompositionTime
      break;
    default:
      assertNever(tag);
  }
  return w.toBytes();
}

/** The first byte of any VideoTagHeader, codec-neutral. */
export interface VideoTagInfo {
  frameType: VideoFrameType;
  codecId: number;
}

/** Reads FrameType and CodecID from any video tag body. Throws {@link FormatError} on an undefined FrameType. */
export function parseVideoTagInfo(body: Uint8Array): VideoTagInfo {
  // One byte, read without a ByteReader: pushFile calls this for every video tag.
  if (body.length === 0) throw new TruncatedError('need 1 byte(s) at offset 0, have 0');
  const first = body[0]!;
  const frameType = first >>> 4;
  if (frameType < VideoFrameType.Key || frameType > VideoFrameType.Command) {
    throw new FormatError(`undefined video FrameType ${frameType}`);
  }
  return { frameType: frameType as VideoFrameType, codecId: first & 0x0f };
}

/**
 * Parses an AVC video tag body. `data`/`config` are views into `body`. Throws {@link FormatError}
 * for other codecs, command frames, unknown AVCPacketTypes and truncated headers.
 */
export function parseAvcVideoTag(body: Uint8Array): AvcVideoTag {
  const { frameType, codecId } = parseVideoTagInfo(body);
  if (codecId !== VideoCodecId.Avc) throw new FormatError(`video CodecID ${codecId} is not AVC (7)`);
  if (frameType === VideoFrameType.Command) throw new FormatError('AVC video info/command frames are not supported');
  const r = new ByteReader(body, 1);
  const packetType = r.readU8();
  const compositionTime = r.readS24BE();
  switch (packetType) {
    case AvcPacketType.SequenceHeader:
      if (r.remaining === 0) throw new FormatError('AVC sequence header has no AVCDecoderConfigurationRecord');
      return { kind: 'sequence-header', config: r.readBytes(r.remaining) };
    case AvcPacketType.Nalu:
      return {
        kind: 'nalu',
        keyframe: frameType === VideoFrameType.Key || frameType === VideoFrameType.GeneratedKey,
        compositionTime,
        data: r.readBytes(r.remaining),
      };
    case AvcPacketType.EndOfSequence:
      return { kind: 'end-of-sequence' };
    default:
      throw new FormatError(`unknown AVCPacketType ${packetType}`);
  }
}

function assertNever(value: never): never {
  throw new TypeError(`unexpected AVC video tag ${JSON.stringify(value)}`);
}
