/**
 * Opens a media file for `live-pusher push`: FLV or MP4, chosen by the file's first bytes rather
 * than its name.
 */
import { open } from 'node:fs/promises';
import { FormatError } from '../../media/errors.js';
import type { FlvTag } from '../../media/flv/tag.js';
import { openFlvFile } from './flv-file.js';

/** A file that can be published: its FLV tags in send order, readable more than once. */
export interface MediaFileSource {
  /** The container the tags come from. */
  kind: 'flv' | 'mp4';
  /** Length of the media in ms, when the file says. */
  durationMs?: number | undefined;
  /**
   * The tags, from the start of the file each time it is called: onMetaData first where known,
   * then the sequence headers, then media in timestamp order.
   */
  tags(): AsyncIterable<FlvTag>;
  /**
   * The same tags in the groups the source makes them in (FLV: the tags one read of the file
   * completed; MP4: one at a time), for a consumer that sends many per await: an await per tag
   * was a large part of the CPU of a push that sends as fast as the server reads. A group's tag
   * data may be views into the source's buffers, valid until the next group is asked for:
   * copy what you keep.
   */
  tagGroups(): AsyncIterable<readonly FlvTag[]>;
}

/**
 * Opens `path` as FLV (starts with 'FLV') or MP4 (an ISO BMFF `ftyp` box first). Throws
 * {@link FormatError} for anything else, naming what the file starts with.
 */
export async function openMediaFile(path: string): Promise<MediaFileSource> {
  const head = new Uint8Array(12);
  const file = await open(path, 'r');
  let n: number;
  try {
    ({ bytesRead: n } = await file.read(head, 0, head.length, 0));
  } finally {
    await file.close();
  }
  const magic = detectContainer(head.subarray(0, n));
  switch (magic) {
    case 'flv':
      return openFlvFile(path);
    case 'mp4':
      // Loaded on demand: the MP4 demuxer costs more start-up time than a whole FLV push.
      return (await import('./mp4-file.js')).openMp4File(path);
    case undefined: {
      const shown = Array.from(head.subarray(0, Math.min(n, 8)), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new FormatError(`${path}: not an FLV or MP4 file (${n === 0 ? 'empty' : `starts with ${shown}`}); convert it with ffmpeg -i <in> -c:v libx264 -c:a aac out.mp4`);
    }
    default:
      return assertNever(magic);
  }
}

/** The container a file's first bytes announce: FLV signature (§E.2) or an MP4 `ftyp` box (ISO/IEC 14496-12 §4.3). */
export function detectContainer(head: Uint8Array): 'flv' | 'mp4' | undefined {
  if (head[0] === 0x46 && head[1] === 0x4c && head[2] === 0x56) return 'flv';
  if (head.length >= 8 && String.fromCharCode(...head.subarray(4, 8)) === 'ftyp') return 'mp4';
  return undefined;
}

function assertNever(value: never): never {
  throw new Error(`live-pusher internal error: unexpected container ${String(value)}`);
}
