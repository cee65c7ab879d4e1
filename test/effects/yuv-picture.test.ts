/**
 * The CPU route's arithmetic in Node (yuv-colour.ts, yuv-picture.ts, i420-input.ts): the code ↔
 * RGB maps undo each other, an identity table gives the picture back, a warp that moves nothing
 * moves nothing, smoothing touches skin, not the rest, and NV12 and RGB frames become I420. The browser test picture-routes.test.ts checks the
 * route against the GPU's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faceWarp } from '../../src/browser/effects/face-shape.js';
import { BAKED_TABLE_SIZE } from '../../src/browser/effects/lut-pass.js';
import { Smooth } from '../../src/browser/effects/smooth-pass.js';
import { codeConversion, PUSHED_COLOUR, rgbDistanceForm, yuvColourOf, yuvMaps } from '../../src/browser/effects/yuv-colour.js';
import { YuvPicture, yuvTableFrom, type I420Picture } from '../../src/browser/effects/yuv-picture.js';
import { cpuInputColour, nv12ToI420, rgbToI420 } from '../../src/browser/effects/i420-input.js';

const W = 64;
const H = 48;
const BT601 = yuvColourOf(null)!;

/** A picture whose left half is a skin tone with a little texture and right half a grey-blue ramp. */
function picture(): I420Picture {
  const data = new Uint8Array((W * H * 3) / 2);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = x < W / 2 ? 150 + ((x * 7 + y * 3) % 5) : 60 + x;
  for (let y = 0; y < H / 2; y++)
    for (let x = 0; x < W / 2; x++) {
      data[W * H + y * (W / 2) + x] = x < W / 4 ? 110 : 150;
      data[(W * H * 5) / 4 + y * (W / 2) + x] = x < W / 4 ? 155 : 120;
    }
  return { data, width: W, height: H };
}

const blank = (): I420Picture => ({ data: new Uint8Array((W * H * 3) / 2), width: W, height: H });

test('the code/RGB maps undo each other, and the distance form is the squared RGB distance', () => {
  for (const colour of [BT601, yuvColourOf({ matrix: 'bt709', fullRange: true })!]) {
    const { toRgb, rgbOffset, toYuv, yuvOffset } = yuvMaps(colour);
    const codes = [90, 100, 170];
    const rgb = [0, 1, 2].map((r) => toRgb[r * 3]! * codes[0]! + toRgb[r * 3 + 1]! * codes[1]! + toRgb[r * 3 + 2]! * codes[2]! + rgbOffset[r]!);
    const back = [0, 1, 2].map((r) => toYuv[r * 3]! * rgb[0]! + toYuv[r * 3 + 1]! * rgb[1]! + toYuv[r * 3 + 2]! * rgb[2]! + yuvOffset[r]!);
    back.forEach((v, i) => assert.ok(Math.abs(v - codes[i]!) < 1e-9, `${JSON.stringify(colour)}: ${back} for ${codes}`));
    const q = rgbDistanceForm(toRgb);
    const d = [3, -2, 5];
    const dr = [0, 1, 2].map((r) => toRgb[r * 3]! * d[0]! + toRgb[r * 3 + 1]! * d[1]! + toRgb[r * 3 + 2]! * d[2]!);
    const form = q[0]! * 9 + q[1]! * 4 + q[2]! * 25 + q[3]! * 3 * -2 + q[4]! * 3 * 5 + q[5]! * -2 * 5;
    assert.ok(Math.abs(form - (dr[0]! ** 2 + dr[1]! ** 2 + dr[2]! ** 2)) < 1e-12);
  }
  // Limited-range BT.601: code 16 is black, 235 white.
  const { toRgb, rgbOffset } = yuvMaps(BT601);
  assert.ok(Math.abs(toRgb[0]! * 235 + toRgb[1]! * 128 + toRgb[2]! * 128 + rgbOffset[0]! - 1) < 1e-9);
  assert.equal(yuvColourOf({ matrix: 'rgb' }), null);
});

test('an identity table gives the picture back within the table’s rounding', () => {
  const n = BAKED_TABLE_SIZE;
  const rgba = new Uint8Array(n * n * n * 4);
  for (let v = 0; v < n; v++)
    for (let u = 0; u < n; u++)
      for (let y = 0; y < n; y++) rgba.set([Math.round((y * 255) / (n - 1)), Math.round((u * 255) / (n - 1)), Math.round((v * 255) / (n - 1))], ((v * n + u) * n + y) * 4);
  const src = picture();
  const dst = blank();
  new YuvPicture().process(src, dst, { table: yuvTableFrom(rgba) }, BT601);
  let worst = 0;
  for (let i = 0; i < src.data.length; i++) worst = Math.max(worst, Math.abs(src.data[i]! - dst.data[i]!));
  assert.ok(worst <= 1, `off by ${worst}`);
});

test('a warp that moves nothing leaves the picture; one that moves, moves only inside its box', () => {
  const points = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    const a = (i / 68) * 2 * Math.PI;
    points.set([32 + 10 * Math.cos(a), 24 + 12 * Math.sin(a)], 2 * i);
  }
  const src = picture();
  const still = blank();
  new YuvPicture().process(src, still, { warp: faceWarp(points, 0, 0) }, BT601);
  assert.deepEqual(still.data, src.data);
  const moved = blank();
  const warp = faceWarp(points, 1, 1);
  new YuvPicture().process(src, moved, { warp }, BT601);
  const [x0, y0, x1, y1] = warp.bounds;
  let inside = 0;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const changed = moved.data[y * W + x] !== src.data[y * W + x];
      const inBox = x + 0.5 >= x0 && x + 0.5 <= x1 && y + 0.5 >= y0 && y + 0.5 <= y1;
      // A block straddling the box's edge may move a pixel just outside it by a rounding.
      if (changed && !inBox) assert.ok(Math.abs(moved.data[y * W + x]! - src.data[y * W + x]!) <= 1, `(${x}, ${y}) outside the box moved`);
      if (changed && inBox) inside++;
    }
  assert.ok(inside > 20, `${inside} pixels moved`);
});

test('smoothing evens out the skin half and leaves the rest', () => {
  const smooth = new Smooth();
  smooth.level = 9;
  const src = picture();
  const dst = blank();
  new YuvPicture().process(src, dst, { smooth: smooth.shape(W, H) }, BT601);
  const spread = (p: I420Picture, x0: number, x1: number): number => {
    let lo = 255, hi = 0;
    for (let y = 8; y < H - 8; y++) for (let x = x0; x < x1; x++) (lo = Math.min(lo, p.data[y * W + x]!)), (hi = Math.max(hi, p.data[y * W + x]!));
    return hi - lo;
  };
  assert.ok(spread(dst, 8, 24) < spread(src, 8, 24), `skin texture ${spread(src, 8, 24)} → ${spread(dst, 8, 24)}`);
  for (let y = 0; y < H; y++) for (let x = W / 2 + 4; x < W; x++) assert.equal(dst.data[y * W + x], src.data[y * W + x], `(${x}, ${y}) is not skin`);
});

test('NV12 and RGB frames become the I420 the route works on (full-range BT.709 for RGB)', () => {
  const [w, h] = [4, 2];
  const nv12 = Uint8Array.from([10, 11, 12, 13, 14, 15, 16, 17, 100, 200, 101, 201]);
  const out: I420Picture = { data: new Uint8Array(12), width: w, height: h };
  nv12ToI420(nv12, out);
  assert.deepEqual([...out.data], [10, 11, 12, 13, 14, 15, 16, 17, 100, 101, 200, 201]);
  // Pure red and white, red first and blue first: full-range BT.709 red is (54, 99, 255), white (255, 128, 128).
  const rgba = new Uint8Array(w * h * 4);
  for (let p = 0; p < w * h; p++) rgba.set(p % 4 < 2 ? [255, 0, 0, 255] : [255, 255, 255, 255], 4 * p);
  rgbToI420(rgba, false, out);
  assert.deepEqual([...out.data], [54, 54, 255, 255, 54, 54, 255, 255, 99, 128, 255, 128]);
  const bgra = rgba.map((v, i) => (i % 4 === 0 ? rgba[i + 2]! : i % 4 === 2 ? rgba[i - 2]! : v));
  rgbToI420(bgra, true, out);
  assert.deepEqual([...out.data], [54, 54, 255, 255, 54, 54, 255, 255, 99, 128, 255, 128]);
  assert.equal(cpuInputColour('RGBA', null), PUSHED_COLOUR);
  assert.equal(cpuInputColour('I420A', BT601), null);
  assert.equal(cpuInputColour('NV12', BT601), BT601);
});

test('without a table the codes are converted into the pushed colour space', () => {
  const convert = codeConversion(BT601, PUSHED_COLOUR);
  const src = picture();
  // Limited-range black and white (grey chroma) in the right half's first rows.
  for (const row of [0, 1]) src.data.set([16, 16, 235, 235], row * W + W - 4);
  for (const plane of [W * H, (W * H * 5) / 4]) src.data.set([128, 128], plane + W / 2 - 2);
  const dst = blank();
  new YuvPicture().process(src, dst, { convert }, BT601);
  assert.deepEqual([...dst.data.subarray(W - 4, W)], [0, 0, 255, 255]);
  // The skin tone keeps its colour: through RGB, both codes give the same (within a level).
  const rgbOf = (colour: typeof BT601, y: number, u: number, v: number): number[] => {
    const { toRgb, rgbOffset } = yuvMaps(colour);
    return [0, 1, 2].map((r) => Math.round(255 * (toRgb[r * 3]! * y + toRgb[r * 3 + 1]! * u + toRgb[r * 3 + 2]! * v + rgbOffset[r]!)));
  };
  const at = 8 * W + 4;
  const chroma = (W * H) + 4 * (W / 2) + 2;
  const before = rgbOf(BT601, src.data[at]!, src.data[chroma]!, src.data[chroma + (W * H) / 4]!);
  const after = rgbOf(PUSHED_COLOUR, dst.data[at]!, dst.data[chroma]!, dst.data[chroma + (W * H) / 4]!);
  before.forEach((v, i) => assert.ok(Math.abs(v - after[i]!) <= 2, `${before} → ${after}`));
});
