/**
 * The element's preview as a MediaStream (issue 6: the preview shows what viewers get). The
 * session hands it the pictures the stage makes (or, while nothing changes the picture, camera
 * frames cut the way the stage would cut them), and the element's `<video>` plays its stream, so
 * sizing (object-fit), the local mirror (CSS) and picture-in-picture (a `<video>` feature) work
 * as they did with the camera's stream. One stream for the preview's whole life: a camera switch,
 * or an effect that starts or stops, changes the frames and never the `<video>`'s source, so the
 * user sees no flash.
 *
 * Two ways to make the track, best first:
 * - `MediaStreamTrackGenerator` (mediacapture-transform, Chromium): the frames themselves go to
 *   the track, no copy; a written frame belongs to the generator, which closes it.
 * - a `<canvas>` and `captureStream()` (HTML "Media Capture from DOM Elements"): each frame is
 *   drawn into the canvas, and the canvas track sends a frame whenever the canvas changes.
 *
 * Ownership: a frame handed to {@link PreviewTrack.show} belongs to the track.
 */
import { coverCrop } from './video-stage.js';

/** Which way a {@link PreviewTrack} makes its track. */
export type PreviewTrackKind = 'generator' | 'canvas';

/** The part of Chromium's MediaStreamTrackGenerator used here (not in TypeScript's DOM lib). */
interface TrackGenerator extends MediaStreamTrack {
  readonly writable: WritableStream<VideoFrame>;
}
type TrackGeneratorConstructor = new (init: { kind: 'video' }) => TrackGenerator;

function trackGeneratorConstructor(): TrackGeneratorConstructor | undefined {
  return (globalThis as { MediaStreamTrackGenerator?: TrackGeneratorConstructor }).MediaStreamTrackGenerator;
}

/** The way {@link PreviewTrack} would take in this browser. */
export function preferredPreviewTrackKind(): PreviewTrackKind {
  return trackGeneratorConstructor() ? 'generator' : 'canvas';
}

export class PreviewTrack {
  readonly kind: PreviewTrackKind;
  /** What the preview `<video>` plays: one video track. */
  readonly stream: MediaStream;
  private readonly track: MediaStreamTrack;
  private readonly writer: WritableStreamDefaultWriter<VideoFrame> | undefined;
  private readonly canvas: HTMLCanvasElement | undefined;
  private readonly g: CanvasRenderingContext2D | null = null;
  /** A frame is on its way into the generator: the next one waits for no one and is dropped. */
  private writing = false;
  private closed = false;

  constructor(kind: PreviewTrackKind = preferredPreviewTrackKind()) {
    this.kind = kind;
    if (kind === 'generator') {
      const Generator = trackGeneratorConstructor();
      if (!Generator) throw new TypeError('PreviewTrack: MediaStreamTrackGenerator is not available in this browser');
      const generator = new Generator({ kind: 'video' });
      this.writer = generator.writable.getWriter();
      this.track = generator;
    } else {
      this.canvas = document.createElement('canvas');
      this.g = this.canvas.getContext('2d', { alpha: false });
      const track = this.canvas.captureStream().getVideoTracks()[0];
      if (!track) throw new TypeError('PreviewTrack: canvas.captureStream() gave no video track');
      this.track = track;
    }
    this.stream = new MediaStream([this.track]);
  }

  /**
   * Shows `frame` (the track takes it). While the previous frame is still being handed over the
   * new one is dropped: the preview shows the newest picture and never builds up latency.
   */
  show(frame: VideoFrame): void {
    if (this.closed) return frame.close();
    if (this.writer) {
      if (this.writing) return frame.close();
      this.writing = true;
      this.writer.write(frame).then(
        () => (this.writing = false),
        () => {
          // The track was stopped meanwhile; a refused frame is not closed by the generator.
          frame.close();
          this.writing = false;
        },
      );
      return;
    }
    try {
      const canvas = this.canvas!;
      if (canvas.width !== frame.displayWidth || canvas.height !== frame.displayHeight) {
        canvas.width = frame.displayWidth;
        canvas.height = frame.displayHeight;
      }
      this.g?.drawImage(frame, 0, 0);
    } finally {
      frame.close();
    }
  }

  /**
   * Shows the part of a camera frame that a `width`×`height` picture shows (the stage's cover
   * crop, centred), without copying it: used while no effect changes the picture. The caller
   * keeps `frame`. The crop's edges are rounded to even pixels (4:2:0 frames cannot start on an
   * odd one), a pixel at most from the stage's.
   */
  showCamera(frame: VideoFrame, width: number, height: number): void {
    const visible = frame.visibleRect;
    if (!visible) return; // a closed frame
    const { u0, v0, uw, vh } = coverCrop(visible.width, visible.height, width, height);
    const even = (v: number) => 2 * Math.round(v / 2);
    const rect = { x: visible.x + even(u0 * visible.width), y: visible.y + even(v0 * visible.height), width: even(uw * visible.width), height: even(vh * visible.height) };
    this.show(new VideoFrame(frame, { visibleRect: rect, displayWidth: rect.width, displayHeight: rect.height }));
  }

  /** Ends the track (the `<video>` shows its last frame until its source changes). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.track.stop();
  }
}
