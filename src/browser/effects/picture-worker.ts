/**
 * The picture worker: the stage's CPU route (`yuv-picture.ts`, issue 6) off the page's main
 * thread, which keeps the frame source, the encoder's input and the page's own work on time. Each
 * frame's I420 is copied out, worked through its steps and sent back as a new I420 frame with the
 * camera's timestamp and duration, in the pushed colour space (`PUSHED_COLOUR`). Messages: `picture-protocol.ts`.
 */
/// <reference lib="webworker" />
import type { PictureWorkerReply, PictureWorkerRequest, PictureWorkerSteps } from './picture-protocol.js';
import { nv12ToI420, rgbToI420 } from './i420-input.js';
import { PUSHED_COLOR_SPACE, type YuvColour } from './yuv-colour.js';
import { changesPicture, YuvPicture, type I420Picture, type YuvSteps, type YuvTable } from './yuv-picture.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const kernel = new YuvPicture();
const tables = new Map<number, YuvTable>();
let src: I420Picture | undefined;
let dst: I420Picture | undefined;

/** The steps as sent, with the colour table they name (looked up as the frame arrives: a newer table may follow it). */
function resolveSteps(sent: PictureWorkerSteps): YuvSteps {
  const { table: version, ...steps } = sent;
  if (version === undefined) return steps;
  const table = tables.get(version);
  if (!table) throw new Error(`colour table ${version} was not sent`);
  return { ...steps, table };
}

/** `frame` worked through `steps`: a new frame; the caller closes `frame`. */
async function work(frame: VideoFrame, steps: YuvSteps, colour: YuvColour): Promise<VideoFrame> {
  const init = { timestamp: frame.timestamp, ...(frame.duration !== null && { duration: frame.duration }) };
  // Nothing changes this frame (a face warp waiting for a face, codes already the pushed ones): the camera's own picture.
  if (!changesPicture(steps)) return new VideoFrame(frame, init);
  const rect = frame.visibleRect;
  if (!rect || rect.width % 2 || rect.height % 2) throw new Error(`the CPU route takes even-sized frames, not ${rect?.width}×${rect?.height}`);
  const { width, height } = rect;
  const size = width * height;
  if (src?.width !== width || src.height !== height) {
    src = { data: new Uint8Array((size * 3) / 2), width, height };
    dst = { data: new Uint8Array((size * 3) / 2), width, height };
  }
  await readI420(frame, rect, src);
  kernel.process(src, dst!, steps, colour);
  return new VideoFrame(dst!.data, { ...init, format: 'I420', codedWidth: width, codedHeight: height, layout: i420Layout(width, height), colorSpace: PUSHED_COLOR_SPACE });
}

/** The planes of a packed I420 picture. */
function i420Layout(width: number, height: number): PlaneLayout[] {
  const size = width * height;
  return [
    { offset: 0, stride: width },
    { offset: size, stride: width / 2 },
    { offset: (size * 5) / 4, stride: width / 2 },
  ];
}

/** Scratch for formats that are not I420 as they come (NV12, RGB), grown as needed. */
let scratch = new Uint8Array(0);

/** The frame's visible picture as packed I420 in `into` (see `i420-input.ts`). */
async function readI420(frame: VideoFrame, rect: DOMRectReadOnly, into: I420Picture): Promise<void> {
  const { width, height } = into;
  const size = width * height;
  switch (frame.format) {
    case 'I420':
      await frame.copyTo(into.data, { rect, layout: i420Layout(width, height) });
      return;
    case 'NV12': {
      if (scratch.length < (size * 3) / 2) scratch = new Uint8Array((size * 3) / 2);
      await frame.copyTo(scratch, { rect, layout: [{ offset: 0, stride: width }, { offset: size, stride: width }] });
      nv12ToI420(scratch, into);
      return;
    }
    case 'RGBA':
    case 'RGBX':
    case 'BGRA':
    case 'BGRX': {
      if (scratch.length < size * 4) scratch = new Uint8Array(size * 4);
      await frame.copyTo(scratch, { rect, layout: [{ offset: 0, stride: width * 4 }] });
      rgbToI420(scratch, frame.format.startsWith('B'), into);
      return;
    }
    default:
      throw new Error(`the CPU route does not take ${frame.format} frames`);
  }
}

/** Frames are worked one after another, so that their pictures leave in the order they came. */
let queue: Promise<void> = Promise.resolve();

scope.addEventListener('message', (event: MessageEvent<PictureWorkerRequest>) => {
  const request = event.data;
  if (request.type === 'table') {
    // Frames sent after a table name it; older versions are no longer named.
    tables.clear();
    tables.set(request.version, request.table);
    return;
  }
  const { id, frame, colour } = request;
  let steps: YuvSteps | Error;
  try {
    steps = resolveSteps(request.steps);
  } catch (e) {
    steps = e instanceof Error ? e : new Error(String(e));
  }
  queue = queue.then(async () => {
    let reply: PictureWorkerReply;
    try {
      if (steps instanceof Error) throw steps;
      const picture = await work(frame, steps, colour);
      reply = { type: 'picture', id, frame: picture };
    } catch (e) {
      reply = { type: 'failed', id, message: e instanceof Error ? e.message : String(e) };
    } finally {
      frame.close();
    }
    scope.postMessage(reply, reply.type === 'picture' ? [reply.frame] : []);
  });
});
