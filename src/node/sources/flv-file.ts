/**
 * FLV files as a tag source: streamed from disk in chunks through the incremental
 * {@link FlvReader}, so memory stays at one chunk plus one tag whatever the file size.
 */
import { open } from 'node:fs/promises';
import { FormatError } from '../../media/errors.js';
import { FlvReader, type FlvReaderOptions } from '../../media/flv/reader.js';
import { parseOnMetaData } from '../../media/flv/metadata.js';
import { FlvTagType, type FlvTag } from '../../media/flv/tag.js';
import type { MediaFileSource } from './open-media-file.js';

/** Options of {@link readFlvFile}. */
export interface FlvFileOptions extends FlvReaderOptions {
  /** Bytes read from disk at a time (default 1 MiB: fewer reads cost measurably less CPU in bench/rtmp). */
  chunkSize?: number;
}

/**
 * Yields the tags of an FLV file in file order. The file is closed when iteration ends, also
 * early (`break`). Malformed content throws {@link FormatError} naming the file.
 */
export async function* readFlvFile(path: string, options: FlvFileOptions = {}): AsyncGenerator<FlvTag, void, undefined> {
  for await (const group of readFlvFileGroups(path, { ...options, copy: true })) yield* group;
}

/**
 * {@link readFlvFile}'s tags as they come: the tags each read from disk completed. With
 * `copy: false` (the default here) their data are views into this generator's buffers, valid
 * until the next group is asked for: the same memory serves every read, so a push touches no new
 * memory per tag.
 */
export async function* readFlvFileGroups(path: string, options: FlvFileOptions = {}): AsyncGenerator<FlvTag[], void, undefined> {
  const chunkSize = options.chunkSize ?? 1024 * 1024;
  const reader = new FlvReader({ ...options, copy: options.copy ?? false });
  const file = await open(path, 'r');
  try {
    // One buffer for every read: the reader copies what it keeps, or the consumer is done with
    // a group's views before the next read.
    const chunk = new Uint8Array(chunkSize);
    let offset = 0;
    for (;;) {
      const { bytesRead } = await file.read(chunk, 0, chunkSize, null);
      if (bytesRead === 0) break;
      let tags: FlvTag[];
      try {
        tags = reader.push(chunk.subarray(0, bytesRead));
      } catch (e) {
        throw withFile(e, path, offset);
      }
      offset += bytesRead;
      if (tags.length > 0) yield tags;
    }
    try {
      reader.end();
    } catch (e) {
      throw withFile(e, path, offset);
    }
  } finally {
    await file.close();
  }
}

/**
 * Opens an FLV file as a {@link MediaFileSource}. The duration comes from the onMetaData tag
 * when the file starts with one (FFmpeg and most muxers write it first).
 */
export async function openFlvFile(path: string, options: FlvFileOptions = {}): Promise<MediaFileSource> {
  let durationMs: number | undefined;
  for await (const tag of readFlvFile(path, { ...options, chunkSize: 4096 })) {
    if (tag.type === FlvTagType.Script) {
      try {
        const duration = parseOnMetaData(tag.data).duration;
        if (typeof duration === 'number' && Number.isFinite(duration) && duration > 0) durationMs = Math.round(duration * 1000);
      } catch (e) {
        if (!(e instanceof FormatError)) throw e; // another script tag or odd metadata: no duration
      }
    }
    break;
  }
  return {
    kind: 'flv',
    durationMs,
    tags: () => readFlvFile(path, options),
    tagGroups: () => readFlvFileGroups(path, options),
  };
}

function withFile(e: unknown, path: string, offset: number): unknown {
  if (!(e instanceof FormatError)) return e;
  const wrapped = new (e.constructor as typeof FormatError)(`${path}: ${e.message} (in the chunk at byte ${offset})`, { cause: e });
  return wrapped;
}
