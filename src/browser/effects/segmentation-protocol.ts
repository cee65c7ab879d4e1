/**
 * The messages between the element and the person segmentation worker (`segmentation-worker.ts`,
 * bundled as `segmentation-worker.js`) for background stickers (spec §3 applySticker type
 * `back`): typed requests, one mask per picture, the picture and the mask transferred as bytes, so the main thread never waits for the model.
 */

/** Element → worker. */
export type SegmentationRequest =
  /**
   * Load the model: `wasmLoaderUrl`/`wasmBinaryUrl` are MediaPipe Tasks' vision runtime,
   * `modelUrl` the selfie segmentation model (all served beside the bundle).
   */
  | { type: 'init'; wasmLoaderUrl: string; wasmBinaryUrl: string; modelUrl: string }
  /** The person mask of `image` (RGBA, rows top first: a small copy of the pushed picture). */
  | { type: 'segment'; id: number; image: ImageData };

/** Worker → element. */
export type SegmentationReply =
  /** The model is loaded. */
  | { type: 'ready' }
  /** The model could not be loaded or run: no mask will follow. */
  | { type: 'failed'; message: string }
  /**
   * The answer to `segment` `id`: how sure the model is that each pixel is a person, 0–255, one
   * byte a pixel, rows top first, at the image's size; `ms` is the time the model took.
   */
  | { type: 'mask'; id: number; mask: Uint8Array; width: number; height: number; ms: number };
