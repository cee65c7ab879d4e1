/**
 * The in-page half of bench/effects: times the WebGL2 stage (scale/crop + effect passes) on a
 * fixed test picture, and the face landmark worker on a face photo and on the fake camera (no
 * face) on a given tfjs backend. Bundled by effects.ts and run in headless Chromium (SwiftShader:
 * no GPU) on the studio page, which serves the worker.
 */
import type { FaceBackend, FaceWorkerReply, FaceWorkerRequest } from '../../src/browser/effects/face-protocol.js';
import { detectSize, FaceTracker } from '../../src/browser/effects/face-tracker.js';
import { NO_PICTURE_EFFECTS, PictureEffects } from '../../src/browser/effects/picture-effects.js';
import { buildLut } from '../../src/browser/effects/filters.js';
import { rgbToI420 } from '../../src/browser/effects/i420-input.js';
import { PUSHED_COLOR_SPACE } from '../../src/browser/effects/yuv-colour.js';
import { CpuPicture } from '../../src/browser/media/cpu-picture.js';
import { VideoStage } from '../../src/browser/media/video-stage.js';

/**
 * Which effects run: none, one alone, or all of them; `face` is face-thinness and eye-bigness
 * at 1 on the landmarks {@link timeLandmarks} found (the warp pass alone); `pushed` is what the
 * pushes below run on the fake camera, which shows no face: beauty, whiteness and the look.
 */
export type Effects = 'off' | 'beauty' | 'whiteness' | 'filter' | 'applyFilter' | 'face' | 'pushed' | 'on';

/**
 * The stage's route: `gpu`, its WebGL2 passes; `cpu`, the picture pass over the camera's I420 on
 * the CPU (`yuv-picture.ts`), what the element runs under software WebGL when the camera frame is
 * the pushed size (here the 1280×720 stage; the 360×640 one rescales, which only the GPU does).
 */
export type StageRoute = 'gpu' | 'cpu';

export interface StageTiming {
  width: number;
  height: number;
  effects: Effects;
  route: StageRoute;
  frames: number;
  /** Median ms per frame, the wait for the frame to finish included. */
  msPerFrame: number;
  p95Ms: number;
  /**
   * CPU ms per frame of every browser process (SwiftShader draws in the GPU process): what the
   * frame costs the machine's two cores, much steadier than the wall time on a loaded machine.
   */
  cpuMsPerFrame: number;
}

/**
 * A 1280×720 camera-like frame: gradients, skin tone, noise (so no pass has trivial input), in
 * I420 in memory, as a camera delivers it (so the upload costs what a camera frame's does).
 */
function sourceFrame(): VideoFrame {
  const [width, height] = [1280, 720];
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext('2d')!;
  const grad = g.createLinearGradient(0, 0, width, height);
  grad.addColorStop(0, '#e0ac8c');
  grad.addColorStop(0.5, '#40a060');
  grad.addColorStop(1, '#3050d0');
  g.fillStyle = grad;
  g.fillRect(0, 0, width, height);
  for (let i = 0; i < 4000; i++) {
    g.fillStyle = `rgba(${(i * 37) % 255},${(i * 91) % 255},${(i * 53) % 255},0.3)`;
    g.fillRect((i * 131) % width, (i * 71) % height, 6, 6);
  }
  const rgba = g.getImageData(0, 0, width, height).data;
  // As the CPU route converts a canvas's frames.
  const i420 = { data: new Uint8Array((width * height * 3) / 2), width, height };
  rgbToI420(new Uint8Array(rgba.buffer), false, i420);
  return new VideoFrame(i420.data, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: 0, colorSpace: PUSHED_COLOR_SPACE });
}

export interface LandmarkTiming {
  /** The tfjs backend the worker ran the models on. */
  backend: FaceBackend | undefined;
  /** From starting the worker to the first landmarks (model load included). */
  firstMs: number;
  /** Detections with the face detector (finding the face), mean and p95, ms in the worker. */
  detector: { count: number; meanMs: number; p95Ms: number };
  /** Detections by the landmark net alone (tracking the found face). */
  tracking: { count: number; meanMs: number; p95Ms: number };
  /**
   * After the first answer, with the tracker's rests: landmarks a second, and the share of the
   * time the worker was detecting (about its share of one core while a face is in the picture).
   */
  perSecond: number;
  busyShare: number;
}

/** The landmarks found by {@link timeLandmarks}: 68 (x, y), 0–1 across the picture. */
let facePoints: Float32Array | undefined;
/** The face photo's size (test/support/fixtures.ts face-360x640.png). */
const FACE_PHOTO_WIDTH = 360;
const FACE_PHOTO_HEIGHT = 640;

/**
 * Runs the element's face tracker on the picture at `imageUrl` for `count` detections (on
 * `backend`, or the worker's choice); `landscape`: the picture centred in a 1280×720 frame, as a
 * landscape camera would show that face (its landmarks are then not kept for the warp's timing).
 */
export async function timeLandmarks(imageUrl: string, count: number, backend?: FaceBackend, landscape = false): Promise<LandmarkTiming> {
  const image = await createImageBitmap(await (await fetch(imageUrl)).blob());
  const canvas = new OffscreenCanvas(landscape ? 1280 : image.width, landscape ? 720 : image.height);
  const width = (image.width * canvas.height) / image.height;
  canvas.getContext('2d')!.drawImage(image, (canvas.width - width) / 2, 0, width, canvas.height);
  const frame = new VideoFrame(canvas, { timestamp: 0 });
  const times: { ms: number; detector: boolean }[] = [];
  let failure: string | undefined;
  const start = performance.now();
  let firstMs = 0;
  const tracker = new FaceTracker({
    workerUrl: '/face-worker.js',
    modelUrl: new URL('/face-models/', location.href),
    onUnavailable: (message) => (failure = message),
    onDetection: (ms, detector) => {
      if (times.length === 0) firstMs = performance.now() - start;
      times.push({ ms, detector });
    },
    ...(backend ? { backend } : {}),
  });
  let ranOn: FaceBackend | undefined;
  try {
    while (times.length < count && !failure) {
      tracker.offer(frame);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (failure) throw new Error(failure);
    // The smoothing settles on the (static) face.
    for (let i = 0; i < 60; i++) if (!landscape) facePoints = tracker.face()?.points;
    ranOn = tracker.backend;
  } finally {
    tracker.close();
    frame.close();
  }
  const elapsedMs = performance.now() - start - firstMs;
  // The first detection compiles and warms the backend: left out of the means.
  const warm = times.slice(1);
  return {
    backend: ranOn,
    firstMs: round(firstMs),
    detector: stats(warm.filter((t) => t.detector).map((t) => t.ms)),
    tracking: stats(warm.filter((t) => !t.detector).map((t) => t.ms)),
    perSecond: round((warm.length * 1000) / elapsedMs),
    busyShare: round(warm.reduce((sum, t) => sum + t.ms, 0) / elapsedMs),
  };
}

/** Count, mean and p95 of `list` (ms). */
function stats(list: number[]): { count: number; meanMs: number; p95Ms: number } {
  list.sort((a, b) => a - b);
  return { count: list.length, meanMs: round(list.reduce((s, t) => s + t, 0) / list.length), p95Ms: round(list[Math.floor(list.length * 0.95)] ?? NaN) };
}

export interface SearchTiming {
  backend: FaceBackend | undefined;
  /** Detections that found no face, by the face detector's input size (px), in the worker. */
  byDetectorInput: { input: number; count: number; meanMs: number; p95Ms: number }[];
}

/**
 * The worker searching the fake camera's 1280×720 picture, which shows no face (what it does while
 * nobody is in front of the camera): `count` detections at each detector input, the worker's
 * former size and its own, alternating so that load hits both alike. Straight to the worker: the
 * tracker would rest between two searches.
 */
export async function timeSearch(count: number, backend?: FaceBackend): Promise<SearchTiming> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 } });
  const [track] = stream.getVideoTracks();
  const reader = new MediaStreamTrackProcessor({ track: track! }).readable.getReader();
  const { value: frame } = await reader.read();
  track!.stop();
  if (!frame) throw new Error('the fake camera gave no frame');
  const worker = new Worker('/face-worker.js', { type: 'module' });
  const ask = (message: FaceWorkerRequest, transfer: Transferable[] = []): Promise<FaceWorkerReply> =>
    new Promise((resolve) => {
      worker.onmessage = (e: MessageEvent<FaceWorkerReply>) => resolve(e.data);
      worker.postMessage(message, transfer);
    });
  try {
    const ready = await ask({ type: 'init', modelUrl: new URL('/face-models/', location.href).href, ...(backend ? { backend } : {}) });
    if (ready.type !== 'ready') throw new Error(`the face worker: ${JSON.stringify(ready)}`);
    const inputs = [160, 224];
    const times = inputs.map((): number[] => []);
    const { width, height } = detectSize(frame.displayWidth, frame.displayHeight);
    // One round more than counted: the first at each size warms the backend.
    for (let round = 0; round <= count; round++)
      for (const [k, detectorInput] of inputs.entries()) {
        const bitmap = await createImageBitmap(frame, { resizeWidth: width, resizeHeight: height, resizeQuality: 'low' });
        const reply = await ask({ type: 'detect', id: round, bitmap, detectorInput }, [bitmap]);
        if (reply.type !== 'landmarks') throw new Error(`the face worker: ${JSON.stringify(reply)}`);
        if (round > 0) times[k]!.push(reply.ms);
      }
    return { backend: ready.backend, byDetectorInput: inputs.map((input, k) => ({ input, ...stats(times[k]!) })) };
  } finally {
    worker.terminate();
    frame.close();
  }
}

/** One stage with `effects` on at `width`×`height` on `route`, ready to time. */
function stageWith(width: number, height: number, effects: Effects, route: StageRoute): VideoStage {
  const stage = new VideoStage({ width, height, cpuPicture: route === 'cpu' });
  const picture = new PictureEffects();
  const all = effects === 'on';
  const pushed = all || effects === 'pushed';
  stage.setEffects(
    picture.update({
      beauty: pushed || effects === 'beauty' ? 9 : 0,
      whiteness: pushed || effects === 'whiteness' ? 9 : 0,
      beautyStyle: 'smooth',
      filter: pushed || effects === 'filter' ? 'romantic' : 'standard',
      custom: all || effects === 'face' ? { ...NO_PICTURE_EFFECTS.custom, faceThinness: 1, eyeBigness: 1 } : NO_PICTURE_EFFECTS.custom,
    }),
  );
  if (all || effects === 'face') {
    if (!facePoints) throw new Error('timeLandmarks first: the face warp needs landmarks');
    // The photo's face at the size a camera of this height would show it, centred.
    const scale = height / FACE_PHOTO_HEIGHT;
    picture.setFace(facePoints.map((v, i) => (i % 2 ? v * height : (v - 0.5) * FACE_PHOTO_WIDTH * scale + width / 2)));
  }
  if (all || effects === 'applyFilter') stage.setEffects(picture.applyLookup(buildLut({ saturation: 0.8 }, 64), 64, 0.5));
  return stage;
}

/** The CPU route's runner, and where its next picture goes. */
let cpuPicture: { runner: CpuPicture; done?: (picture: VideoFrame) => void; failed?: (e: unknown) => void } | undefined;

/** Milliseconds to push `source` through `stage`, waiting for the frame to finish (on the CPU route when the stage offers it). */
async function timeFrame(stage: VideoStage, source: VideoFrame): Promise<number> {
  const t0 = performance.now();
  const route = stage.cpuRoute(source);
  if (route) {
    const runner = (cpuPicture ??= { runner: new CpuPicture(new URL('/picture-worker.js', location.href), { picture: (p) => cpuPicture!.done!(p), failed: (e) => cpuPicture!.failed!(e) }) });
    const picture = await new Promise<VideoFrame>((resolve, reject) => {
      runner.done = resolve;
      runner.failed = reject;
      runner.runner.offer(source.clone(), route);
    });
    picture.close();
    return performance.now() - t0;
  }
  const out = stage.process(source);
  // Reading one pixel back waits for the GPU (SwiftShader) to finish the frame.
  const bitmap = await createImageBitmap(out, 0, 0, 1, 1);
  bitmap.close();
  out.close();
  return performance.now() - t0;
}

/** The stages {@link prepareStages} made, with the picture they push. */
let prepared: { stages: VideoStage[]; source: VideoFrame } | undefined;

/** Makes a stage for each set of `effects` at `width`×`height` on `route` and runs each `warm` frames (compiling, warming caches). */
export async function prepareStages(width: number, height: number, effects: readonly Effects[], route: StageRoute, warm: number): Promise<void> {
  closeStages();
  prepared = { stages: effects.map((e) => stageWith(width, height, e, route)), source: sourceFrame() };
  for (const stage of prepared.stages) for (let i = 0; i < warm; i++) await timeFrame(stage, prepared.source);
}

/** Pushes `frames` frames through the `index`th prepared stage; each one's milliseconds. */
export async function runStage(index: number, frames: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < frames; i++) times.push(await timeFrame(prepared!.stages[index]!, prepared!.source));
  return times;
}

export function closeStages(): void {
  for (const stage of prepared?.stages ?? []) stage.close();
  prepared?.source.close();
  prepared = undefined;
}

const round = (x: number): number => Math.round(x * 100) / 100;

Object.assign(window, { prepareStages, runStage, closeStages, timeLandmarks, timeSearch });
