/**
 * `LivePusherContext` (spec §3): the mini-program's methods on a `<live-pusher>`, each taking
 * `{ success, fail, complete }` and, as a web extension, returning a Promise of the same result.
 */
import { invoke, parseOptionalTimeMs, parseSnapshotOptions, parseVolume, parseZoom, requireString, type MethodCallbacks, type MethodSuccess } from '../core/callbacks.js';
import { LivePusherElement } from './element.js';
import { loadLookupImage, optionalMd5, parseAlpha } from './effects/lookup-image.js';
import { renderView } from './effects/view-snapshot.js';
import type { CustomRendererEvent, CustomRendererInfo } from './effects/custom-render.js';
import type { MakeupKind } from './effects/face-regions.js';
import { loadMakeup, loadStickers } from './effects/stickers.js';

type Options<A extends object = object> = (A & MethodCallbacks<never>) | undefined;

/** The makeup methods' arguments (spec §3); `blendMode` names in effects/blend-modes.ts. */
type MakeupOptions = { alpha?: unknown; path?: unknown; md5?: unknown; blendMode?: unknown };

interface ZoomCapabilities {
  zoom?: { min: number; max: number };
  torch?: boolean;
}

/** Finds the element a context drives: an element, an id, or the page's one `<live-pusher>`. */
function resolveTarget(target?: Element | string): LivePusherElement {
  const el =
    target instanceof Element
      ? target
      : typeof target === 'string' && target !== ''
        ? document.getElementById(target)
        : document.querySelector('live-pusher');
  if (!(el instanceof LivePusherElement)) {
    throw new TypeError(`createLivePusherContext: no <live-pusher> element ${typeof target === 'string' && target ? `with id ${JSON.stringify(target)}` : 'on the page'}`);
  }
  return el;
}

export class LivePusherContext {
  private torch = false;

  constructor(readonly element: LivePusherElement) {}

  private get session() {
    return this.element.pushSession();
  }

  private cameraCapabilities(): { track: MediaStreamTrack; capabilities: ZoomCapabilities } {
    const track = this.session.cameraTrack;
    if (!track) throw new Error('the camera is not open');
    return { track, capabilities: (track.getCapabilities?.() ?? {}) as ZoomCapabilities };
  }

  start(options?: Options) {
    return invoke('start', options, () => this.element.startPush());
  }

  stop(options?: Options) {
    return invoke('stop', options, () => this.session.stop());
  }

  pause(options?: Options) {
    return invoke('pause', options, () => this.session.pause());
  }

  resume(options?: Options) {
    return invoke('resume', options, () => this.session.resume());
  }

  startPreview(options?: Options) {
    return invoke('startPreview', options, () => this.session.startPreview());
  }

  stopPreview(options?: Options) {
    return invoke('stopPreview', options, () => this.session.stopPreview());
  }

  switchCamera(options?: Options) {
    return invoke('switchCamera', options, async () => {
      await this.session.switchCamera();
      this.element.devicePosition = this.element.devicePosition === 'front' ? 'back' : 'front';
    });
  }

  /**
   * `tempImagePath` is an object URL of a PNG (`raw`) or JPEG (`compressed`) (spec §3): the
   * pushed picture (`stream`), or the preview as shown (`view`: the element's size, local mirror).
   */
  snapshot(options?: Options<{ quality?: unknown; sourceType?: unknown }>): Promise<MethodSuccess<{ tempImagePath: string; width: number; height: number }>> {
    return invoke<{ tempImagePath: string; width: number; height: number }>('snapshot', options, async () => {
      const { quality, sourceType } = parseSnapshotOptions(options);
      const type = quality === 'raw' ? 'image/png' : 'image/jpeg';
      const { blob, width, height } =
        sourceType === 'view' ? await renderView(await this.session.pictureBitmap(), this.element.viewGeometry(), type) : await this.session.snapshot(type);
      return { tempImagePath: URL.createObjectURL(blob), width, height };
    });
  }

  toggleTorch(options?: Options) {
    return invoke('toggleTorch', options, async () => {
      const { track, capabilities } = this.cameraCapabilities();
      if (!capabilities.torch) throw new Error('this camera has no torch');
      this.torch = !this.torch;
      await track.applyConstraints({ advanced: [{ torch: this.torch } as MediaTrackConstraintSet] });
    });
  }

  getMaxZoom(options?: Options): Promise<MethodSuccess<{ maxZoom: number }>> {
    return invoke<{ maxZoom: number }>('getMaxZoom', options, () => {
      const { capabilities } = this.cameraCapabilities();
      return { maxZoom: capabilities.zoom?.max ?? 1 };
    });
  }

  setZoom(options?: Options<{ zoom?: unknown }>) {
    return invoke('setZoom', options, async () => {
      const { track, capabilities } = this.cameraCapabilities();
      if (!capabilities.zoom) throw new Error('this camera cannot zoom');
      const zoom = parseZoom(options?.zoom, capabilities.zoom.max);
      await track.applyConstraints({ advanced: [{ zoom } as MediaTrackConstraintSet] });
    });
  }

  setMICVolume(options?: Options<{ volume?: unknown }>) {
    return invoke('setMICVolume', options, () => this.session.setMicVolume(parseVolume(options?.volume)));
  }

  /** Background music mixed into the pushed audio and played locally (spec §3); 10003 when it cannot load. */
  playBGM(options?: Options<{ url?: unknown; startTimeMs?: unknown; endTimeMs?: unknown }>) {
    return invoke('playBGM', options, () =>
      this.session.playBgm({
        url: requireString(options?.url, 'url'),
        startTimeMs: parseOptionalTimeMs(options?.startTimeMs, 'startTimeMs'),
        endTimeMs: parseOptionalTimeMs(options?.endTimeMs, 'endTimeMs'),
      }),
    );
  }

  stopBGM(options?: Options) {
    return invoke('stopBGM', options, () => this.session.stopBgm());
  }

  pauseBGM(options?: Options) {
    return invoke('pauseBGM', options, () => this.session.pauseBgm());
  }

  resumeBGM(options?: Options) {
    return invoke('resumeBGM', options, () => this.session.resumeBgm());
  }

  setBGMVolume(options?: Options<{ volume?: unknown }>) {
    return invoke('setBGMVolume', options, () => this.session.setBgmVolume(parseVolume(options?.volume)));
  }

  /**
   * A colour lookup image (512×512, 8×8 tiles) applied after the `filter` look, mixed at `alpha`
   * (0–1, default 1); `md5` is checked against the image's bytes when given (spec §3).
   */
  applyFilter(options?: Options<{ path?: unknown; alpha?: unknown; md5?: unknown }>) {
    return invoke('applyFilter', options, async () => {
      const path = requireString(options?.path, 'path');
      const alpha = parseAlpha(options?.alpha);
      const { table, size } = await loadLookupImage(path, optionalMd5(options?.md5));
      this.session.applyLookup(table, size, alpha);
    });
  }

  /**
   * With `enableVideoCustomRender` (spec §3): `update` when the pushed size changes, `frame` per
   * captured frame, each with `{ width, height }` (and, as web extensions, `frame` and `canvas`).
   * What the `frame` listener leaves on {@link createOffscreenCanvas}'s canvas is pushed.
   */
  onCustomRendererEvent(event: CustomRendererEvent, callback: (info: CustomRendererInfo) => void): void {
    if (event !== 'frame' && event !== 'update') throw new TypeError(`onCustomRendererEvent: event must be 'frame' or 'update', got ${String(event)}`);
    if (typeof callback !== 'function') throw new TypeError('onCustomRendererEvent: callback must be a function');
    this.session.customRender.on(event, callback);
  }

  /** The canvas that is pushed with `enableVideoCustomRender`; it holds the picture when `frame` fires. */
  createOffscreenCanvas(): OffscreenCanvas {
    return this.session.customRender.offscreenCanvas();
  }

  /** Closes the picture-in-picture window of the preview (spec §3). */
  exitPictureInPicture(options?: Options) {
    return invoke('exitPictureInPicture', options, () => this.element.exitPictureInPicture());
  }

  clearFilters(options?: Options) {
    return invoke('clearFilters', options, () => this.session.clearLookup());
  }

  /**
   * Stickers over the pushed picture (spec §3), in place of the ones of the same `type` before:
   * `2D`/`front` placed by `pos` in the picture, `face`/`head` following the face, `back` behind
   * or inside the person (effects/stickers.ts has the shapes).
   */
  applySticker(options?: Options<{ type?: unknown; stickers?: unknown }>) {
    return invoke('applySticker', options, async () => {
      const stickers = await loadStickers(options);
      this.session.changeOverlays((picture) => picture.applyStickers(stickers[0]!.type, stickers));
    });
  }

  clearStickers(options?: Options) {
    return invoke('clearStickers', options, () => this.session.changeOverlays((picture) => picture.clearStickers()));
  }

  applyLipStickMakeup(options?: Options<MakeupOptions>) {
    return this.applyMakeup('applyLipStickMakeup', 'lipstick', options);
  }

  applyEyeShadowMakeup(options?: Options<MakeupOptions>) {
    return this.applyMakeup('applyEyeShadowMakeup', 'eyeShadow', options);
  }

  applyBlusherStickMakeup(options?: Options<MakeupOptions>) {
    return this.applyMakeup('applyBlusherStickMakeup', 'blusher', options);
  }

  applyFaceContourMakeup(options?: Options<MakeupOptions>) {
    return this.applyMakeup('applyFaceContourMakeup', 'faceContour', options);
  }

  applyEyeBrowMakeup(options?: Options<MakeupOptions>) {
    return this.applyMakeup('applyEyeBrowMakeup', 'eyeBrow', options);
  }

  clearMakeups(options?: Options) {
    return invoke('clearMakeups', options, () => this.session.changeOverlays((picture) => picture.clearMakeups()));
  }

  /** A makeup picture on its landmark region, blended at `alpha` (spec §3), in place of that kind's one before. */
  private applyMakeup(method: string, kind: MakeupKind, options: Options<MakeupOptions>) {
    return invoke(method, options, async () => {
      const makeup = await loadMakeup(options);
      this.session.changeOverlays((picture) => picture.applyMakeup(kind, makeup));
    });
  }

  /** Carried in the next video frame as an H.264 SEI user_data_unregistered message (spec §3). */
  sendMessage(options?: Options<{ msg?: unknown }>) {
    return invoke('sendMessage', options, () => this.session.sendMessage(requireString(options?.msg, 'msg')));
  }
}

/** `createLivePusherContext(target?)` (spec §3): `target` is an element, an id, or nothing. */
export function createLivePusherContext(target?: Element | string): LivePusherContext {
  return new LivePusherContext(resolveTarget(target));
}
