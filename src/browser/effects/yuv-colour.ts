/**
 * How a camera frame's Y′CbCr codes map to the RGB the effects work in (ITU-R BT.601, BT.709,
 * BT.2020 matrices; limited or full range), for the picture pass on the CPU
 * (`yuv-picture.ts`). The GPU route gets RGB from the browser's own upload, which reads the same
 * `VideoFrame.colorSpace`; the CPU route works on the codes and must agree with it.
 */

/**
 * The codes of every picture the encoder gets while pushing, whichever way it came: full-range
 * BT.709, what Chromium's H.264 encoder makes of the GPU route's RGBA pictures (and tags them as:
 * a recording of them probes `pc`, `bt709`). The encoder starts a new sequence with a new colour
 * description whenever its frames' colour space changes (Chromium's OpenH264VideoEncoder
 * `UpdateEncoderColorSpace`), and players, ffmpeg's conversion among them, may keep the first
 * one: so the CPU route and the camera's own frames are converted to these codes too, and a push
 * keeps one description when effects, stickers or a pause change the route.
 */
export const PUSHED_COLOUR: YuvColour = { kr: 0.2126, kb: 0.0722, full: true };
export const PUSHED_COLOR_SPACE: VideoColorSpaceInit = { matrix: 'bt709', primaries: 'bt709', transfer: 'iec61966-2-1', fullRange: true };

/** Whether two colours give the same codes. */
export function sameColour(a: YuvColour, b: YuvColour): boolean {
  return a.kr === b.kr && a.kb === b.kb && a.full === b.full;
}

/** Luma weights of the matrix, and whether the codes use the full 0–255 range. */
export interface YuvColour {
  kr: number;
  kb: number;
  full: boolean;
}

/**
 * The frame's matrix; where it does not say (null, or a matrix this route does not know), BT.601
 * limited range, what Chromium assumes for an untagged camera frame. `rgb` (no matrix) is not a
 * Y′CbCr frame: null.
 */
export function yuvColourOf(space: { matrix?: string | null; fullRange?: boolean | null } | null | undefined): YuvColour | null {
  const full = space?.fullRange ?? false;
  switch (space?.matrix ?? 'smpte170m') {
    case 'bt709':
      return { kr: 0.2126, kb: 0.0722, full };
    case 'bt2020-ncl':
      return { kr: 0.2627, kb: 0.0593, full };
    case 'rgb':
      return null;
    default:
      return { kr: 0.299, kb: 0.114, full };
  }
}

/**
 * The affine maps between codes (0–255 each) and RGB (0–1 each): rgb = toRgb · (y, u, v) + rgbOffset,
 * and back, yuv = toYuv · rgb + yuvOffset; 3×3 row-major. The Y′CbCr ↔ R′G′B′ equations of
 * BT.601 §2.5 / BT.709 §3, with the code ranges of full or limited (16–235, 16–240) quantisation.
 */
export interface YuvMaps {
  toRgb: Float64Array;
  rgbOffset: Float64Array;
  toYuv: Float64Array;
  yuvOffset: Float64Array;
}

export function yuvMaps({ kr, kb, full }: YuvColour): YuvMaps {
  const kg = 1 - kr - kb;
  const [y0, yRange, cRange] = full ? [0, 255, 255] : [16, 219, 224];
  const crR = (2 * (1 - kr)) / cRange;
  const cbB = (2 * (1 - kb)) / cRange;
  const toRgb = Float64Array.of(1 / yRange, 0, crR, 1 / yRange, (-kb * cbB) / kg, (-kr * crR) / kg, 1 / yRange, cbB, 0);
  const rgbOffset = new Float64Array(3);
  for (let r = 0; r < 3; r++) rgbOffset[r] = -(toRgb[r * 3]! * y0 + toRgb[r * 3 + 1]! * 128 + toRgb[r * 3 + 2]! * 128);
  // Y = y0 + yRange·(kr R + kg G + kb B); Cb = 128 + cRange·(B − Y′)/(2(1 − kb)); Cr likewise with R.
  const cb = cRange / (2 * (1 - kb));
  const cr = cRange / (2 * (1 - kr));
  const toYuv = Float64Array.of(yRange * kr, yRange * kg, yRange * kb, -kr * cb, -kg * cb, (1 - kb) * cb, (1 - kr) * cr, -kg * cr, -kb * cr);
  return { toRgb, rgbOffset, toYuv, yuvOffset: Float64Array.of(y0, 128, 128) };
}

/**
 * The symmetric form q(d) = |toRgb · d|² as its six distinct terms (qyy, quu, qvv, 2qyu, 2qyv,
 * 2quv): the squared RGB distance of a difference of codes, which the smoothing weighs colour
 * steps by, without going through RGB per pixel.
 */
export function rgbDistanceForm(toRgb: Float64Array): Float64Array {
  const q = (i: number, j: number): number => {
    let s = 0;
    for (let r = 0; r < 3; r++) s += toRgb[r * 3 + i]! * toRgb[r * 3 + j]!;
    return s;
  };
  return Float64Array.of(q(0, 0), q(1, 1), q(2, 2), 2 * q(0, 1), 2 * q(0, 2), 2 * q(1, 2));
}

/** The last {@link codeConversion} asked for: the stage asks for the same one every frame. */
let lastConversion: { from: YuvColour; to: YuvColour; map: Float64Array } | undefined;

/**
 * The affine map from codes of `from` to codes of `to` through RGB (unclamped): 3×4 row-major,
 * the fourth column the offset. Shared: not to be written to.
 */
export function codeConversion(from: YuvColour, to: YuvColour): Float64Array {
  if (!lastConversion || !sameColour(lastConversion.from, from) || !sameColour(lastConversion.to, to)) lastConversion = { from, to, map: conversion(from, to) };
  return lastConversion.map;
}

function conversion(from: YuvColour, to: YuvColour): Float64Array {
  const a = yuvMaps(from);
  const b = yuvMaps(to);
  const out = new Float64Array(12);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let k = 0; k < 3; k++) sum += b.toYuv[r * 3 + k]! * a.toRgb[k * 3 + c]!;
      out[r * 4 + c] = sum;
    }
    let offset = b.yuvOffset[r]!;
    for (let k = 0; k < 3; k++) offset += b.toYuv[r * 3 + k]! * a.rgbOffset[k]!;
    out[r * 4 + 3] = offset;
  }
  return out;
}
