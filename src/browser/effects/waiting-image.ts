/**
 * The `waiting-image` (spec §1): the picture pushed while paused or while the page is hidden.
 * Loaded (and its MD5 checked against `waiting-image-hash`) as soon as it is set, so a bad image
 * is reported with 10004 when the app sets it, not when the user pauses; until it loads, or when
 * it failed, the session falls back to the last camera frame.
 */
import { fetchChecked } from './lookup-image.js';

export interface WaitingImageSource {
  url: string;
  /** MD5 hex of the image's bytes; '' for none. */
  hash: string;
}

export class WaitingImage {
  private bitmap: ImageBitmap | undefined;
  private key = '';
  /** Bumped per load, so a slow load that was superseded drops its result. */
  private loads = 0;

  /** `onError` gets a message for statechange/error 10004. */
  constructor(private readonly onError: (message: string) => void) {}

  /** Sets the image (nothing when unchanged); resolves once it loaded or failed. */
  async set(source: WaitingImageSource | undefined): Promise<void> {
    const key = source?.url ? `${source.url}#${source.hash}` : '';
    if (key === this.key) return;
    this.key = key;
    const load = ++this.loads;
    this.clear();
    if (!source?.url) return;
    try {
      const blob = await fetchChecked(source.url, source.hash || undefined);
      const bitmap = await createImageBitmap(blob);
      if (load !== this.loads) return bitmap.close();
      this.bitmap = bitmap;
    } catch (e) {
      if (load !== this.loads) return;
      this.onError(`waiting-image ${source.url}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  get ready(): boolean {
    return this.bitmap !== undefined;
  }

  /** A frame of the image stamped `timestampUs` (the caller closes it), or undefined without one. */
  frame(timestampUs: number): VideoFrame | undefined {
    return this.bitmap ? new VideoFrame(this.bitmap, { timestamp: timestampUs, alpha: 'discard' }) : undefined;
  }

  clear(): void {
    this.bitmap?.close();
    this.bitmap = undefined;
  }
}
