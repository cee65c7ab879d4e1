/**
 * Publishes a media file to an RTMP server the way `ffmpeg -re -i file -c copy -f flv url` does:
 * tags go out at the pace of their timestamps (or as fast as the server takes them), unchanged.
 */
import type { LivePusherError, StatusCode } from '../core/codes.js';
import { NetStatusMeter, type NetStatusInfo } from '../core/netstatus.js';
import { parseOnMetaData } from '../media/flv/metadata.js';
import { FlvTagType, type FlvTag } from '../media/flv/tag.js';
import { VideoFrameType, parseVideoTagInfo } from '../media/flv/video.js';
import { RtmpPublisher } from '../rtmp/publisher.js';
import { TcpTransport, type TcpTransportOptions } from '../transport/tcp.js';
import { openMediaFile } from './sources/open-media-file.js';

export interface PushFileOptions {
  input: string;
  url: string;
  /** Pace tags by their timestamps (default true); false sends as fast as the server reads. */
  realtime?: boolean;
  /** Start over at the end, with timestamps that keep increasing, until `signal` aborts. */
  loop?: boolean;
  /** Added to every timestamp (tests use it to cross the 24-bit timestamp boundary). */
  timestampOffsetMs?: number;
  /** Stops the push cleanly (FCUnpublish, deleteStream) at the next tag. */
  signal?: AbortSignal;
  transport?: TcpTransportOptions;
  onStatus?: (code: StatusCode, message: string) => void;
  /** About once a second while publishing. */
  onNetStatus?: (info: NetStatusInfo) => void;
}

export interface PushFileResult {
  /** Media duration published, ms (last timestamp minus first). */
  durationMs: number;
  tags: number;
  /** True when `signal` stopped the push before the input ended. */
  aborted: boolean;
}

const NETSTATUS_INTERVAL_MS = 1000;

/**
 * Resolves when the whole input was published and the server confirmed it. Rejects with a
 * LivePusherError for connection failures and a FormatError for a damaged input file.
 */
export async function pushFile(options: PushFileOptions): Promise<PushFileResult> {
  const source = await openMediaFile(options.input);
  const realtime = options.realtime ?? true;
  let closeError: LivePusherError | undefined;
  const publisher = new RtmpPublisher({
    url: options.url,
    transport: new TcpTransport(options.transport),
    onStatus: options.onStatus,
    onClose: (e) => {
      closeError = e;
    },
  });
  const meter = new NetStatusMeter();
  const size = { width: 0, height: 0 };
  let ticker: ReturnType<typeof setInterval> | undefined;
  const result: PushFileResult = { durationMs: 0, tags: 0, aborted: false };
  try {
    await publisher.start();
    const sample = (): NetStatusInfo => {
      const cache = publisher.cachedFrames;
      const state = { bytesSent: publisher.bytesSent, videoCache: cache.video, audioCache: cache.audio };
      return meter.sample(performance.now(), { ...state, videoWidth: size.width, videoHeight: size.height });
    };
    sample(); // opens the first interval
    ticker = setInterval(() => options.onNetStatus?.(sample()), NETSTATUS_INTERVAL_MS);

    const stopped = () => options.signal?.aborted === true || closeError !== undefined;
    const run: Run = {
      publisher,
      meter,
      size,
      realtime,
      startedAt: performance.now(),
      stopped,
      pass: 0,
      offset: options.timestampOffsetMs ?? 0,
      first: undefined,
      fileFirst: undefined,
      last: 0,
      frameGap: 40,
      lastVideo: undefined,
      tags: 0,
      full: false,
      dueAt: 0,
    };
    for (; (run.pass === 0 || options.loop) && !stopped(); run.pass++) {
      run.lastVideo = undefined;
      // Groups, not single tags: an await per tag cost more CPU than sending it. Their data may
      // be views the source reuses for the next group; sendTag copies them into its chunks.
      reading: for await (const group of source.tagGroups()) {
        for (let i = 0; ; ) {
          if (stopped()) break reading;
          i = sendTags(group, i, run);
          if (run.full) {
            run.full = false;
            await publisher.waitForDrain();
          } else if (i < group.length) {
            await sleepUntil(run.dueAt, options.signal);
          } else {
            break;
          }
        }
      }
      // The next pass starts one frame after this one ended, so timestamps keep increasing.
      run.offset = run.last + run.frameGap - (run.fileFirst ?? 0);
    }
    result.tags = run.tags;
    result.durationMs = run.first === undefined ? 0 : run.last - run.first;
    result.aborted = options.signal?.aborted ?? false;
    if (closeError) throw closeError;
    await publisher.stop();
    return result;
  } catch (e) {
    publisher.destroy();
    throw e; // LivePusherError from the connection, FormatError from a damaged input file
  } finally {
    if (ticker) clearInterval(ticker);
  }
}

/** A push in progress: what {@link sendTags} reads and keeps between calls. */
interface Run {
  readonly publisher: RtmpPublisher;
  readonly meter: NetStatusMeter;
  readonly size: { width: number; height: number };
  readonly realtime: boolean;
  readonly startedAt: number;
  readonly stopped: () => boolean;
  /** Passes over the file so far (`--loop`), and what this pass adds to every timestamp. */
  pass: number;
  offset: number;
  /** First timestamp sent, and first read from the file. */
  first: number | undefined;
  fileFirst: number | undefined;
  /** Last media timestamp sent, the video frame interval, and the last video timestamp. */
  last: number;
  frameGap: number;
  lastVideo: number | undefined;
  tags: number;
  /** Set when the last tag sent filled the transport: wait for drain before the next. */
  full: boolean;
  /** In real time, when the tag `sendTags` stopped at is due. */
  dueAt: number;
}

/**
 * Sends `group` from index `i` until it ends, the push stops, the transport fills (`run.full`)
 * or, in real time, the next tag is due more than 1 ms from now (`run.dueAt`); returns the index
 * of the first tag not sent. Synchronous, so that the per-tag work is one small function for the
 * JIT rather than a loop inside the async pushFile (whose optimized compile cost a short push
 * more CPU than it saved).
 */
function sendTags(group: readonly FlvTag[], i: number, run: Run): number {
  for (; i < group.length; i++) {
    if (run.stopped()) return i;
    const tag = group[i]!;
    if (tag.type === FlvTagType.Script && run.pass > 0) continue; // metadata once per stream
    run.fileFirst ??= tag.timestamp;
    const timestamp = tag.timestamp + run.offset;
    const base = (run.first ??= timestamp);
    if (run.realtime) {
      const due = run.startedAt + (timestamp - base);
      if (due - performance.now() > 1) {
        run.dueAt = due;
        return i;
      }
    }
    const out: FlvTag = { type: tag.type, timestamp, data: tag.data };
    observe(out, run.meter, run.size);
    const below = run.publisher.sendTag(out);
    run.tags++;
    if (tag.type === FlvTagType.Video) {
      if (run.lastVideo !== undefined && timestamp > run.lastVideo) run.frameGap = timestamp - run.lastVideo;
      run.lastVideo = timestamp;
    }
    if (tag.type !== FlvTagType.Script) run.last = Math.max(run.last, timestamp);
    if (!below) {
      run.full = true;
      return i + 1;
    }
  }
  return i;
}

/** Feeds the meter and picks the picture size from the stream's metadata. */
function observe(tag: FlvTag, meter: NetStatusMeter, size: { width: number; height: number }): void {
  switch (tag.type) {
    case FlvTagType.Video:
      meter.recordVideo(tag.data.length, parseVideoTagInfo(tag.data).frameType === VideoFrameType.Key, tag.timestamp);
      break;
    case FlvTagType.Audio:
      meter.recordAudio(tag.data.length);
      break;
    case FlvTagType.Script: {
      const meta = parseOnMetaData(tag.data);
      if (typeof meta.width === 'number') size.width = meta.width;
      if (typeof meta.height === 'number') size.height = meta.height;
      break;
    }
  }
}

function sleepUntil(at: number, signal: AbortSignal | undefined): Promise<void> {
  const ms = at - performance.now();
  if (ms <= 1 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
