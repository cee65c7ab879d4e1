/**
 * FLV file writer (FLV spec v10.1 §E.3): header, then each tag followed by its PreviousTagSize.
 * Produces bytes only; where they go (a file, a socket, memory) is the caller's business.
 */
import { ByteWriter } from '../bytes/byte-writer.js';
import { encodeFlvHeader, FLV_TAG_HEADER_SIZE, writeFlvTagHeader } from './header.js';
import type { FlvTag } from './tag.js';

/**
 * One tag as it appears in a file body: tag header, body, then PreviousTagSize (= 11 + DataSize,
 * the size of the tag just written, §E.3).
 */
export function encodeFlvTag(tag: FlvTag): Uint8Array {
  const w = new ByteWriter(FLV_TAG_HEADER_SIZE + tag.data.length + 4);
  writeFlvTagHeader(w, tag.type, tag.data.length, tag.timestamp);
  w.writeBytes(tag.data); // Data (AUDIODATA, VIDEODATA or SCRIPTDATA)
  w.writeU32BE(FLV_TAG_HEADER_SIZE + tag.data.length); // PreviousTagSize
  return w.toBytes();
}

/** Options of {@link FlvWriter}: the header's TypeFlags. */
export interface FlvWriterOptions {
  hasAudio: boolean;
  hasVideo: boolean;
}

/**
 * Streams an FLV file: {@link FlvWriter.header} once, then {@link FlvWriter.tag} per tag, each
 * returning the bytes to append. Timestamps of one tag type must not go backwards (decoders and
 * servers reject that); the writer checks it so a muxing bug shows up here rather than as a broken
 * stream. Audio and video may interleave loosely.
 */
export class FlvWriter {
  private readonly options: FlvWriterOptions;
  private headerWritten = false;
  private readonly lastTimestamp = new Map<FlvTag['type'], number>();

  constructor(options: FlvWriterOptions) {
    this.options = options;
  }

  /** The FLV header and PreviousTagSize0. Call once, before any tag. */
  header(): Uint8Array {
    if (this.headerWritten) throw new Error('FlvWriter.header() called twice');
    this.headerWritten = true;
    return encodeFlvHeader(this.options);
  }

  /** One tag with its PreviousTagSize. */
  tag(tag: FlvTag): Uint8Array {
    if (!this.headerWritten) throw new Error('FlvWriter.tag() called before header()');
    const last = this.lastTimestamp.get(tag.type) ?? 0;
    if (tag.timestamp < last) {
      throw new RangeError(`FLV tag (type ${tag.type}) timestamp ${tag.timestamp} goes back from ${last}`);
    }
    this.lastTimestamp.set(tag.type, tag.timestamp);
    return encodeFlvTag(tag);
  }
}

/** A whole FLV file in memory: header and all tags. */
export function writeFlvFile(options: FlvWriterOptions, tags: Iterable<FlvTag>): Uint8Array {
  const writer = new FlvWriter(options);
  const parts: Uint8Array[] = [writer.header()];
  let total = parts[0]!.length;
  for (const tag of tags) {
    const bytes = writer.tag(tag);
    parts.push(bytes);
    total += bytes.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
