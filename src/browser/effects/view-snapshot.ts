/**
 * snapshot `sourceType: 'view'` (spec §3): the preview as the user sees it — the pushed picture
 * fitted into the element's box the way the preview's `object-fit: cover` does, at device
 * pixels, flipped when the local mirror differs from the remote mirror already in the picture.
 */

/** The element's box in device pixels, and whether the view flips the pushed picture. */
export interface ViewGeometry {
  width: number;
  height: number;
  flip: boolean;
}

/** Renders `picture` (closed here) as the view; `view` undefined keeps the picture's size. */
export async function renderView(
  picture: ImageBitmap,
  view: ViewGeometry | undefined,
  type: 'image/png' | 'image/jpeg',
): Promise<{ blob: Blob; width: number; height: number }> {
  try {
    const width = view?.width ?? picture.width;
    const height = view?.height ?? picture.height;
    const canvas = new OffscreenCanvas(width, height);
    const g = canvas.getContext('2d')!;
    // Cover, centred: as the preview <video> shows it.
    const scale = Math.max(width / picture.width, height / picture.height);
    const dw = picture.width * scale;
    const dh = picture.height * scale;
    if (view?.flip) {
      g.translate(width, 0);
      g.scale(-1, 1);
    }
    g.drawImage(picture, (width - dw) / 2, (height - dh) / 2, dw, dh);
    const blob = await canvas.convertToBlob({ type, ...(type === 'image/jpeg' ? { quality: 0.9 } : {}) });
    return { blob, width, height };
  } finally {
    picture.close();
  }
}
