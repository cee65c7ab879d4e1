/**
 * The messages between the element and the face landmark worker (`face-worker.ts`, bundled as
 * `face-worker.js`): typed requests, one answer per detection, the picture transferred as an
 * ImageBitmap so the main thread never waits for the model.
 */

/** The 68-point layout's point count (iBUG 300-W: jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, mouth 48–67). */
export const LANDMARK_COUNT = 68;

/** The tfjs backends the worker can run the models on (face-worker.ts says which it prefers where). */
export type FaceBackend = 'webgl' | 'wasm' | 'cpu';

/** Element → worker. */
export type FaceWorkerRequest =
  /**
   * Load the models, and tfjs's wasm binaries, from `modelUrl` (a folder URL ending in `/`);
   * `backend` runs them on that backend alone (benchmarks compare backends), not the worker's choice.
   */
  | { type: 'init'; modelUrl: string; backend?: FaceBackend }
  /**
   * Find the most prominent face in `bitmap` (the worker closes it); when the face detector runs,
   * at `detectorInput` pixels if given (a multiple of 32: its cost grows with the square;
   * benchmarks compare sizes), else at the worker's own size (face-worker.ts `DETECTOR_INPUT`).
   */
  | { type: 'detect'; id: number; bitmap: ImageBitmap; detectorInput?: number };

/** Worker → element. */
export type FaceWorkerReply =
  /** The models are loaded; `backend` is the tfjs backend they run on. */
  | { type: 'ready'; backend: FaceBackend }
  /** The models could not be loaded or run: no detection will follow. */
  | { type: 'failed'; message: string }
  /**
   * The answer to `detect` `id`: 68 (x, y) pairs in the bitmap's pixels, or null when no face
   * was found; `ms` is the time the detection took in the worker, `detector` whether the face
   * detector ran (false: the landmark net alone tracked the previous face).
   */
  | { type: 'landmarks'; id: number; points: Float32Array | null; ms: number; detector: boolean };
