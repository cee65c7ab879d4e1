/**
 * The in-page half of bench/effects/segmentation.ts: the person segmenter's milliseconds per mask
 * in its worker, and what a `back` sticker costs the stage per frame (the read-back for the
 * model and the composite), on the face photo. Bundled by segmentation.ts and run in headless
 * Chromium on the studio page, which serves the worker, its runtime and the model.
 */
import { PersonSegmenter } from '../../src/browser/effects/person-segmenter.js';
import { PictureEffects } from '../../src/browser/effects/picture-effects.js';
import { VideoStage } from '../../src/browser/media/video-stage.js';
import { SEGMENTATION_FILES_URL, SEGMENTATION_WORKER_URL } from '../../src/browser/segmentation-urls.js';

export interface MaskTiming {
  width: number;
  height: number;
  /** From starting the worker to the first mask (runtime compiled, model loaded, first run). */
  firstMs: number;
  masks: number;
  meanMs: number;
  p95Ms: number;
}

export interface BackStageTiming {
  width: number;
  height: number;
  frames: number;
  /** The stage with no effect, and with a `back` sticker composited through the mask. */
  offMs: number;
  backMs: number;
  backP95Ms: number;
}

const round = (x: number): number => Math.round(x * 10) / 10;
const stats = (times: number[]): { mean: number; p95: number } => {
  const sorted = [...times].sort((a, b) => a - b);
  return { mean: round(sorted.reduce((s, t) => s + t, 0) / sorted.length), p95: round(sorted[Math.ceil(sorted.length * 0.95) - 1]!) };
};
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function picture(imageUrl: string): Promise<ImageBitmap> {
  return createImageBitmap(await (await fetch(imageUrl)).blob());
}

/** `masks` masks of the picture at `imageUrl` scaled to `width`×`height`, through the element's segmenter (rests included). */
export async function timeMasks(imageUrl: string, width: number, height: number, masks: number): Promise<MaskTiming> {
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext('2d')!;
  g.drawImage(await picture(imageUrl), 0, 0, width, height);
  const times: number[] = [];
  let failure: string | undefined;
  let firstMs = 0;
  const start = performance.now();
  const segmenter = new PersonSegmenter({
    workerUrl: SEGMENTATION_WORKER_URL,
    filesUrl: SEGMENTATION_FILES_URL,
    onUnavailable: (message) => (failure = message),
    onMask: (ms) => {
      if (firstMs === 0) firstMs = performance.now() - start;
      times.push(ms);
    },
  });
  try {
    while (times.length <= masks && !failure) {
      segmenter.offer(g.getImageData(0, 0, width, height));
      await pause(5);
    }
  } finally {
    segmenter.close();
  }
  if (failure) throw new Error(failure);
  // The first mask pays the runtime's warm-up: it counts in firstMs only.
  const { mean, p95 } = stats(times.slice(1));
  return { width, height, firstMs: Math.round(firstMs), masks, meanMs: mean, p95Ms: p95 };
}

/** The stage at `width`×`height` on the photo, without effects and with a green `back` sticker, frames paced at 15 per second. */
export async function timeBackStage(imageUrl: string, width: number, height: number, frames: number): Promise<BackStageTiming> {
  const source = new VideoFrame(await picture(imageUrl), { timestamp: 0 });
  const green = new OffscreenCanvas(16, 16);
  const g = green.getContext('2d')!;
  g.fillStyle = '#00c800';
  g.fillRect(0, 0, 16, 16);
  const stage = new VideoStage({ width, height });
  const effects = new PictureEffects();
  /** One frame through the stage, waited for (a 1-pixel read-back); returns its ms and that pixel. */
  const frame = async (): Promise<[number, Uint8ClampedArray]> => {
    const t0 = performance.now();
    const out = stage.process(source);
    const corner = new OffscreenCanvas(1, 1).getContext('2d')!;
    const bitmap = await createImageBitmap(out, 0, 0, 1, 1);
    const ms = performance.now() - t0;
    corner.drawImage(bitmap, 0, 0);
    bitmap.close();
    out.close();
    return [ms, corner.getImageData(0, 0, 1, 1).data];
  };
  const run = async (): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < frames; i++) {
      times.push((await frame())[0]);
      await pause(1000 / 15);
    }
    return times;
  };
  try {
    for (let i = 0; i < 10; i++) await frame(); // compile, warm caches
    const off = stats(await run());
    stage.setEffects(effects.applyStickers('back', [{ type: 'back', anchor: 'background', frames: [await createImageBitmap(green)], pos: [0, 0, 1, 1], trigger: -1, segtype: 0 }]));
    // Until the first mask: the photo's top-left corner is background, green once composited.
    const deadline = performance.now() + 60_000;
    for (;;) {
      const [, pixel] = await frame();
      if (pixel[1]! > 150 && pixel[0]! < 80) break;
      if (performance.now() > deadline) throw new Error('no person mask within 60 s');
      await pause(1000 / 15);
    }
    const back = stats(await run());
    return { width, height, frames, offMs: off.mean, backMs: back.mean, backP95Ms: back.p95 };
  } finally {
    stage.close();
    source.close();
  }
}

Object.assign(window, { timeMasks, timeBackStage });
