/**
 * The person mask for background stickers (spec §3 applySticker type `back`): the overlay pass
 * hands it small copies of the picture, one at a time with a rest between, and the segmentation
 * worker (`segmentation-worker.js`) answers with a mask; masks are smoothed over time, so the
 * edge does not flicker with the model's frame-to-frame noise. The stage never waits: a picture
 * offered while the worker is busy or resting is not taken.
 */
import { ModelWorker } from './model-worker.js';
import type { SegmentationReply, SegmentationRequest } from './segmentation-protocol.js';

/**
 * Each new mask moves the one in use this share of the way: the model's edge wobbles by a few
 * pixels from one picture to the next, and a mask comes a few times a second.
 */
const MASK_GAIN = 0.6;
/**
 * Rest between masks: at least this, and as long as the last one took, so that the worker keeps
 * at most half a core (without a GPU it shares the cores with the encoder and the face model).
 */
const MIN_REST_MS = 100;

export interface PersonSegmenterOptions {
  /** The worker script (`segmentation-worker.js` beside the bundle). */
  workerUrl: string | URL;
  /** The folder of the runtime and the model (`segmentation/` beside the bundle). */
  filesUrl: string | URL;
  /** Called once when the model cannot be loaded or run; no mask comes then. */
  onUnavailable(message: string): void;
  /** Called with each mask's time in the worker (benchmarks). */
  onMask?(ms: number): void;
}

/** A mask as the overlay pass uploads it: person 0–255, rows top first; `version` counts masks. */
export interface PersonMask {
  data: Uint8Array;
  width: number;
  height: number;
  version: number;
}

export class PersonSegmenter {
  private readonly model: ModelWorker<SegmentationRequest, SegmentationReply>;
  private readonly options: PersonSegmenterOptions;
  private nextId = 0;
  private smoothed: Float32Array | null = null;
  private latest: PersonMask | null = null;

  constructor(options: PersonSegmenterOptions) {
    this.options = options;
    this.model = new ModelWorker({
      url: options.workerUrl,
      name: 'live-pusher-segmentation',
      what: 'segmentation worker',
      onReply: (reply) => this.onReply(reply),
      onUnavailable: (message) => {
        this.latest = null;
        options.onUnavailable(message);
      },
    });
    const files = new URL(String(options.filesUrl), location.href);
    this.model.post({
      type: 'init',
      wasmLoaderUrl: new URL('vision_wasm_module_internal.js', files).href,
      wasmBinaryUrl: new URL('vision_wasm_module_internal.wasm', files).href,
      modelUrl: new URL('selfie_segmentation.tflite', files).href,
    });
  }

  /** Whether a picture would be taken now (callers skip reading one back otherwise). */
  get wantsPicture(): boolean {
    return this.model.idle;
  }

  /** Sends `image` (RGBA, rows top first; its buffer is transferred) when {@link wantsPicture}. */
  offer(image: ImageData): void {
    if (!this.model.claim()) return;
    this.model.post({ type: 'segment', id: ++this.nextId, image }, [image.data.buffer]);
  }

  /** The latest smoothed mask, or null before the first. */
  mask(): PersonMask | null {
    return this.latest;
  }

  close(): void {
    this.model.close();
  }

  private onReply(reply: SegmentationReply): void {
    switch (reply.type) {
      case 'ready':
        this.model.ready();
        return;
      case 'failed':
        return this.model.fail(`the segmentation model cannot run: ${reply.message}`);
      case 'mask':
        if (reply.id !== this.nextId) return;
        this.model.answered(Math.max(MIN_REST_MS, reply.ms));
        this.options.onMask?.(reply.ms);
        return this.take(reply.mask, reply.width, reply.height);
      default: {
        const never: never = reply;
        return never;
      }
    }
  }

  private take(mask: Uint8Array, width: number, height: number): void {
    const same = this.smoothed && this.latest && this.latest.width === width && this.latest.height === height;
    if (!same) this.smoothed = Float32Array.from(mask);
    const smoothed = this.smoothed!;
    const data = new Uint8Array(mask.length);
    for (let i = 0; i < mask.length; i++) {
      if (same) smoothed[i]! += (mask[i]! - smoothed[i]!) * MASK_GAIN;
      data[i] = smoothed[i]! + 0.5;
    }
    this.latest = { data, width, height, version: (this.latest?.version ?? 0) + 1 };
  }
}
