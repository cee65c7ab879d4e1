/**
 * Runs the stage's CPU route (`VideoStage.cpuRoute`, `../effects/yuv-picture.ts`) on camera
 * frames in the picture worker (`../effects/picture-worker.ts`), off the page's main thread: each
 * frame goes there (transferred) with its steps, and its picture comes back in order. One frame
 * at a time: a frame that comes while one is being worked on waits, and a newer one replaces it
 * (closed: a dropped frame, as a camera drops what its reader does not take in time). A worker
 * that cannot load, or a frame it cannot work, is reported to the sink, whose owner then takes
 * the GPU route; nothing more is taken after.
 */
import { ModelWorker } from '../effects/model-worker.js';
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
  private readonly worker: ModelWorker<PictureWorkerRequest, PictureWorkerReply>;
  /** The colour table the worker holds, and its version. */
  private table: YuvTable | undefined;
  private tableVersion = 0;
  private nextId = 0;
  private inFlight: number | undefined;
  private waiting: { frame: VideoFrame; route: CpuRoute } | undefined;

  constructor(
    workerUrl: string | URL,
    private readonly sink: CpuPictureSink,
  ) {
    this.worker = new ModelWorker({
      url: workerUrl,
      name: 'live-pusher picture',
      what: 'picture worker',
      onReply: (reply) => this.onReply(reply),
      onUnavailable: (message) => {
        this.dropWaiting();
        sink.failed(new Error(message));
      },
    });
    // Nothing to load: frames are taken from the start.
    this.worker.ready();
  }

  /** Takes `frame` (owned: closed once sent or dropped) through `route`. */
  offer(frame: VideoFrame, route: CpuRoute): void {
    if (!this.worker.available) frame.close();
    else if (this.worker.claim()) this.send(frame, route);
    else {
      this.waiting?.frame.close();
      this.waiting = { frame, route };
    }
  }

  /** Stops the worker; a waiting frame is closed, a picture still being worked on is dropped. */
  close(): void {
    this.worker.close();
    this.dropWaiting();
  }

  private dropWaiting(): void {
    this.waiting?.frame.close();
    this.waiting = undefined;
  }

  private send(frame: VideoFrame, { steps, colour }: CpuRoute): void {
    const { table, ...rest } = steps;
    const sent: PictureWorkerSteps = rest;
    if (table) {
      if (table !== this.table) {
        this.table = table;
        this.worker.post({ type: 'table', version: ++this.tableVersion, table });
      }
      sent.table = this.tableVersion;
    }
    const id = this.nextId++;
    this.inFlight = id;
    this.worker.post({ type: 'frame', id, frame, steps: sent, colour }, [frame]);
  }

  private onReply(reply: PictureWorkerReply): void {
    if (!this.worker.available || reply.id !== this.inFlight) {
      if (reply.type === 'picture') reply.frame.close();
      return;
    }
    this.inFlight = undefined;
    if (reply.type === 'failed') {
      this.worker.fail(`the picture worker could not work a frame: ${reply.message}`);
      return;
    }
    this.worker.answered(0);
    const next = this.waiting;
    this.waiting = undefined;
    if (next && this.worker.claim()) this.send(next.frame, next.route);
    else next?.frame.close();
    this.sink.picture(reply.frame);
  }
}
