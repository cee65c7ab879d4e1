/**
 * Custom rendering (spec §1 `enableVideoCustomRender`, §3 `onCustomRendererEvent` and
 * `createOffscreenCanvas`): the app draws what gets pushed.
 *
 * Per captured frame, with custom rendering on: the picture (after the stage's effects) is drawn
 * into the app's canvas, then `frame` listeners run (they draw over it, or replace it), then the
 * canvas is what gets encoded and what the preview shows (from the preview's start on, before
 * any push). `update` fires first whenever the pushed size changes (and the
 * canvas is resized to it). Drawing the picture first means an app that only adds an overlay
 * does not have to copy the camera itself. Web extension: listeners also get `frame`, the
 * picture as a VideoFrame valid during the call, and `canvas`.
 */

export type CustomRendererEvent = 'frame' | 'update';

export interface CustomRendererInfo {
  width: number;
  height: number;
  /** Web extension: the pushed picture, valid only during the callback. */
  frame?: VideoFrame;
  /** Web extension: the canvas being pushed. */
  canvas?: OffscreenCanvas;
}

export class CustomRender {
  private canvas: OffscreenCanvas | undefined;
  private g: OffscreenCanvasRenderingContext2D | null = null;
  private readonly listeners: Record<CustomRendererEvent, Set<(info: CustomRendererInfo) => void>> = { frame: new Set(), update: new Set() };
  /** Reused for every callback: no allocation per frame. */
  private readonly info: CustomRendererInfo = { width: 0, height: 0 };

  on(event: CustomRendererEvent, listener: (info: CustomRendererInfo) => void): void {
    this.listeners[event].add(listener);
    // A listener added after frames started still learns the size it draws at, once.
    if (event === 'update' && this.info.width > 0) listener({ width: this.info.width, height: this.info.height, ...(this.canvas ? { canvas: this.canvas } : {}) });
  }

  /** The canvas that is pushed (created at the first call, resized with the pushed size). */
  offscreenCanvas(width = 360, height = 640): OffscreenCanvas {
    if (!this.canvas) {
      this.canvas = new OffscreenCanvas(width, height);
      this.g = this.canvas.getContext('2d', { alpha: false });
    }
    return this.canvas;
  }

  /** Renders `picture` through the app (closes it) and returns the frame to encode. */
  render(picture: VideoFrame): VideoFrame {
    const width = picture.displayWidth;
    const height = picture.displayHeight;
    const canvas = this.offscreenCanvas(width, height);
    const info = this.info;
    if (canvas.width !== width || canvas.height !== height || info.width !== width || info.height !== height) {
      canvas.width = width;
      canvas.height = height;
      info.width = width;
      info.height = height;
      info.frame = undefined;
      info.canvas = canvas;
      this.emit('update');
    }
    const timestamp = picture.timestamp;
    const duration = picture.duration;
    try {
      this.g?.drawImage(picture, 0, 0, width, height);
      info.frame = picture;
      info.canvas = canvas;
      this.emit('frame');
    } finally {
      info.frame = undefined;
      picture.close();
    }
    return new VideoFrame(canvas, { timestamp, ...(duration !== null ? { duration } : {}), alpha: 'discard' });
  }

  private emit(event: CustomRendererEvent): void {
    for (const listener of this.listeners[event]) {
      try {
        listener(this.info);
      } catch (e) {
        // An app bug must not stop the push; it is reported like any uncaught error.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}
