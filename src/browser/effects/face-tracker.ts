/**
 * Face landmarks for the picture (spec §1 face-thinness, eye-bigness; §3 face stickers, makeup):
 * feeds camera frames to the landmark worker (`face-worker.js`) at a reduced size, one at a time
 * with a rest between, and gives the video stage the latest landmarks on every frame, smoothed
 * over time so that a warp driven by them does not jitter with the model's pixel-level noise.
 * The stage never waits: a frame that comes while a detection runs or rests is simply not sent.
 */
import { LANDMARK_COUNT, type FaceBackend, type FaceWorkerReply, type FaceWorkerRequest } from './face-protocol.js';
import { ModelWorker } from './model-worker.js';

/**
 * Short side of the pictures sent to the worker (240×427 for a 360×640 frame, 427×240 for a
 * 1280×720 one): the detector works at 224 px on the long side, the landmark net at 112 px on
 * the face's crop, which is this picture's pixels (a 1280×720 frame sent 240 px wide, 240×135,
 * left it a face of about 40 px where the 360×640 test photo's is about 100).
 */
const DETECT_SHORT_SIDE = 240;
/**
 * Smoothing: each detection moves the target this share of the way (averages the model's noise),
 * and each video frame moves the landmarks in use this share of the way to the target (the
 * detections come a few times a second; the picture must glide, not jump, between them).
 */
const TARGET_GAIN = 0.6;
const FOLLOW_GAIN = 0.35;
/** How fast the effects fade in when a face appears and out when it leaves, per video frame. */
const PRESENCE_STEP = 0.15;
/**
 * Rest between detections, so that the worker leaves the video most of the two cores (without a
 * GPU the model runs on the same cores as the picture stage and the video encoder): while a face
 * is tracked, at least this and as long as the last detection took (the worker keeps at most half
 * a core; on tfjs's wasm backend a detection takes 15–30 ms, so the landmarks move about twelve
 * times a second for a fifth of a core). While none is found, the first {@link QUICK_SEARCHES}
 * looks rest half a detection (a face there from the start shows at once), then the detector
 * looks at least {@link SEARCH_REST_MS} and {@link SEARCH_REST_PER_MS} times its last search
 * apart, so that searching keeps at most a ninth of a core: on wasm (a search of about 20 ms)
 * nearly four times a second, so a face that comes in is found within about a quarter of a
 * second; on the JavaScript backend (about 360 ms) every 3 s.
 */
const MIN_REST_MS = 66;
const QUICK_SEARCHES = 4;
const SEARCH_REST_MS = 250;
const SEARCH_REST_PER_MS = 8;

export interface FaceTrackerOptions {
  /** The worker script (`face-worker.js` beside the bundle). */
  workerUrl: string | URL;
  /** The folder of the model files (`face-models/` beside the bundle). */
  modelUrl: string | URL;
  /** Called once when the model cannot be loaded or run; the tracker then stays without a face. */
  onUnavailable(message: string): void;
  /** Called with each detection's time in the worker and whether the face detector ran (benchmarks). */
  onDetection?(ms: number, detector: boolean): void;
  /** Runs the models on this tfjs backend alone rather than the worker's choice (benchmarks compare them). */
  backend?: FaceBackend;
}

/** Landmarks as the stage uses them. */
export interface TrackedFace {
  /** 68 (x, y) pairs, 0–1 across the camera frame's width and height. */
  points: Float32Array;
  /** 0–1: how fully the effects apply (fades in and out as the face comes and goes). */
  presence: number;
}

/** The size a `width`×`height` frame is sent to the worker at ({@link DETECT_SHORT_SIDE}; never enlarged). */
export function detectSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, DETECT_SHORT_SIDE / Math.min(width, height));
  return { width: Math.max(2, Math.round(width * scale)), height: Math.max(2, Math.round(height * scale)) };
}

export class FaceTracker {
  private readonly model: ModelWorker<FaceWorkerRequest, FaceWorkerReply>;
  private readonly options: FaceTrackerOptions;
  private nextId = 0;
  /** Source size of the frame in flight (landmarks come back in its pixels). */
  private pending = { id: -1, width: 1, height: 1 };
  private target: Float32Array | null = null;
  private current: Float32Array | null = null;
  private seen = false;
  /** Detections in a row that found no face. */
  private misses = 0;
  private presence = 0;
  /** The tfjs backend the models run on, once loaded. */
  private loadedOn: FaceBackend | undefined;

  constructor(options: FaceTrackerOptions) {
    this.options = options;
    this.model = new ModelWorker({
      url: options.workerUrl,
      name: 'live-pusher-face',
      what: 'face landmark worker',
      onReply: (reply) => this.onReply(reply),
      onUnavailable: (message) => {
        this.target = this.current = null;
        options.onUnavailable(message);
      },
    });
    this.model.post({ type: 'init', modelUrl: String(options.modelUrl), ...(options.backend ? { backend: options.backend } : {}) });
  }

  /** False once the model failed: no landmarks will come. */
  get available(): boolean {
    return this.model.available;
  }

  /** The tfjs backend the models run on (undefined until they are loaded). */
  get backend(): FaceBackend | undefined {
    return this.loadedOn;
  }

  /** Sends `frame` (a reduced copy; the caller keeps the frame) unless a detection is running. */
  offer(frame: VideoFrame): void {
    if (!this.model.claim()) return;
    const id = ++this.nextId;
    const { width, height } = detectSize(frame.displayWidth, frame.displayHeight);
    this.pending = { id, width, height };
    createImageBitmap(frame, { resizeWidth: width, resizeHeight: height, resizeQuality: 'low' }).then(
      (bitmap) => this.model.post({ type: 'detect', id, bitmap }, [bitmap]),
      (e: unknown) => {
        // A frame that cannot be read (closed by a stop): the next one is tried.
        this.model.release();
        if (!(e instanceof DOMException)) this.model.fail(`face landmarks: ${String(e)}`);
      },
    );
  }

  /** The landmarks for this video frame (advances the smoothing one frame), or null without a face yet. */
  face(): TrackedFace | null {
    if (!this.target || !this.current) return null;
    for (let i = 0; i < this.current.length; i++) this.current[i]! += (this.target[i]! - this.current[i]!) * FOLLOW_GAIN;
    this.presence = Math.min(1, Math.max(0, this.presence + (this.seen ? PRESENCE_STEP : -PRESENCE_STEP)));
    return this.presence > 0 ? { points: this.current, presence: this.presence } : null;
  }

  close(): void {
    this.model.close();
  }

  private onReply(reply: FaceWorkerReply): void {
    switch (reply.type) {
      case 'ready':
        this.loadedOn = reply.backend;
        this.model.ready();
        return;
      case 'failed':
        return this.model.fail(`the face landmark model cannot run: ${reply.message}`);
      case 'landmarks':
        if (reply.id !== this.pending.id) return;
        this.options.onDetection?.(reply.ms, reply.detector);
        this.seen = reply.points !== null && reply.points.length === LANDMARK_COUNT * 2;
        this.misses = this.seen ? 0 : this.misses + 1;
        this.model.answered(this.rest(reply.ms));
        if (this.seen) this.take(reply.points!);
        return;
      default: {
        const never: never = reply;
        return never;
      }
    }
  }

  /** How long to rest after a detection that took `ms` (see {@link MIN_REST_MS}). */
  private rest(ms: number): number {
    if (this.seen) return Math.max(MIN_REST_MS, ms);
    return this.misses <= QUICK_SEARCHES ? Math.max(MIN_REST_MS, ms / 2) : Math.max(SEARCH_REST_MS, ms * SEARCH_REST_PER_MS);
  }

  /** A new detection, in the sent picture's pixels: the smoothing target moves towards it. */
  private take(points: Float32Array): void {
    const { width, height } = this.pending;
    for (let i = 0; i < points.length; i += 2) {
      points[i]! /= width;
      points[i + 1]! /= height;
    }
    if (!this.target || !this.current) {
      this.target = points;
      this.current = new Float32Array(points);
      return;
    }
    for (let i = 0; i < points.length; i++) this.target[i]! += (points[i]! - this.target[i]!) * TARGET_GAIN;
  }

}
