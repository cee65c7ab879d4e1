/**
 * The messages between the element and the picture worker (`picture-worker.ts`, bundled as
 * `picture-worker.js`), which runs the stage's CPU route (`yuv-picture.ts`) off the page's main
 * thread: camera frames go there and pictures come back, both transferred (no copy), in order.
 */
import type { FaceWarp } from './face-shape.js';
import type { SmoothShape } from './smooth-pass.js';
import type { YuvColour } from './yuv-colour.js';
import type { YuvTable } from './yuv-picture.js';

/** A frame's steps as sent: the colour table by the version last sent with `table`. */
export interface PictureWorkerSteps {
  warp?: FaceWarp;
  smooth?: SmoothShape;
  table?: number;
  convert?: Float64Array;
}

/** Element → worker. */
export type PictureWorkerRequest =
  /** The colour table frames name by `version` from now on (a copy: the element keeps its own). */
  | { type: 'table'; version: number; table: YuvTable }
  /** Work `frame` (transferred; the worker closes it) through `steps` over codes of `colour`. */
  | { type: 'frame'; id: number; frame: VideoFrame; steps: PictureWorkerSteps; colour: YuvColour };

/** Worker → element, one per `frame`, in order. */
export type PictureWorkerReply =
  /** The picture of frame `id` (transferred: the element owns it). */
  | { type: 'picture'; id: number; frame: VideoFrame }
  /** Frame `id` could not be worked (dropped). */
  | { type: 'failed'; id: number; message: string };
