/**
 * Runs the stage's CPU route (`VideoStage.cpuRoute`, `../effects/yuv-picture.ts`) on camera
 * frames in the picture worker (`../effects/picture-worker.ts`), off the page's main thread: each
 * frame goes there (transferred) with its steps, and its picture comes back in order. One frame
 * at a time: a frame that comes while one is being worked on waits, and a newer one replaces it
 * (closed: a dropped frame, as a camera drops what its reader does not take in time). A worker
 * that cannot load, or a frame it cannot work, is reported to the sink, whose owner then takes
 * the GPU route; nothing more is taken after.
 */
import type { PictureWorkerReply, PictureWorkerRequest, PictureWorkerSteps } from '../effects/picture-protocol.js';
import type { YuvTable } from '../effects/yuv-picture.js';
import type { CpuRoute } from './video-stage.js';

export interface CpuPictureSink {
  /** A finished picture, owned by the sink. */
  picture(frame: VideoFrame): void;
  /** The route failed (the worker, or a frame, which is dropped); called once. */
  failed(error: Error): void;
}

export class CpuPicture {
  private readonly worker: Worker;
  /** The colour table the worker holds, and its version. */
  private table: YuvTable | undefined;
  private tableVersion = 0;
  private nextId = 0;
  private inFlight: number | undefined;
  private waiting: { frame: VideoFrame; route: CpuRoute } | undefined;
  private closed = false;

  constructor(
    workerUrl: string | URL,
    private readonly sink: CpuPictureSink,
  ) {
    this.worker = new Worker(workerUrl, { type: 'module', name: 'live-pusher picture' });
    // A worker that cannot load only says so through an 'error' event.
    this.worker.addEventListener('error', (e) => this.fail(new Error(`the picture worker ${String(workerUrl)} failed: ${e.message || 'could not load'}`)));
    this.worker.addEventListener('message', (e: MessageEvent<PictureWorkerReply>) => this.onReply(e.data));
  }

  /** Takes `frame` (owned: closed once sent or dropped) through `route`. */
  offer(frame: VideoFrame, route: CpuRoute): void {
    if (this.closed) {
      frame.close();
      return;
    }
    if (this.inFlight !== undefined) {
      this.waiting?.frame.close();
      this.waiting = { frame, route };
      return;
    }
    this.send(frame, route);
  }

  /** Stops the worker; a waiting frame is closed, a picture still being worked on is dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.terminate();
    this.waiting?.frame.close();
    this.waiting = undefined;
  }

  private send(frame: VideoFrame, { steps, colour }: CpuRoute): void {
    const sent: PictureWorkerSteps = {};
    if (steps.warp) sent.warp = steps.warp;
    if (steps.smooth) sent.smooth = steps.smooth;
    if (steps.convert) sent.convert = steps.convert;
    if (steps.table) {
      if (steps.table !== this.table) {
        this.table = steps.table;
        this.post({ type: 'table', version: ++this.tableVersion, table: steps.table });
      }
      sent.table = this.tableVersion;
    }
    const id = this.nextId++;
    this.inFlight = id;
    this.post({ type: 'frame', id, frame, steps: sent, colour }, [frame]);
  }

  private post(message: PictureWorkerRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private onReply(reply: PictureWorkerReply): void {
    if (this.closed || reply.id !== this.inFlight) {
      if (reply.type === 'picture') reply.frame.close();
      return;
    }
    this.inFlight = undefined;
    if (reply.type === 'failed') {
      this.fail(new Error(`the picture worker could not work a frame: ${reply.message}`));
      return;
    }
    const next = this.waiting;
    this.waiting = undefined;
    if (next) this.send(next.frame, next.route);
    this.sink.picture(reply.frame);
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.close();
    this.sink.failed(error);
  }
}
