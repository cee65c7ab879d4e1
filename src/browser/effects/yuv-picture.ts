/**
 * The picture pass (`picture-pass.ts`) on the CPU, over the camera's own I420 codes: the route
 * the stage takes under software WebGL (issue 6: 1280×720@30 with every effect on must hold 25
 * fps there). Under SwiftShader the GPU route spends about 14 CPU ms per 720p frame on the stage
 * itself (the I420→RGBA upload, the draw, the read-back) and each texture read per pixel costs
 * milliseconds more; here a pixel costs a few table reads, and the frame goes to the encoder in
 * the I420 it came in, so nothing converts it to RGBA and back.
 *
 * The same steps as the GPU route, in the same order, so that the two give the same picture
 * (`test/browser/yuv-picture.test.ts` compares them on one frame):
 * - face warp: the pixel reads its colour where {@link faceWarpSource} sends it, interpolated
 *   over the same mesh of triangles the GPU draws (`face-warp-pass.ts`), bilinearly;
 * - smoothing: the reduced bilateral layer (`smooth-pass.ts`), built here from the codes, read
 *   bilinearly at the pixel's source and blended as `SMOOTH_GLSL` does. The blend is linear in
 *   colour, so it works on the codes directly; only the colour distances that weigh it go
 *   through RGB, as a quadratic form of the code difference ({@link rgbDistanceForm});
 * - colour: whitening, the filter look and the applyFilter table, baked by the GPU route's own
 *   GLSL into a table over Y′CbCr codes (`PicturePass.yuvSteps`), read nearest at
 *   {@link BAKED_TABLE_SIZE} points as the GPU route reads its RGB one. Luma reads it per pixel,
 *   chroma once per 2×2 block at the block's mean.
 * - the codes leave in the pushed colour space (`PUSHED_COLOUR`): the table takes them there, and
 *   without one an affine map (`convert`) does.
 */
import type { FaceWarp } from './face-shape.js';
import { FACE_MESH_GRID, faceWarpSource } from './face-warp-pass.js';
import { BAKED_TABLE_SIZE } from './lut-pass.js';
import { skinLikelihood } from './shader-pass.js';
import { falloff, SMOOTH_TAPS, type SmoothShape } from './smooth-pass.js';
import { rgbDistanceForm, yuvMaps, type YuvColour, type YuvMaps } from './yuv-colour.js';

/** A picture in I420: the Y plane, then U, then V, each packed row after row; even width and height. */
export interface I420Picture {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The steps that change this frame (absent: off). */
export interface YuvSteps {
  warp?: FaceWarp;
  smooth?: SmoothShape;
  /** The colour steps, whose table also takes the codes into the pushed colour space. */
  table?: YuvTable;
  /** Without a table: the map of codes into the pushed colour space (`codeConversion`), where they differ. */
  convert?: Float64Array;
}

/** Whether `steps` change the picture at all (else the camera's frame is the picture). */
export function changesPicture(steps: YuvSteps): boolean {
  return steps.warp !== undefined || steps.smooth !== undefined || steps.table !== undefined || steps.convert !== undefined;
}

/**
 * The colour steps over Y′CbCr codes, at {@link BAKED_TABLE_SIZE} slots a side, indexed
 * (v slot · N + u slot) · N + y slot: the luma they give, and the chroma (u′, v′ interleaved).
 * Apart, because luma is read four times as often: a pixel's read touches a byte, not four.
 */
export interface YuvTable {
  luma: Uint8Array;
  chroma: Uint8Array;
}

/** A {@link YuvTable} from the table as the GPU bakes it (RGBA texels holding y′, u′, v′ codes). */
export function yuvTableFrom(rgba: Uint8Array): YuvTable {
  const count = rgba.length / 4;
  const luma = new Uint8Array(count);
  const chroma = new Uint8Array(count * 2);
  for (let i = 0; i < count; i++) {
    luma[i] = rgba[4 * i]!;
    chroma[2 * i] = rgba[4 * i + 1]!;
    chroma[2 * i + 1] = rgba[4 * i + 2]!;
  }
  return { luma, chroma };
}

/** A 3×4 affine map, row after row. */
type Affine = [number, number, number, number, number, number, number, number, number, number, number, number];

const N = BAKED_TABLE_SIZE;
/** The table slot of a code: the nearest lattice point, as the GPU's nearest read picks it. */
const SLOT_SCALE = (N - 1) / 255;
const GRID = FACE_MESH_GRID;
const TAP_COUNT = SMOOTH_TAPS.length / 3;

/** A code from a value: rounded, clamped to 0–255. */
const code = (c: number): number => (c <= 0 ? 0 : c >= 255 ? 255 : (c + 0.5) | 0);
const slotOf = (c: number): number => (c <= 0 ? 0 : c >= 255 ? N - 1 : (c * SLOT_SCALE + 0.5) | 0);
/** {@link slotOf} of each whole code. */
const SLOT = Uint8Array.from({ length: 256 }, (_, c) => slotOf(c));

/** Bilinear read of a plane (`w`×`h` at `offset`) at (x, y) in texel units, texel centres on whole numbers. */
function bilinear(data: Uint8Array, offset: number, w: number, h: number, x: number, y: number): number {
  x = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
  y = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
  const x0 = x | 0;
  const y0 = y | 0;
  const fx = x - x0;
  const fy = y - y0;
  const x1 = x0 + 1 < w ? x0 + 1 : x0;
  const r0 = offset + y0 * w;
  const r1 = y0 + 1 < h ? r0 + w : r0;
  const top = data[r0 + x0]! + (data[r0 + x1]! - data[r0 + x0]!) * fx;
  const bottom = data[r1 + x0]! + (data[r1 + x1]! - data[r1 + x0]!) * fx;
  return top + (bottom - top) * fy;
}

export class YuvPicture {
  private maps: YuvMaps | undefined;
  private colourKey = '';
  /** Distance form of the current colour (see {@link rgbDistanceForm}). */
  private form: Float64Array = new Float64Array(6);
  /** The smoothing's reduced picture (y, u, v) and layer (y, u, v, skin), at the layer's size. */
  private centre = new Float32Array(0);
  private layer = new Float32Array(0);
  /** The layer interpolated to the two rows of a block, per layer column (y, u, v, skin). */
  private rows = [new Float32Array(0), new Float32Array(0)];
  /** Per pushed column: the layer column left of it and the weight of the one right of it. */
  private columnAt = new Int32Array(0);
  private columnWeight = new Float32Array(0);
  /** Where the warp mesh's corners read from: (GRID + 1)² × (x, y). */
  private readonly corners = new Float64Array((GRID + 1) * (GRID + 1) * 2);
  private meshBounds: readonly number[] = [0, 0, 0, 0];
  /** Per mesh cell, 1 where none of its corners moves; and the cell of each pixel column and row (−1: none). */
  private readonly stillCells = new Uint8Array(GRID * GRID);
  private cellOfColumn = new Int16Array(0);
  private cellOfRow = new Int16Array(0);
  private readonly point = new Float64Array(2);
  /** One layer read's result (y, u, v, skin). */
  private readonly layerSample = new Float32Array(4);
  /** The smoothing taps' offsets in layer pixels, whole part and fraction. */
  private readonly tapX = new Int32Array(TAP_COUNT);
  private readonly tapY = new Int32Array(TAP_COUNT);
  private readonly tapFx = new Float64Array(TAP_COUNT);
  private readonly tapFy = new Float64Array(TAP_COUNT);
  /** The block being shaded: its four pixels' luma, the layer's luma and skin there, and where they read from. */
  private readonly blockY = new Float64Array(4);
  private readonly blockLayerY = new Float64Array(4);
  private readonly blockLayerA = new Float64Array(4);
  private readonly blockSourceX = new Float64Array(4);
  private readonly blockSourceY = new Float64Array(4);
  /** A moved block's chroma, and the layer's, at its pixels' mean source. */
  private readonly warpedChroma = { u: 0, v: 0, lu: 0, lv: 0 };

  /** Writes `src` through `steps` into `dst` (same size). */
  process(src: I420Picture, dst: I420Picture, steps: YuvSteps, colour: YuvColour): void {
    const { width: w, height: h } = src;
    this.setColour(colour);
    const { smooth, warp, table, convert } = steps;
    // The conversion's rows (luma, u, v), each three weights and an offset.
    const [k0, k1, k2, k3, u0, u1, u2, u3, v0, v1, v2, v3] = (convert ? Array.from(convert) : new Array<number>(12).fill(0)) as Affine;
    if (smooth) this.buildLayer(src, smooth);
    if (warp) this.buildMesh(warp, w, h);
    const s = src.data;
    const d = dst.data;
    const cw = w >> 1;
    const uOff = w * h;
    const vOff = uOff + cw * (h >> 1);
    const luma = table?.luma;
    const chroma = table?.chroma;
    const Y = this.blockY;
    const LY = this.blockLayerY;
    const LA = this.blockLayerA;
    const [rowA, rowB] = this.rows as [Float32Array, Float32Array];
    const columnAt = this.columnAt;
    const columnWeight = this.columnWeight;
    const [q0, q1, q2, q3, q4, q5] = this.form as unknown as [number, number, number, number, number, number];
    const keep = smooth ? 1 - smooth.detail : 0;
    const guard = smooth ? smooth.guard * keep * keep : 0;
    const amount = smooth ? smooth.amount * keep : 0;
    // The blocks that may move: those with a pixel centre inside the face's box.
    const [wx0, wy0, wx1, wy1] = warp ? warp.bounds : [0, 0, 0, 0];
    const bx0 = Math.max(0, Math.floor((wx0 - 0.5) / 2));
    const bx1 = Math.min(cw, Math.ceil((wx1 - 0.5) / 2) + 1);
    for (let by = 0; by < h >> 1; by++) {
      const y0 = 2 * by;
      const smoothRows = smooth !== undefined && this.layerRows(y0, h, smooth);
      const warpedRow = warp !== undefined && y0 + 1.5 > wy0 && y0 + 0.5 < wy1;
      for (let bx = 0; bx < cw; bx++) {
        const c = by * cw + bx;
        const x0 = 2 * bx;
        const i0 = y0 * w + x0;
        const inBox = warpedRow && bx >= bx0 && bx < bx1;
        if (!smoothRows && !inBox && luma && chroma) {
          // Colour alone: four luma reads and one chroma read of the table.
          const uv = (SLOT[s[vOff + c]!]! * N + SLOT[s[uOff + c]!]!) * N;
          const a = s[i0]!, b = s[i0 + 1]!, e = s[i0 + w]!, f = s[i0 + w + 1]!;
          d[i0] = luma[uv + SLOT[a]!]!;
          d[i0 + 1] = luma[uv + SLOT[b]!]!;
          d[i0 + w] = luma[uv + SLOT[e]!]!;
          d[i0 + w + 1] = luma[uv + SLOT[f]!]!;
          const m = (uv + slotOf((a + b + e + f) * 0.25)) * 2;
          d[uOff + c] = chroma[m]!;
          d[vOff + c] = chroma[m + 1]!;
          continue;
        }
        if (!smoothRows && !inBox && convert) {
          // Codes into the pushed colour space alone: luma per pixel, chroma once per block.
          const u = s[uOff + c]!;
          const v = s[vOff + c]!;
          const lumaOf = k1 * u + k2 * v + k3;
          const a = s[i0]!, b = s[i0 + 1]!, e = s[i0 + w]!, f = s[i0 + w + 1]!;
          d[i0] = code(k0 * a + lumaOf);
          d[i0 + 1] = code(k0 * b + lumaOf);
          d[i0 + w] = code(k0 * e + lumaOf);
          d[i0 + w + 1] = code(k0 * f + lumaOf);
          const y = (a + b + e + f) * 0.25;
          d[uOff + c] = code(u0 * y + u1 * u + u2 * v + u3);
          d[vOff + c] = code(v0 * y + v1 * u + v2 * v + v3);
          continue;
        }
        let u: number;
        let v: number;
        let skin = false;
        let lu = 0;
        let lv = 0;
        if (inBox && this.gatherWarped(src, x0, y0, smooth)) {
          ({ u, v, lu, lv } = this.warpedChroma);
          skin = smooth !== undefined && (LA[0]! > 0 || LA[1]! > 0 || LA[2]! > 0 || LA[3]! > 0);
        } else {
          u = s[uOff + c]!;
          v = s[vOff + c]!;
          Y[0] = s[i0]!;
          Y[1] = s[i0 + 1]!;
          Y[2] = s[i0 + w]!;
          Y[3] = s[i0 + w + 1]!;
          if (smoothRows) {
            for (let k = 0; k < 4; k++) {
              const row = k < 2 ? rowA : rowB;
              const x = x0 + (k & 1);
              const l = columnAt[x]! * 4;
              const t = columnWeight[x]!;
              const la = row[l + 3]! + (row[l + 7]! - row[l + 3]!) * t;
              LA[k] = la;
              if (la > 0) {
                skin = true;
                LY[k] = row[l]! + (row[l + 4]! - row[l]!) * t;
              }
            }
            if (skin) {
              // The layer's chroma at the block's first pixel (off skin the layer holds the picture's own).
              const l = columnAt[x0]! * 4;
              const t = columnWeight[x0]!;
              lu = rowA[l + 1]! + (rowA[l + 5]! - rowA[l + 1]!) * t;
              lv = rowA[l + 2]! + (rowA[l + 6]! - rowA[l + 2]!) * t;
            }
          }
        }
        if (skin) {
          // SMOOTH_GLSL's blend, c + (s − c)(1 − detail)·amount·a·falloff(|(s − c)(1 − detail)|²·guard),
          // per pixel for luma and once per block for chroma (at the pixels' mean weight): the
          // chroma planes have one sample per block anyway.
          const eu = lu - u;
          const ev = lv - v;
          const cross = q3 * eu + q4 * ev;
          const chromaDist = q1 * eu * eu + q2 * ev * ev + q5 * eu * ev;
          let weights = 0;
          for (let k = 0; k < 4; k++) {
            const la = LA[k]!;
            if (!(la > 0)) continue;
            const ey = LY[k]! - Y[k]!;
            const weight = amount * la * falloff((q0 * ey * ey + cross * ey + chromaDist) * guard);
            Y[k] = Y[k]! + ey * weight;
            weights += weight;
          }
          u += eu * weights * 0.25;
          v += ev * weights * 0.25;
        }
        if (luma && chroma) {
          const uv = (slotOf(v) * N + slotOf(u)) * N;
          d[i0] = luma[uv + slotOf(Y[0]!)]!;
          d[i0 + 1] = luma[uv + slotOf(Y[1]!)]!;
          d[i0 + w] = luma[uv + slotOf(Y[2]!)]!;
          d[i0 + w + 1] = luma[uv + slotOf(Y[3]!)]!;
          const m = (uv + slotOf((Y[0]! + Y[1]! + Y[2]! + Y[3]!) * 0.25)) * 2;
          d[uOff + c] = chroma[m]!;
          d[vOff + c] = chroma[m + 1]!;
        } else if (convert) {
          const lumaOf = k1 * u + k2 * v + k3;
          d[i0] = code(k0 * Y[0]! + lumaOf);
          d[i0 + 1] = code(k0 * Y[1]! + lumaOf);
          d[i0 + w] = code(k0 * Y[2]! + lumaOf);
          d[i0 + w + 1] = code(k0 * Y[3]! + lumaOf);
          const y = (Y[0]! + Y[1]! + Y[2]! + Y[3]!) * 0.25;
          d[uOff + c] = code(u0 * y + u1 * u + u2 * v + u3);
          d[vOff + c] = code(v0 * y + v1 * u + v2 * v + v3);
        } else {
          d[i0] = code(Y[0]!);
          d[i0 + 1] = code(Y[1]!);
          d[i0 + w] = code(Y[2]!);
          d[i0 + w + 1] = code(Y[3]!);
          d[uOff + c] = code(u);
          d[vOff + c] = code(v);
        }
      }
    }
  }

  /**
   * Reads a 2×2 block that the warp may move: each pixel's luma (and layer luma and skin) where
   * {@link meshSource} sends it, the block's chroma (and the layer's) at the pixels' mean source.
   * False, having read nothing, when no pixel of the block moves (the plain read does it).
   */
  private gatherWarped(src: I420Picture, x0: number, y0: number, smooth: SmoothShape | undefined): boolean {
    const { width: w, height: h } = src;
    const sxs = this.blockSourceX;
    const sys = this.blockSourceY;
    const p = this.point;
    if (this.stillAt(x0, y0) && this.stillAt(x0 + 1, y0 + 1) && this.stillAt(x0 + 1, y0) && this.stillAt(x0, y0 + 1)) return false;
    let moved = false;
    for (let k = 0; k < 4; k++) {
      const x = x0 + (k & 1) + 0.5;
      const y = y0 + (k >> 1) + 0.5;
      this.meshSource(x, y, p);
      sxs[k] = p[0]!;
      sys[k] = p[1]!;
      moved ||= Math.abs(p[0]! - x) > 1e-3 || Math.abs(p[1]! - y) > 1e-3;
    }
    if (!moved) return false;
    const s = src.data;
    const cw = w >> 1;
    const ch = h >> 1;
    const uOff = w * h;
    const vOff = uOff + cw * ch;
    const mx = (sxs[0]! + sxs[1]! + sxs[2]! + sxs[3]!) * 0.25;
    const my = (sys[0]! + sys[1]! + sys[2]! + sys[3]!) * 0.25;
    const out = this.warpedChroma;
    out.u = bilinear(s, uOff, cw, ch, mx / 2 - 0.5, my / 2 - 0.5);
    out.v = bilinear(s, vOff, cw, ch, mx / 2 - 0.5, my / 2 - 0.5);
    for (let k = 0; k < 4; k++) this.blockY[k] = bilinear(s, 0, w, h, sxs[k]! - 0.5, sys[k]! - 0.5);
    if (!smooth) return true;
    const { layerWidth: lw, layerHeight: lh } = smooth;
    for (let k = 0; k < 4; k++) {
      this.layerAt((sxs[k]! * lw) / w - 0.5, (sys[k]! * lh) / h - 0.5, lw, lh, 0, 3);
      this.blockLayerY[k] = this.layerSample[0]!;
      this.blockLayerA[k] = this.layerSample[3]!;
    }
    this.layerAt((mx * lw) / w - 0.5, (my * lh) / h - 0.5, lw, lh, 1, 2);
    out.lu = this.layerSample[1]!;
    out.lv = this.layerSample[2]!;
    return true;
  }

  private setColour(colour: YuvColour): void {
    const key = `${colour.kr},${colour.kb},${colour.full}`;
    if (key === this.colourKey) return;
    this.colourKey = key;
    this.maps = yuvMaps(colour);
    this.form = rgbDistanceForm(this.maps.toRgb);
  }

  /**
   * The reduced bilateral layer (`smooth-pass.ts` LAYER_FRAGMENT_SHADER): each layer pixel's
   * colour where the GPU reads it (the pushed picture at the layer pixel's centre, bilinear), its
   * skin likelihood, and, on skin, the bilateral mean over the sparse disc, whose taps read the
   * reduced picture bilinearly (they sit 2–5 layer pixels out, where the reduced picture is the
   * full one blurred over less than a pixel of the layer).
   */
  private buildLayer(src: I420Picture, shape: SmoothShape): void {
    const { width: w, height: h } = src;
    const { layerWidth: lw, layerHeight: lh } = shape;
    const maps = this.maps!;
    if (this.layer.length !== lw * lh * 4) {
      this.centre = new Float32Array(lw * lh * 3);
      this.layer = new Float32Array(lw * lh * 4);
      this.rows = [new Float32Array(lw * 4 + 4), new Float32Array(lw * 4 + 4)];
    }
    if (this.columnAt.length !== w) {
      this.columnAt = new Int32Array(w);
      this.columnWeight = new Float32Array(w);
    }
    for (let x = 0; x < w; x++) {
      const at = Math.min(lw - 1, Math.max(0, ((x + 0.5) * lw) / w - 0.5));
      this.columnAt[x] = Math.min(lw - 2, Math.floor(at));
      this.columnWeight[x] = at - this.columnAt[x]!;
      if (lw === 1) this.columnAt[x] = this.columnWeight[x] = 0;
    }
    const s = src.data;
    const cw = w >> 1;
    const ch = h >> 1;
    const uOff = w * h;
    const vOff = uOff + cw * ch;
    const C = this.centre;
    for (let j = 0; j < lh; j++) {
      const py = ((j + 0.5) * h) / lh;
      for (let i = 0; i < lw; i++) {
        const pxl = ((i + 0.5) * w) / lw;
        const o = (j * lw + i) * 3;
        C[o] = bilinear(s, 0, w, h, pxl - 0.5, py - 0.5);
        C[o + 1] = bilinear(s, uOff, cw, ch, pxl / 2 - 0.5, py / 2 - 0.5);
        C[o + 2] = bilinear(s, vOff, cw, ch, pxl / 2 - 0.5, py / 2 - 0.5);
      }
    }
    const { toRgb, rgbOffset } = maps;
    const [q0, q1, q2, q3, q4, q5] = this.form as unknown as [number, number, number, number, number, number];
    const L = this.layer;
    // The taps' offsets in layer pixels are the same for every pixel: split once into whole and fraction.
    const ox = (shape.radius * lw) / w;
    const oy = (shape.radius * lh) / h;
    const tapX = this.tapX;
    const tapY = this.tapY;
    const tapFx = this.tapFx;
    const tapFy = this.tapFy;
    let reach = 0;
    for (let k = 0; k < TAP_COUNT; k++) {
      const tx = SMOOTH_TAPS[3 * k]! * ox;
      const ty = SMOOTH_TAPS[3 * k + 1]! * oy;
      tapX[k] = Math.floor(tx);
      tapY[k] = Math.floor(ty);
      tapFx[k] = tx - tapX[k]!;
      tapFy[k] = ty - tapY[k]!;
      reach = Math.max(reach, Math.abs(tapX[k]!) + 1, Math.abs(tapY[k]!) + 1);
    }
    const unit = (v: number): number => (v <= 0 ? 0 : v >= 1 ? 1 : v);
    for (let j = 0; j < lh; j++) {
      const inside = j >= reach && j < lh - reach;
      for (let i = 0; i < lw; i++) {
        const o = (j * lw + i) * 3;
        const cy = C[o]!, cu = C[o + 1]!, cv = C[o + 2]!;
        const r = unit(toRgb[0]! * cy + toRgb[1]! * cu + toRgb[2]! * cv + rgbOffset[0]!);
        const g = unit(toRgb[3]! * cy + toRgb[4]! * cu + toRgb[5]! * cv + rgbOffset[1]!);
        const b = unit(toRgb[6]! * cy + toRgb[7]! * cu + toRgb[8]! * cv + rgbOffset[2]!);
        const skin = skinLikelihood(r, g, b);
        const l = (j * lw + i) * 4;
        L[l + 3] = skin;
        if (skin <= 0) {
          L[l] = cy;
          L[l + 1] = cu;
          L[l + 2] = cv;
          continue;
        }
        const fast = inside && i >= reach && i < lw - reach;
        let sy = cy, su = cu, sv = cv, wsum = 1;
        for (let k = 0; k < TAP_COUNT; k++) {
          let i0 = i + tapX[k]!, j0 = j + tapY[k]!, i1 = i0 + 1, j1 = j0 + 1;
          if (!fast) {
            i0 = i0 < 0 ? 0 : i0 > lw - 1 ? lw - 1 : i0;
            i1 = i1 < 0 ? 0 : i1 > lw - 1 ? lw - 1 : i1;
            j0 = j0 < 0 ? 0 : j0 > lh - 1 ? lh - 1 : j0;
            j1 = j1 < 0 ? 0 : j1 > lh - 1 ? lh - 1 : j1;
          }
          const fx = tapFx[k]!, fy = tapFy[k]!;
          const a = (j0 * lw + i0) * 3, bb = (j0 * lw + i1) * 3, c = (j1 * lw + i0) * 3, e = (j1 * lw + i1) * 3;
          const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
          const ay = C[a]! * w00 + C[bb]! * w10 + C[c]! * w01 + C[e]! * w11;
          const au = C[a + 1]! * w00 + C[bb + 1]! * w10 + C[c + 1]! * w01 + C[e + 1]! * w11;
          const av = C[a + 2]! * w00 + C[bb + 2]! * w10 + C[c + 2]! * w01 + C[e + 2]! * w11;
          const ey = ay - cy, eu = au - cu, ev = av - cv;
          const dist = q0 * ey * ey + q1 * eu * eu + q2 * ev * ev + q3 * ey * eu + q4 * ey * ev + q5 * eu * ev;
          const wt = SMOOTH_TAPS[3 * k + 2]! * falloff(dist * shape.rangeInv);
          sy += ay * wt;
          su += au * wt;
          sv += av * wt;
          wsum += wt;
        }
        L[l] = sy / wsum;
        L[l + 1] = su / wsum;
        L[l + 2] = sv / wsum;
      }
    }
  }

  /**
   * Fills {@link rows} with the layer interpolated to pushed rows `y0` and `y0 + 1`; false when
   * neither holds any skin (the blend leaves both rows alone).
   */
  private layerRows(y0: number, h: number, shape: SmoothShape): boolean {
    const { layerWidth: lw, layerHeight: lh } = shape;
    const L = this.layer;
    let skin = false;
    for (let r = 0; r < 2; r++) {
      const row = this.rows[r]!;
      const at = Math.min(lh - 1, Math.max(0, ((y0 + r + 0.5) * lh) / h - 0.5));
      const j0 = Math.floor(at);
      const j1 = Math.min(lh - 1, j0 + 1);
      const t = at - j0;
      const a = j0 * lw * 4;
      const b = j1 * lw * 4;
      for (let i = 0; i < lw * 4; i++) row[i] = L[a + i]! + (L[b + i]! - L[a + i]!) * t;
      // One more column, a copy of the last: a one-column layer's only column has a right neighbour.
      for (let c = 0; c < 4; c++) row[lw * 4 + c] = row[(lw - 1) * 4 + c]!;
      for (let i = 3; i < lw * 4 && !skin; i += 4) skin = row[i]! > 0;
    }
    return skin;
  }

  /** Channels `c0` and `c1` of the layer (y, u, v, skin) at layer coordinates (x, y), bilinear, into {@link layerSample}. */
  private layerAt(x: number, y: number, lw: number, lh: number, c0: number, c1: number): void {
    const out = this.layerSample;
    x = Math.min(lw - 1, Math.max(0, x));
    y = Math.min(lh - 1, Math.max(0, y));
    const i0 = Math.floor(x), j0 = Math.floor(y);
    const i1 = Math.min(lw - 1, i0 + 1), j1 = Math.min(lh - 1, j0 + 1);
    const fx = x - i0, fy = y - j0;
    const L = this.layer;
    for (let c = c0; c <= c1; c += c1 - c0) {
      const top = L[(j0 * lw + i0) * 4 + c]! + (L[(j0 * lw + i1) * 4 + c]! - L[(j0 * lw + i0) * 4 + c]!) * fx;
      const bottom = L[(j1 * lw + i0) * 4 + c]! + (L[(j1 * lw + i1) * 4 + c]! - L[(j1 * lw + i0) * 4 + c]!) * fx;
      out[c] = top + (bottom - top) * fy;
    }
  }

  /** Where each corner of the face box's mesh reads from (the GPU's vertex shader's `faceWarp`), for a `width`×`height` picture. */
  private buildMesh(warp: FaceWarp, width: number, height: number): void {
    const [x0, y0, x1, y1] = warp.bounds;
    const moves = new Uint8Array((GRID + 1) * (GRID + 1));
    for (let j = 0; j <= GRID; j++)
      for (let i = 0; i <= GRID; i++) {
        const x = x0 + ((x1 - x0) * i) / GRID;
        const y = y0 + ((y1 - y0) * j) / GRID;
        faceWarpSource(warp, x, y, this.point);
        const o = (j * (GRID + 1) + i) * 2;
        this.corners[o] = this.point[0]!;
        this.corners[o + 1] = this.point[1]!;
        moves[j * (GRID + 1) + i] = Math.abs(this.point[0]! - x) > 1e-3 || Math.abs(this.point[1]! - y) > 1e-3 ? 1 : 0;
      }
    // A cell whose corners do not move maps every pixel to itself (the GPU interpolates them so).
    for (let j = 0; j < GRID; j++)
      for (let i = 0; i < GRID; i++) {
        const a = j * (GRID + 1) + i;
        this.stillCells[j * GRID + i] = moves[a]! | moves[a + 1]! | moves[a + GRID + 1]! | moves[a + GRID + 2]! ? 0 : 1;
      }
    this.meshBounds = warp.bounds;
    // Which cell each pixel column and row's centre falls in (−1: outside the box).
    const cellOf = (p: number, lo: number, hi: number): number => {
      const u = ((p + 0.5 - lo) / (hi - lo)) * GRID;
      return u >= 0 && u <= GRID ? Math.min(GRID - 1, Math.floor(u)) : -1;
    };
    this.cellOfColumn = Int16Array.from({ length: width }, (_, x) => cellOf(x, x0, x1));
    this.cellOfRow = Int16Array.from({ length: height }, (_, y) => cellOf(y, y0, y1));
  }

  /** Whether pixel (x, y) reads its own place: outside the face box, or in a mesh cell that does not move. */
  private stillAt(x: number, y: number): boolean {
    const i = this.cellOfColumn[x]!;
    const j = this.cellOfRow[y]!;
    return i < 0 || j < 0 || this.stillCells[j * GRID + i] === 1;
  }

  /**
   * Where the pixel centred at (x, y) reads from: inside the face box, interpolated over the
   * mesh cell's triangle as the GPU rasterises it (each cell split along its corner (i+1, j) to
   * (i, j+1) diagonal); outside, where it is.
   */
  private meshSource(x: number, y: number, out: Float64Array): void {
    const [x0, y0, x1, y1] = this.meshBounds as [number, number, number, number];
    const u = ((x - x0) / (x1 - x0)) * GRID;
    const v = ((y - y0) / (y1 - y0)) * GRID;
    if (!(u >= 0 && u <= GRID && v >= 0 && v <= GRID)) {
      out[0] = x;
      out[1] = y;
      return;
    }
    const i = Math.min(GRID - 1, Math.floor(u));
    const j = Math.min(GRID - 1, Math.floor(v));
    const fx = u - i;
    const fy = v - j;
    const K = this.corners;
    const a = (j * (GRID + 1) + i) * 2;
    const b = a + 2;
    const c = a + (GRID + 1) * 2;
    const e = c + 2;
    if (fx + fy <= 1) {
      out[0] = K[a]! + (K[b]! - K[a]!) * fx + (K[c]! - K[a]!) * fy;
      out[1] = K[a + 1]! + (K[b + 1]! - K[a + 1]!) * fx + (K[c + 1]! - K[a + 1]!) * fy;
    } else {
      out[0] = K[e]! + (K[c]! - K[e]!) * (1 - fx) + (K[b]! - K[e]!) * (1 - fy);
      out[1] = K[e + 1]! + (K[c + 1]! - K[e + 1]!) * (1 - fx) + (K[b + 1]! - K[e + 1]!) * (1 - fy);
    }
  }
}
