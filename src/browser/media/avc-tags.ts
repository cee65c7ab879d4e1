/**
 * FLV video tag bodies from WebCodecs output, in one allocation per frame: the 5-byte AVC
 * VideoTagHeader (FLV spec v10.1 §E.4.3.1), then the access unit as the encoder wrote it (AVCC,
 * `avc: { format: 'avc' }`), with SEI NAL units spliced in where H.264 allows them.
 *
 * Where SEI goes (H.264 §7.4.1.2.3, order of NAL units in an access unit): after an access unit
 * delimiter and any SPS/PPS, before the first VCL NAL unit (slice, types 1–5). So the SEI is placed
 * just before the first slice, not blindly at the front.
 */
import { AvcPacketType, VideoCodecId, VideoFrameType, AVC_VIDEO_TAG_HEADER_SIZE } from '../../media/flv/video.js';
import { FormatError } from '../../media/errors.js';

/** The part of an EncodedVideoChunk used here (so Node tests can pass a plain object). */
export interface EncodedChunkLike {
  readonly byteLength: number;
  copyTo(destination: Uint8Array): void;
}

/**
 * Builds a NALU video tag body (AVCPacketType 1, CompositionTime 0: realtime encoding has no
 * B-frames, so PTS = DTS) from `chunk`, inserting `seiNals` (complete NAL units without length
 * prefix) before the first slice, each with a `lengthSize`-byte length.
 */
export function buildNaluTagBody(chunk: EncodedChunkLike, keyframe: boolean, seiNals: readonly Uint8Array[], lengthSize: 1 | 2 | 4): Uint8Array {
  let seiBytes = 0;
  for (const nal of seiNals) seiBytes += lengthSize + nal.length;
  const body = new Uint8Array(AVC_VIDEO_TAG_HEADER_SIZE + seiBytes + chunk.byteLength);
  body[0] = ((keyframe ? VideoFrameType.Key : VideoFrameType.Inter) << 4) | VideoCodecId.Avc; // FrameType, CodecID
  body[1] = AvcPacketType.Nalu; // AVCPacketType
  body[2] = body[3] = body[4] = 0; // CompositionTime (SI24) = 0
  const auStart = AVC_VIDEO_TAG_HEADER_SIZE + seiBytes;
  chunk.copyTo(body.subarray(auStart));
  if (seiBytes === 0) return body;

  // Leading non-VCL NAL units (AUD, SPS, PPS, …) move to the front; SEI goes after them.
  const leading = leadingNonVclLength(body, auStart, lengthSize);
  body.copyWithin(AVC_VIDEO_TAG_HEADER_SIZE, auStart, auStart + leading);
  let at = AVC_VIDEO_TAG_HEADER_SIZE + leading;
  for (const nal of seiNals) {
    writeLength(body, at, nal.length, lengthSize); // NALUnitLength
    body.set(nal, at + lengthSize); // SEI NAL unit
    at += lengthSize + nal.length;
  }
  return body;
}

/** Bytes of the length-prefixed NAL units before the first slice (types 1–5) of an AVCC sample. */
function leadingNonVclLength(sample: Uint8Array, start: number, lengthSize: 1 | 2 | 4): number {
  let at = start;
  while (at + lengthSize < sample.length) {
    let length = 0;
    for (let k = 0; k < lengthSize; k++) length = length * 256 + sample[at + k]!;
    if (at + lengthSize + length > sample.length) throw new FormatError(`encoder output: NAL length ${length} at ${at - start} runs past the chunk end`);
    const type = sample[at + lengthSize]! & 0x1f;
    if (type >= 1 && type <= 5) break;
    at += lengthSize + length;
  }
  return at - start;
}

function writeLength(out: Uint8Array, at: number, length: number, lengthSize: 1 | 2 | 4): void {
  if (length >= 2 ** (8 * lengthSize)) throw new RangeError(`SEI NAL unit of ${length} bytes does not fit a ${lengthSize}-byte length`);
  for (let k = lengthSize - 1; k >= 0; k--) {
    out[at + k] = length & 0xff;
    length = Math.floor(length / 256);
  }
}
