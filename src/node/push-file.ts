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

    const startedAt = performance.now();
    let first: number | undefined;
    let fileFirst: number | undefined;
    let last = 0;
    let frameGap = 40;
    let offset = options.timestampOffsetMs ?? 0;
    const stopped = () => options.signal?.aborted === true || closeError !== undefined;
    for (let pass = 0; (pass === 0 || options.loop) && !stopped(); pass++) {
      let lastVideo: number | undefined;
      // Groups, not single tags: an await per tag cost more CPU than sending it. Their data may
      // be views the source reuses for the next group; sendTag copies them into its chunks.
      reading: for await (const group of source.tagGroups()) {
        for (const tag of group) {
          if (stopped()) break reading;
          if (tag.type === FlvTagType.Script && pass > 0) continue; // metadata once per stream
          fileFirst ??= tag.timestamp;
          const timestamp = tag.timestamp + offset;
          const base = (first ??= timestamp);
          if (realtime) await sleepUntil(startedAt + (timestamp - base), options.signal);
          if (stopped()) break reading;
          const out: FlvTag = { type: tag.type, timestamp, data: tag.data };
          observe(out, meter, size);
          if (!publisher.sendTag(out)) await publisher.waitForDrain();
          result.tags++;
          if (tag.type === FlvTagType.Video) {
            if (lastVideo !== undefined && timestamp > lastVideo) frameGap = timestamp - lastVideo;
            lastVideo = timestamp;
          }
          if (tag.type !== FlvTagType.Script) last = Math.max(last, timestamp);
        }
      }
      // The next pass starts one frame after this one ended, so timestamps keep increasing.
      offset = last + frameGap - (fileFirst ?? 0);
    }
    result.durationMs = first === undefined ? 0 : last - first;
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
