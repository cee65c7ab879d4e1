/**
 * Entry point of the face landmark worker (issue 6 custom-effect: face-thinness, eye-bigness;
 * spec §3 face stickers and makeup): @vladmandic/face-api's tiny face detector and 68-point
 * landmark model, with the weights the package ships, served beside the bundle. One detection at
 * a time; the element sends the next picture only once the answer is back.
 *
 * Tracking: the face detector is the costlier half, so it runs only to find a face (and every
 * {@link REDETECT_EVERY} pictures, to notice a face that left); in between, the landmark net runs
 * alone on the area around the previous landmarks.
 *
 * The models run on tfjs's WebAssembly backend (its `.wasm` binaries copied from
 * @tensorflow/tfjs-backend-wasm into the models' folder) unless a real GPU is there; see
 * {@link backendsToTry}.
 */
import * as faceapi from '@vladmandic/face-api';
import { isSoftwareGl } from '../media/gl.js';
import type { FaceBackend, FaceWorkerReply, FaceWorkerRequest } from './face-protocol.js';

/**
 * Detector input (pixels, a multiple of 32; the picture's long side is scaled to it). 224 finds
 * the test photo's face in a 1280×720 picture down to about 13 % of its width (temple to temple),
 * where 160 missed it at 17 % (a face at a desk before a landscape webcam can be that small;
 * measured scaling the photo down; test/e2e/face.test.ts checks 17 %). On wasm a search that
 * finds no face costs 1.25–1.6 times what it does at 160 (20–25 ms against 12–20, bench/effects
 * `landmarks` `search`), and the detector runs only every {@link REDETECT_EVERY} pictures while
 * tracking.
 */
const DETECTOR_INPUT = 224;
const DETECTOR_SCORE = 0.4;
/** Pictures between two runs of the detector while a face is tracked. */
const REDETECT_EVERY = 8;
/**
 * The tracking crop around the previous landmarks, as multiples of their extent: the detector's
 * boxes, which the landmark net was trained on, reach above the brows and past the jaw.
 */
const TRACK_MARGIN_X = 0.2;
const TRACK_MARGIN_TOP = 0.35;
const TRACK_MARGIN_BOTTOM = 0.1;

/** tfjs as face-api bundles it: its typings leave out the backend calls the bundle has. */
const tf = faceapi.tf as typeof faceapi.tf & {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  setWasmPaths(prefix: string): void;
  env(): { set(flag: string, value: boolean): void };
};
const scope = self as unknown as { postMessage(message: FaceWorkerReply, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<FaceWorkerRequest>) => void) | null };
let ready: Promise<void> | undefined;
/** The last landmarks (bitmap pixels) and how many pictures ago the detector ran. */
let tracked: Float32Array | null = null;
let sinceDetector = 0;

scope.onmessage = (event) => {
  const request = event.data;
  switch (request.type) {
    case 'init':
      ready = init(request.modelUrl, request.backend).then(
        (backend) => scope.postMessage({ type: 'ready', backend }),
        (e: unknown) => scope.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) }),
      );
      return;
    case 'detect':
      void detect(request.id, request.bitmap, request.detectorInput ?? DETECTOR_INPUT);
      return;
    default: {
      const never: never = request;
      return never;
    }
  }
};

/**
 * face-api looks for a DOM to read pictures from; a worker has none, so it gets an environment of
 * OffscreenCanvas (pictures reach it as tensors anyway).
 */
function setWorkerEnvironment(): void {
  const canvas = () => new OffscreenCanvas(1, 1) as unknown as HTMLCanvasElement;
  const unavailable = (): never => {
    throw new Error('not available in a worker');
  };
  faceapi.env.setEnv({
    Canvas: OffscreenCanvas as unknown as typeof HTMLCanvasElement,
    CanvasRenderingContext2D: OffscreenCanvasRenderingContext2D as unknown as typeof CanvasRenderingContext2D,
    Image: OffscreenCanvas as unknown as typeof HTMLImageElement,
    ImageData,
    Video: OffscreenCanvas as unknown as typeof HTMLVideoElement,
    createCanvasElement: canvas,
    createImageElement: unavailable,
    createVideoElement: unavailable,
    fetch: (url, init) => fetch(url, init),
    readFile: unavailable,
  });
}

/**
 * tfjs's WebGL backend where the worker has a GPU, then its WebAssembly backend, then its plain
 * JavaScript one (a wasm that cannot load: a missing file, a CSP without `wasm-unsafe-eval`).
 * Where WebGL is software (SwiftShader: headless or GPU-less machines) or WebGL2 is missing, wasm
 * comes first: there WebGL is no faster once warm, takes seconds to compile its shaders and
 * competes with the video stage for the same cores, and wasm (XNNPACK, SIMD) runs the two models
 * 12–19 times faster than the JavaScript backend (bench/effects `landmarks`).
 */
function backendsToTry(): FaceBackend[] {
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!gl) return ['wasm', 'cpu'];
  const software = isSoftwareGl(gl);
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return software ? ['wasm', 'cpu'] : ['webgl', 'wasm', 'cpu'];
}

/**
 * The wasm backend loads its binary from the models' folder (`modelUrl`, where the bundle copies
 * the SIMD and plain builds). Its multi-threaded build is not shipped, so tfjs must not pick it on
 * a cross-origin isolated page: its threads would only spread the same work over the cores the
 * video stage and the encoder need (the worker is meant to take a share of one core), not lessen
 * it. test/e2e/face.test.ts checks that such a page still runs the models on wasm.
 */
function prepareWasm(modelUrl: string): void {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  tf.setWasmPaths(modelUrl);
}

/** Starts the first backend of {@link backendsToTry} (or `only`) that works, loads the models; the backend's name. */
async function init(modelUrl: string, only: FaceBackend | undefined): Promise<FaceBackend> {
  setWorkerEnvironment();
  prepareWasm(modelUrl);
  let backend: FaceBackend | undefined;
  const backends = only ? [only] : backendsToTry();
  for (const name of backends) {
    try {
      if ((await tf.setBackend(name)) === true) {
        await tf.ready();
        backend = name;
        break;
      }
    } catch {
      // this backend cannot start here (no OffscreenCanvas WebGL, no wasm binary): try the next
    }
  }
  if (!backend) throw new Error(`no tfjs backend of ${backends.join(', ')} starts in this worker`);
  await Promise.all([faceapi.nets.tinyFaceDetector.loadFromUri(modelUrl), faceapi.nets.faceLandmark68Net.loadFromUri(modelUrl)]);
  return backend;
}

async function detect(id: number, bitmap: ImageBitmap, detectorInput: number): Promise<void> {
  try {
    await ready;
    const start = performance.now();
    const input = pixels(bitmap);
    const track = tracked && sinceDetector < REDETECT_EVERY ? tracked : null;
    try {
      tracked = track ? await landmarksNear(input, track) : await detectAndLandmark(input, detectorInput);
      sinceDetector = track ? sinceDetector + 1 : 0;
    } finally {
      input.dispose();
    }
    const ms = performance.now() - start;
    const points = tracked && new Float32Array(tracked);
    scope.postMessage({ type: 'landmarks', id, points, ms, detector: !track }, points ? [points.buffer] : []);
  } catch (e) {
    scope.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
  }
}

/** Detector at `inputSize` pixels, then landmarks in its box: null when there is no face. */
async function detectAndLandmark(input: faceapi.tf.Tensor3D, inputSize: number): Promise<Float32Array | null> {
  const result = await faceapi.detectSingleFace(input, new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: DETECTOR_SCORE })).withFaceLandmarks();
  return result ? flatten(result.landmarks.positions, 0, 0) : null;
}

/** The landmark net alone on the area around `previous` (a face moves little between two pictures). */
async function landmarksNear(input: faceapi.tf.Tensor3D, previous: Float32Array): Promise<Float32Array> {
  const [height, width] = input.shape;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < previous.length; i += 2) {
    x0 = Math.min(x0, previous[i]!);
    x1 = Math.max(x1, previous[i]!);
    y0 = Math.min(y0, previous[i + 1]!);
    y1 = Math.max(y1, previous[i + 1]!);
  }
  const w = x1 - x0;
  const h = y1 - y0;
  const left = clamp(Math.round(x0 - w * TRACK_MARGIN_X), 0, width - 2);
  const top = clamp(Math.round(y0 - h * TRACK_MARGIN_TOP), 0, height - 2);
  const right = clamp(Math.round(x1 + w * TRACK_MARGIN_X), left + 2, width);
  const bottom = clamp(Math.round(y1 + h * TRACK_MARGIN_BOTTOM), top + 2, height);
  const crop = faceapi.tf.slice3d(input, [top, left, 0], [bottom - top, right - left, 3]);
  try {
    const landmarks = await faceapi.detectFaceLandmarks(crop);
    const one = Array.isArray(landmarks) ? landmarks[0]! : landmarks;
    return flatten(one.positions, left, top);
  } finally {
    crop.dispose();
  }
}

function flatten(positions: readonly { x: number; y: number }[], dx: number, dy: number): Float32Array {
  const out = new Float32Array(positions.length * 2);
  positions.forEach((p, i) => out.set([p.x + dx, p.y + dy], i * 2));
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** The bitmap as an RGB tensor (the models take 3 channels). */
function pixels(bitmap: ImageBitmap): faceapi.tf.Tensor3D {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  g.drawImage(bitmap, 0, 0);
  bitmap.close();
  return tf.browser.fromPixels(g.getImageData(0, 0, canvas.width, canvas.height));
}
