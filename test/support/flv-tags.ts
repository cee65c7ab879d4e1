/**
 * Minimal FLV file reader for tests: lists the tags of a file as they are
 * stored, so tests can look at what ffprobe hides (script data such as
 * onMetaData, sequence headers, raw timestamps).
 */
import fs from 'node:fs';
import { createHash } from 'node:crypto';

/** One FLV tag. */
export interface FlvTag {
  /** 8 audio, 9 video, 18 script data. */
  type: number;
  /** Tag timestamp in ms (24 bits + extended 8 bits). */
  timestamp: number;
  /** Tag body (without the 11-byte tag header). */
  data: Buffer;
  /** MD5 hex of `data`. */
  md5: string;
}

/** Parsed FLV file: header flags and tags. */
export interface FlvFile {
  hasAudio: boolean;
  hasVideo: boolean;
  tags: FlvTag[];
}

/**
 * Reads an FLV file and returns its header flags and all tags. Throws on a
 * bad signature; a truncated last tag is dropped.
 */
export function readFlv(file: string): FlvFile {
  const buf = fs.readFileSync(file);
  if (buf.length < 9 || buf.toString('latin1', 0, 3) !== 'FLV') throw new Error(`${file} is not an FLV file`);
  const flags = buf[4] ?? 0;
  const tags: FlvTag[] = [];
  let off = buf.readUInt32BE(5) + 4; // header + PreviousTagSize0
  while (off + 11 <= buf.length) {
    const type = (buf[off] ?? 0) & 0x1f;
    const size = buf.readUIntBE(off + 1, 3);
    const timestamp = (buf.readUIntBE(off + 4, 3) | ((buf[off + 7] ?? 0) << 24)) >>> 0;
    if (off + 11 + size > buf.length) break;
    const data = buf.subarray(off + 11, off + 11 + size);
    tags.push({ type, timestamp, data, md5: createHash('md5').update(data).digest('hex') });
    off += 11 + size + 4;
  }
  return { hasAudio: (flags & 4) !== 0, hasVideo: (flags & 1) !== 0, tags };
}

/**
 * Name of a script-data tag (the first AMF0 string, e.g. "onMetaData"), or
 * undefined when the tag is not script data.
 */
export function scriptName(tag: FlvTag): string | undefined {
  if (tag.type !== 18 || tag.data[0] !== 0x02) return undefined;
  const len = tag.data.readUInt16BE(1);
  return tag.data.toString('utf8', 3, 3 + len);
}
