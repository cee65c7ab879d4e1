/**
 * Camera frames as the CPU route's I420 (`yuv-picture.ts`): an I420 frame is copied out as it is;
 * NV12 (a common camera and hardware-decoder layout) has its interleaved chroma split; RGB frames
 * (a canvas's `captureStream`, a screen) are converted to the pushed codes (`PUSHED_COLOUR`,
 * full-range BT.709; chroma the mean of each 2×2 block), as the encoder converts them.
 */
import { PUSHED_COLOUR, yuvMaps, type YuvColour } from './yuv-colour.js';
import type { I420Picture } from './yuv-picture.js';

const RGB_FORMATS = new Set(['RGBA', 'RGBX', 'BGRA', 'BGRX']);

/** The colour of the codes the CPU route will work `format`'s frames in; null: a format it does not take. */
export function cpuInputColour(format: VideoPixelFormat | null, space: YuvColour | null): YuvColour | null {
  if (format === 'I420' || format === 'NV12') return space;
  return format && RGB_FORMATS.has(format) ? PUSHED_COLOUR : null;
}

/** NV12 (`width`×`height` luma, then interleaved u, v at half size, rows packed) into `dst`. */
export function nv12ToI420(src: Uint8Array, dst: I420Picture): void {
  const { width, height, data } = dst;
  const size = width * height;
  data.set(src.subarray(0, size));
  const quarter = size / 4;
  for (let i = 0; i < quarter; i++) {
    data[size + i] = src[size + 2 * i]!;
    data[size + quarter + i] = src[size + 2 * i + 1]!;
  }
}

/** 8-bit RGB with a fourth byte (red first, or blue first with `bgr`), rows packed, into `dst` (`PUSHED_COLOUR`). */
export function rgbToI420(src: Uint8Array, bgr: boolean, dst: I420Picture): void {
  const { width, height, data } = dst;
  const { toYuv, yuvOffset } = yuvMaps(PUSHED_COLOUR);
  const [yr, yg, yb, ur, ug, ub, vr, vg, vb] = Array.from(toYuv, (k) => k / 255);
  const [y0, c0] = [yuvOffset[0]! + 0.5, yuvOffset[1]! + 0.5];
  const r = bgr ? 2 : 0;
  const b = bgr ? 0 : 2;
  const uOff = width * height;
  const vOff = uOff + uOff / 4;
  for (let y = 0; y < height; y += 2)
    for (let x = 0; x < width; x += 2) {
      let rs = 0, gs = 0, bs = 0;
      for (let k = 0; k < 4; k++) {
        const p = (y + (k >> 1)) * width + x + (k & 1);
        const R = src[4 * p + r]!, G = src[4 * p + 1]!, B = src[4 * p + b]!;
        data[p] = Math.min(255, (yr! * R + yg! * G + yb! * B + y0) | 0);
        rs += R;
        gs += G;
        bs += B;
      }
      const c = (y >> 1) * (width >> 1) + (x >> 1);
      // Full range reaches 255.5 for a saturated blue or red: clamped (a Uint8Array would wrap it to 0).
      data[uOff + c] = Math.min(255, Math.max(0, (0.25 * (ur! * rs + ug! * gs + ub! * bs) + c0) | 0));
      data[vOff + c] = Math.min(255, Math.max(0, (0.25 * (vr! * rs + vg! * gs + vb! * bs) + c0) | 0));
    }
}
