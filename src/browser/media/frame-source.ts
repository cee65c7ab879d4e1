/**
 * Frames from a camera track (DESIGN.md "Data flow (browser)": camera ─► frame source), stamped
 * on the session clock and thinned to the pushed frame rate.
 *
 * Two ways in, best first:
 * - `MediaStreamTrackProcessor` (mediacapture-transform): VideoFrames straight from the capture
 *   pipeline, no copy. Chromium stamps them on its own capture clock (time since boot), so the
 *   stamps are mapped onto the session clock with a {@link ClockMapper}.
 * - `<video>` + `requestVideoFrameCallback` (HTML §4.8.11, rVFC): one VideoFrame drawn from the
 *   element per presented frame; stamped with `captureTime` when the browser gives it, else with
 *   the callback's `now` (both are `performance.now()` times already).
 *
 * Ownership: every frame handed to `onFrame` belongs to the receiver, which must close it; every
 * frame the source does not hand on (thinned, or arriving after stop) it closes itself.
 */
import { ClockMapper, type SessionClock } from './clock.js';

/** Which capture path a {@link FrameSource} uses. */
export type FrameSourceKind = 'track-processor' | 'video-element';

export interface FrameSourceOptions {
  /** A live video track (from getUserMedia). The source does not stop the track. */
  track: MediaStreamTrack;
  clock: SessionClock;
  /** Frames per second to hand on (1–60); extra frames are closed. Default 15 (spec §2). */
  fps?: number;
  /** Receives each frame, timestamp in µs on the session clock. Takes ownership of `frame`. */
  onFrame(frame: VideoFrame): void;
  /** The track ended or reading failed (for status 5001 / −1301). */
  onEnded?(reason: FrameSourceEnded): void;
  /** Force a path (tests); default: track-processor where the browser has it. */
  kind?: FrameSourceKind;
}

/** Why a frame source stopped delivering on its own. */
export interface FrameSourceEnded {
  /** 'track-ended': the device went away or another capture took it; 'error': reading failed. */
  reason: 'track-ended' | 'error';
  error?: Error;
}

/** Counters of a {@link FrameSource}. */
export interface FrameSourceStats {
  /** Frames handed to onFrame. */
  delivered: number;
  /** Frames closed by the rate limiter. */
  thinned: number;
}

/** The part of Chromium's MediaStreamTrackProcessor used here (not in TypeScript's DOM lib). */
interface TrackProcessor {
  readonly readable: ReadableStream<VideoFrame>;
}
type TrackProcessorConstructor = new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => TrackProcessor;

function trackProcessorConstructor(): TrackProcessorConstructor | undefined {
  return (globalThis as { MediaStreamTrackProcessor?: TrackProcessorConstructor }).MediaStreamTrackProcessor;
}

/** The path {@link FrameSource} would take in this browser. */
export function preferredFrameSourceKind(): FrameSourceKind {
  return trackProcessorConstructor() ? 'track-processor' : 'video-element';
}

/**
 * Thins a stream of timestamps to at most `fps`: a frame passes when it is due; the schedule
 * advances by whole intervals so that 20 → 15 fps passes 3 of 4 frames evenly, and a gap (a
 * stall) resets it instead of letting a burst through.
 */
export class RateLimiter {
  private intervalUs: number;
  private nextDueUs = Number.NEGATIVE_INFINITY;

  constructor(fps: number) {
    this.intervalUs = 1e6 / fps;
  }

  setFps(fps: number): void {
    this.intervalUs = 1e6 / fps;
  }

  /** Whether a frame at `us` passes. */
  accept(us: number): boolean {
    // A quarter interval of slack absorbs capture jitter, so a 15 fps camera is not thinned to 7.5
    // when one frame comes 2 ms early.
    const slack = this.intervalUs / 4;
    if (us + slack < this.nextDueUs) return false;
    // On schedule: the next slot is one interval on, keeping the average rate exact. Behind it by
    // more than an interval (a stall, or the first frame): restart the schedule from this frame
    // rather than letting a burst through to catch up.
    this.nextDueUs = us - this.nextDueUs >= this.intervalUs ? us + this.intervalUs : this.nextDueUs + this.intervalUs;
    return true;
  }
}

/** Frames of a camera track on the session clock. Create, then {@link FrameSource.start}. */
export class FrameSource {
  readonly kind: FrameSourceKind;
  readonly stats: FrameSourceStats = { delivered: 0, thinned: 0 };
  private readonly options: FrameSourceOptions;
  private readonly limiter: RateLimiter;
  private readonly mapper = new ClockMapper();
  private running = false;
  private stopped: Promise<void> | null = null;
  private reader: ReadableStreamDefaultReader<VideoFrame> | null = null;
  private video: HTMLVideoElement | null = null;
  private rvfcHandle = 0;
  private endPoll: ReturnType<typeof setInterval> | undefined;
  private readonly onTrackEnded = () => this.end({ reason: 'track-ended' });

  constructor(options: FrameSourceOptions) {
    if (options.track?.kind !== 'video') throw new TypeError('FrameSource: options.track must be a video MediaStreamTrack');
    const fps = options.fps ?? 15;
    if (!(fps >= 1 && fps <= 60)) throw new RangeError(`FrameSource: options.fps must be within 1–60, got ${fps}`);
    this.options = options;
    this.limiter = new RateLimiter(fps);
    this.kind = options.kind ?? preferredFrameSourceKind();
    if (this.kind === 'track-processor' && !trackProcessorConstructor()) {
      throw new TypeError('FrameSource: MediaStreamTrackProcessor is not available in this browser');
    }
  }

  /** Changes the frame rate handed on (the `fps` attribute). */
  setFps(fps: number): void {
    if (!(fps >= 1 && fps <= 60)) throw new RangeError(`FrameSource.setFps: fps must be within 1–60, got ${fps}`);
    this.limiter.setFps(fps);
  }

  /** Starts delivering frames. */
  start(): void {
    if (this.running || this.stopped) throw new Error('FrameSource.start: already started');
    this.running = true;
    this.options.track.addEventListener('ended', this.onTrackEnded);
    if (this.kind === 'track-processor') void this.readLoop();
    else this.startVideoElement();
  }

  /** Stops delivering; resolves when no more frames can arrive. Idempotent. */
  stop(): Promise<void> {
    if (this.stopped) return this.stopped;
    this.running = false;
    this.options.track.removeEventListener('ended', this.onTrackEnded);
    const reader = this.reader;
    this.stopped = (async () => {
      if (reader) {
        // cancel() settles pending reads and makes the processor close what it still buffers.
        await reader.cancel().catch(() => undefined);
        reader.releaseLock();
      }
      clearInterval(this.endPoll);
      if (this.video) {
        this.video.cancelVideoFrameCallback(this.rvfcHandle);
        this.video.pause();
        this.video.srcObject = null;
        this.video = null;
      }
    })();
    return this.stopped;
  }

  private end(ended: FrameSourceEnded): void {
    if (!this.running) return;
    void this.stop();
    this.options.onEnded?.(ended);
  }

  private async readLoop(): Promise<void> {
    const Processor = trackProcessorConstructor()!;
    // maxBufferSize 1: when we fall behind, the processor drops old frames (and closes them) rather
    // than queueing latency (mediacapture-transform §4.2).
    const processor = new Processor({ track: this.options.track, maxBufferSize: 1 });
    const reader = processor.readable.getReader();
    this.reader = reader;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!this.running) {
          value.close();
          continue;
        }
        this.handle(value, this.mapper.map(value.timestamp, this.options.clock.nowUs()));
      }
      if (this.running) this.end({ reason: 'track-ended' });
    } catch (e) {
      this.end({ reason: 'error', error: e instanceof Error ? e : new Error(String(e)) });
    }
  }

  private startVideoElement(): void {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([this.options.track]);
    this.video = video;
    const onVideoFrame = (now: DOMHighResTimeStamp, metadata: VideoFrameCallbackMetadata) => {
      if (!this.running || this.video !== video) return;
      this.rvfcHandle = video.requestVideoFrameCallback(onVideoFrame);
      // captureTime is a performance.now() time where the browser knows it (rVFC spec §2).
      const us = this.mapper.map((metadata.captureTime ?? now) * 1000, this.options.clock.nowUs());
      if (!this.limiter.accept(us)) {
        this.stats.thinned++;
        return;
      }
      let frame: VideoFrame;
      try {
        frame = new VideoFrame(video, { timestamp: Math.round(us) });
      } catch (e) {
        this.end({ reason: 'error', error: e instanceof Error ? e : new Error(String(e)) });
        return;
      }
      this.stats.delivered++;
      this.options.onFrame(frame);
    };
    this.rvfcHandle = video.requestVideoFrameCallback(onVideoFrame);
    // track.stop() fires no 'ended' event, and a <video> whose track stopped just stops calling
    // back; a slow poll of readyState notices.
    this.endPoll = setInterval(() => {
      if (this.options.track.readyState === 'ended') this.end({ reason: 'track-ended' });
    }, 250);
    video.play().catch((e: unknown) => this.end({ reason: 'error', error: e instanceof Error ? e : new Error(String(e)) }));
  }

  /** Thins, restamps onto the session clock and hands on a processor frame. */
  private handle(frame: VideoFrame, us: number): void {
    if (!this.limiter.accept(us)) {
      this.stats.thinned++;
      frame.close();
      return;
    }
    // Re-wrapping shares the picture (no copy); only the timestamp changes.
    let stamped: VideoFrame;
    try {
      stamped = new VideoFrame(frame, { timestamp: Math.round(us) });
    } finally {
      frame.close();
    }
    this.stats.delivered++;
    this.options.onFrame(stamped);
  }
}
