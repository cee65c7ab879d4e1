/**
 * Page side of picture-routes.test.ts: one camera-like I420 frame (a face photo) through the
 * stage's GPU route and its CPU route with the same effects, both read back as RGB the same way
 * (the GPU's picture through I420 first, as the encoder would take it).
 */
import { CpuPicture } from '../../src/browser/media/cpu-picture.js';
import { VideoStage } from '../../src/browser/media/video-stage.js';
import { NO_PICTURE_EFFECTS, PictureEffects, type PictureSettings } from '../../src/browser/effects/picture-effects.js';
import { buildLut } from '../../src/browser/effects/filters.js';
import { rgbToI420 } from '../../src/browser/effects/i420-input.js';
import { codeConversion, PUSHED_COLOR_SPACE, PUSHED_COLOUR } from '../../src/browser/effects/yuv-colour.js';
import { markReady } from './page-support.js';

export type RouteCase = 'beauty' | 'nature' | 'whiteness' | 'filter' | 'applyFilter' | 'warp' | 'all';

/** `I420-601`: BT.601 limited-range codes, as cameras give them (the CPU route converts them to the pushed ones). */
export type InputFormat = 'I420' | 'I420-601' | 'NV12' | 'RGBA';

/** The photo as a camera-like frame: I420 or NV12 (full-range BT.709), or RGBA as a canvas gives one. */
async function photoFrame(png: Uint8Array, format: InputFormat): Promise<VideoFrame> {
  const image = await createImageBitmap(new Blob([png as BlobPart]));
  const { width, height } = image;
  const g = new OffscreenCanvas(width, height).getContext('2d')!;
  g.drawImage(image, 0, 0);
  const rgba = g.getImageData(0, 0, width, height).data;
  if (format === 'RGBA') return new VideoFrame(rgba, { format: 'RGBA', codedWidth: width, codedHeight: height, timestamp: 0 });
  const i420 = i420Frame(rgba, width, height);
  if (format === 'I420') return i420;
  const size = width * height;
  const planes = new Uint8Array((size * 3) / 2);
  await i420.copyTo(planes);
  i420.close();
  if (format === 'I420-601') {
    const [a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3] = codeConversion(PUSHED_COLOUR, { kr: 0.299, kb: 0.114, full: false });
    const codes = planes.slice();
    const uOff = size;
    const vOff = size + size / 4;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const c = (y >> 1) * (width / 2) + (x >> 1);
        codes[y * width + x] = Math.round(a0! * planes[y * width + x]! + a1! * planes[uOff + c]! + a2! * planes[vOff + c]! + a3!);
        if (!(x & 1) && !(y & 1)) {
          const luma = planes[y * width + x]!;
          codes[uOff + c] = Math.round(b0! * luma + b1! * planes[uOff + c]! + b2! * planes[vOff + c]! + b3!);
          codes[vOff + c] = Math.round(c0! * luma + c1! * planes[uOff + c]! + c2! * planes[vOff + c]! + c3!);
        }
      }
    return new VideoFrame(codes, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: 0, colorSpace: { matrix: 'smpte170m', primaries: 'smpte170m', transfer: 'smpte170m', fullRange: false } });
  }
  const nv12 = planes.slice(0, size * 1.5);
  for (let i = 0; i < size / 4; i++) {
    nv12[size + 2 * i] = planes[size + i]!;
    nv12[size + 2 * i + 1] = planes[size * 1.25 + i]!;
  }
  return new VideoFrame(nv12, { format: 'NV12', codedWidth: width, codedHeight: height, timestamp: 0, colorSpace: PUSHED_COLOR_SPACE });
}

/** RGBA pixels as an I420 frame, as the encoder takes an RGB picture (full-range BT.709, chroma the mean of each 2×2 block). */
function i420Frame(rgba: Uint8ClampedArray, width: number, height: number): VideoFrame {
  const picture = { data: new Uint8Array((width * height * 3) / 2), width, height };
  rgbToI420(new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.length), false, picture);
  return new VideoFrame(picture.data, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: 0, colorSpace: PUSHED_COLOR_SPACE });
}

/** 68 landmarks of a face centred at (cx, cy), `w` wide (iBUG layout: jaw 0–16, brows, nose 27–35, eyes 36–47, mouth). */
function landmarks(cx: number, cy: number, w: number): Float32Array {
  const p = new Float32Array(136);
  const set = (i: number, x: number, y: number) => p.set([cx + x * w, cy + y * w], 2 * i);
  for (let i = 0; i <= 16; i++) {
    const a = Math.PI * (i / 16);
    set(i, -0.5 * Math.cos(a), 0.1 + 0.55 * Math.sin(a));
  }
  for (let i = 17; i < 27; i++) set(i, -0.4 + (0.8 * (i - 17)) / 9, -0.3);
  for (let i = 27; i < 36; i++) set(i, 0, -0.25 + 0.05 * (i - 27));
  for (const [first, ex] of [[36, -0.2], [42, 0.2]] as const)
    for (let k = 0; k < 6; k++) {
      const a = (Math.PI * 2 * k) / 6;
      set(first + k, ex - 0.08 * Math.cos(a), -0.15 + 0.03 * Math.sin(a));
    }
  for (let i = 48; i < 68; i++) {
    const a = (Math.PI * 2 * (i - 48)) / 20;
    set(i, 0.15 * Math.cos(a), 0.35 + 0.05 * Math.sin(a));
  }
  return p;
}

function settingsFor(which: RouteCase): PictureSettings {
  const all = which === 'all';
  return {
    beauty: all || which === 'beauty' || which === 'nature' ? 9 : 0,
    beautyStyle: which === 'nature' ? 'nature' : 'smooth',
    whiteness: all || which === 'whiteness' ? 9 : 0,
    filter: all || which === 'filter' ? 'romantic' : 'standard',
    custom: all || which === 'warp' ? { ...NO_PICTURE_EFFECTS.custom, faceThinness: 1, eyeBigness: 1 } : NO_PICTURE_EFFECTS.custom,
  };
}

/** A stage running `which`, on the CPU route or not. */
function stageFor(which: RouteCase, width: number, height: number, cpu: boolean): VideoStage {
  const stage = new VideoStage({ width, height, cpuPicture: cpu });
  const picture = new PictureEffects();
  stage.setEffects(picture.update(settingsFor(which)));
  if (which === 'warp' || which === 'all') picture.setFace(landmarks(width / 2, height * 0.4, width * 0.45));
  if (which === 'applyFilter' || which === 'all') stage.setEffects(picture.applyLookup(buildLut({ saturation: 0.3 }, 64), 64, 0.8));
  return stage;
}

/** The frame's RGB, as the browser converts it for a 2D canvas. */
function rgbOf(frame: VideoFrame): Uint8ClampedArray {
  const g = new OffscreenCanvas(frame.displayWidth, frame.displayHeight).getContext('2d')!;
  g.drawImage(frame, 0, 0);
  return g.getImageData(0, 0, frame.displayWidth, frame.displayHeight).data;
}

/** Per-channel absolute differences of two RGBA pictures: mean, 99th percentile and max, and how many pixels. */
function compare(a: Uint8ClampedArray, b: Uint8ClampedArray): { mean: number; p99: number; max: number } {
  const diffs = new Uint32Array(256);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.length; i += 4)
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a[i + c]! - b[i + c]!);
      diffs[d]!++;
      sum += d;
      n++;
    }
  let seen = 0;
  let p99 = 0;
  for (let d = 0; d < 256; d++) {
    seen += diffs[d]!;
    if (seen < 0.99 * n) p99 = d + 1;
  }
  let max = 255;
  while (max > 0 && diffs[max] === 0) max--;
  return { mean: sum / n, p99, max };
}

/**
 * For each case: how far the GPU route's picture is from the camera's (the effect's size) and
 * from the CPU route's, and whether the CPU route was offered.
 */
async function compareRoutes(png: number[], cases: RouteCase[], format: InputFormat): Promise<Record<string, unknown>> {
  const frame = await photoFrame(Uint8Array.from(png), format);
  const { displayWidth: width, displayHeight: height } = frame;
  const original = rgbOf(frame);
  const results: Record<string, unknown> = {};
  for (const which of cases) {
    const gpuStage = stageFor(which, width, height, false);
    const gpu = gpuStage.process(frame);
    // Through I420 as the encoder takes it, so that the CPU route's 4:2:0 chroma is not counted as a difference.
    const gpuI420 = i420Frame(rgbOf(gpu), width, height);
    const gpuRgb = rgbOf(gpuI420);
    gpu.close();
    gpuI420.close();
    gpuStage.close();
    const cpuStage = stageFor(which, width, height, true);
    const route = cpuStage.cpuRoute(frame);
    if (!route) throw new Error(`${which}: the CPU route was not offered`);
    const cpu = await new Promise<VideoFrame>((resolve, reject) => {
      const runner = new CpuPicture('/picture-worker.js', {
        picture: (picture) => {
          runner.close();
          resolve(picture);
        },
        failed: reject,
      });
      runner.offer(frame.clone(), route);
    });
    const cpuRgb = rgbOf(cpu);
    results[which] = { format: cpu.format, effect: compare(gpuRgb, original), routes: compare(gpuRgb, cpuRgb) };
    cpu.close();
    cpuStage.close();
  }
  frame.close();
  return results;
}

/** A CpuPicture whose worker cannot load: what its sink hears, and whether the frame offered was closed. */
async function missingWorker(): Promise<{ failed: string; pictures: number; frameClosed: boolean }> {
  const frame = new VideoFrame(new Uint8Array(64 * 64 * 1.5), { format: 'I420', codedWidth: 64, codedHeight: 64, timestamp: 0 });
  let pictures = 0;
  const failed = await new Promise<string>((resolve) => {
    const runner = new CpuPicture('/no-such-picture-worker.js', { picture: () => pictures++, failed: (e) => resolve(e.message) });
    runner.offer(frame, { steps: {}, colour: { kr: 0.299, kb: 0.114, full: false } });
  });
  // Transferred to the worker (which never ran) or closed: either way this handle holds no picture.
  return { failed, pictures, frameClosed: frame.format === null };
}

markReady({ compareRoutes, missingWorker });
