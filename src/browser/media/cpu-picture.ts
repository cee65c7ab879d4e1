/**
 * Runs the stage's CPU route (`VideoStage.cpuRoute`, `../effects/yuv-picture.ts`) on camera
 * frames: the frame's I420 copied out (`VideoFrame.copyTo` resolves asynchronously), the steps
 * applied, a new I420 frame with the camera's timestamp, duration and colour space. One frame at
 * a time, in order; a frame that comes while one is being worked on waits, and a newer one
 * replaces it (closed: a dropped frame, as a camera drops what its reader does not take in time).
 */
import { YuvPicture, type I420Picture } from '../effects/yuv-picture.js';
import type { CpuRoute } from './video-stage.js';

export interface CpuPictureSink {
  /** A finished picture, owned by the sink. */
  picture(frame: VideoFrame): void;
  /** The route failed on a frame (which is dropped). */
  failed(error: unknown): void;
}

export class CpuPicture {
  private readonly kernel = new YuvPicture();
  private src: I420Picture | undefined;
  private dst: I420Picture | undefined;
  private busy = false;
  private waiting: { frame: VideoFrame; route: CpuRoute } | undefined;
  private closed = false;

  constructor(private readonly sink: CpuPictureSink) {}

  /** Takes `frame` (owned: closed once done) through `route`. */
  offer(frame: VideoFrame, route: CpuRoute): void {
    if (this.closed) {
      frame.close();
      return;
    }
    if (this.busy) {
      this.waiting?.frame.close();
      this.waiting = { frame, route };
      return;
    }
    this.busy = true;
    void this.run(frame, route);
  }

  /** Drops the waiting frame; a picture still being worked on is closed when it is done. */
  close(): void {
    this.closed = true;
    this.waiting?.frame.close();
    this.waiting = undefined;
  }

  private async run(frame: VideoFrame, route: CpuRoute): Promise<void> {
    for (let next: typeof this.waiting = { frame, route }; next && !this.closed; next = this.takeWaiting()) {
      try {
        const picture = await this.render(next.frame, next.route);
        if (this.closed) picture.close();
        else this.sink.picture(picture);
      } catch (e) {
        if (!this.closed) this.sink.failed(e);
      } finally {
        next.frame.close();
      }
    }
    this.busy = false;
  }

  private takeWaiting(): typeof this.waiting {
    const next = this.waiting;
    this.waiting = undefined;
    return next;
  }

  private async render(frame: VideoFrame, { steps, colour }: CpuRoute): Promise<VideoFrame> {
    const init = { timestamp: frame.timestamp, ...(frame.duration !== null && { duration: frame.duration }) };
    // Nothing changes this frame (a face warp waiting for a face): the camera's own picture.
    if (!steps.smooth && !steps.table && !steps.warp) return new VideoFrame(frame, init);
    const rect = frame.visibleRect!;
    const { width, height } = rect;
    const size = width * height;
    if (this.src?.width !== width || this.src.height !== height) {
      this.src = { data: new Uint8Array((size * 3) / 2), width, height };
      this.dst = { data: new Uint8Array((size * 3) / 2), width, height };
    }
    const planes = [
      { offset: 0, stride: width },
      { offset: size, stride: width / 2 },
      { offset: (size * 5) / 4, stride: width / 2 },
    ];
    await frame.copyTo(this.src.data, { rect, layout: planes });
    this.kernel.process(this.src, this.dst!, steps, colour);
    return new VideoFrame(this.dst!.data, { ...init, format: 'I420', codedWidth: width, codedHeight: height, layout: planes, colorSpace: frame.colorSpace.toJSON() });
  }
}
