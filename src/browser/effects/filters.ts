/**
 * The eleven `filter` looks of spec §1 as colour grades of our own: each look is a handful of
 * grading parameters (white balance, contrast, saturation, split toning, fade …), evaluated on a
 * 33³ lattice into a 3D lookup table that the GPU reads with trilinear filtering when it bakes the
 * picture's colour table (`lut-pass.ts`). Pure data: no
 * GL here, so the tables can be unit-tested in Node and built once per look.
 *
 * Why parametric grades rather than hand-painted tables: the look is readable and tunable in
 * code, each is guaranteed distinct (they move different axes), and `standard` is exactly the
 * identity (and is skipped by the stage, so it is bit-identical).
 */
import type { PUSHER_FILTERS } from '../../core/attributes.js';

/** A `filter` name (spec §1). */
export type PusherFilter = (typeof PUSHER_FILTERS)[number];

/** Lattice points per axis. 33 is the common size of grading LUTs: smooth enough with trilinear. */
export const LUT_SIZE = 33;

/** One look, as grading operations applied in the order of the fields (all in display-referred 0–1). */
export interface Grade {
  /** Multiplies every channel before anything else (>1 brighter). */
  exposure?: number;
  /** Gamma on luma-preserving channels: <1 lifts mid-tones, >1 darkens them. */
  gamma?: number;
  /** White balance: + warmer (more red, less blue), − cooler. ~±0.15 is strong. */
  temperature?: number;
  /** + greener, − more magenta. */
  tint?: number;
  /** S-curve strength around 0.5 (1 = none, >1 more contrast). */
  contrast?: number;
  /** Saturation around Rec.709 luma (1 = none, 0 = grey). */
  saturation?: number;
  /** Sepia toning, 0–1: mixes toward a warm brown monochrome. */
  sepia?: number;
  /** Colour added in the shadows (weighted by (1−luma)²). */
  shadows?: readonly [number, number, number];
  /** Colour added in the highlights (weighted by luma²). */
  highlights?: readonly [number, number, number];
  /** Lifts black and lowers white toward a faded print: out = fade + (1 − 2·fade·0.5)·x. */
  fade?: number;
}

/** The looks. Each moves a different mix of axes so no two land near each other. */
export const FILTER_GRADES: Readonly<Record<PusherFilter, Grade>> = {
  standard: {},
  // Soft pink: magenta tint, pink highlights, a touch of lift.
  pink: { tint: -0.06, highlights: [0.08, -0.02, 0.06], saturation: 1.05, fade: 0.03 },
  // Old print: sepia, faded blacks, muted colour, soft contrast.
  nostalgia: { sepia: 0.55, saturation: 0.75, contrast: 0.88, fade: 0.07 },
  // Deep blue mood: cool balance, blue shadows, harder contrast, less colour.
  blues: { temperature: -0.1, shadows: [-0.04, 0.0, 0.12], contrast: 1.15, saturation: 0.85 },
  // Warm and soft: warm balance, rosy highlights, low contrast, slight fade.
  romantic: { temperature: 0.06, tint: -0.03, highlights: [0.06, 0.0, 0.03], contrast: 0.9, fade: 0.04, saturation: 1.1 },
  // Clean cool: cool balance, slight green, crisp contrast.
  cool: { temperature: -0.12, tint: 0.03, contrast: 1.05 },
  // Fresh: brighter, more colour, cyan-green shadows.
  fresher: { exposure: 1.06, saturation: 1.25, shadows: [-0.03, 0.05, 0.04], tint: 0.02 },
  // Sunlight ("solor" as spelled in the spec): golden warm, more contrast and colour.
  solor: { temperature: 0.14, highlights: [0.04, 0.03, -0.04], contrast: 1.12, saturation: 1.2 },
  // Film look: teal shadows, orange highlights, muted, faded.
  aestheticism: { shadows: [-0.03, 0.04, 0.07], highlights: [0.07, 0.02, -0.05], saturation: 0.72, fade: 0.09 },
  // Whitening: lifted mid-tones, a little cooler and less saturated (skin looks fairer).
  whitening: { gamma: 0.78, exposure: 1.03, temperature: -0.03, saturation: 0.88 },
  // Cherry red: reds pushed, magenta-red highlights, more colour.
  cerisered: { highlights: [0.1, -0.03, 0.02], shadows: [0.05, -0.02, 0.0], saturation: 1.25, tint: -0.04 },
};

const LR = 0.2126;
const LG = 0.7152;
const LB = 0.0722;

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Applies `grade` to one colour in place (`rgb` is reused: no allocation per lattice point). */
export function gradeColour(grade: Grade, rgb: [number, number, number]): void {
  let [r, g, b] = rgb;
  if (grade.exposure !== undefined) {
    r *= grade.exposure;
    g *= grade.exposure;
    b *= grade.exposure;
  }
  if (grade.gamma !== undefined) {
    // On luma, then scaled back onto the channels: lifts mid-tones without shifting hue.
    const y = LR * r + LG * g + LB * b;
    if (y > 1e-6) {
      const k = Math.pow(clamp01(y), grade.gamma) / y;
      r *= k;
      g *= k;
      b *= k;
    }
  }
  if (grade.temperature !== undefined) {
    r += grade.temperature;
    b -= grade.temperature;
  }
  if (grade.tint !== undefined) {
    g += grade.tint;
    r -= grade.tint * 0.3;
    b -= grade.tint * 0.3;
  }
  if (grade.contrast !== undefined) {
    // Contrast about mid-grey, then clamp: a simple linear S around 0.5.
    const c = grade.contrast;
    r = (r - 0.5) * c + 0.5;
    g = (g - 0.5) * c + 0.5;
    b = (b - 0.5) * c + 0.5;
  }
  r = clamp01(r);
  g = clamp01(g);
  b = clamp01(b);
  if (grade.saturation !== undefined) {
    const y = LR * r + LG * g + LB * b;
    const s = grade.saturation;
    r = y + (r - y) * s;
    g = y + (g - y) * s;
    b = y + (b - y) * s;
  }
  if (grade.sepia !== undefined) {
    // The classic sepia matrix, mixed in at `sepia`.
    const sr = 0.393 * r + 0.769 * g + 0.189 * b;
    const sg = 0.349 * r + 0.686 * g + 0.168 * b;
    const sb = 0.272 * r + 0.534 * g + 0.131 * b;
    const t = grade.sepia;
    r += (sr - r) * t;
    g += (sg - g) * t;
    b += (sb - b) * t;
  }
  if (grade.shadows || grade.highlights) {
    const y = clamp01(LR * r + LG * g + LB * b);
    const ws = (1 - y) * (1 - y);
    const wh = y * y;
    if (grade.shadows) {
      r += grade.shadows[0] * ws;
      g += grade.shadows[1] * ws;
      b += grade.shadows[2] * ws;
    }
    if (grade.highlights) {
      r += grade.highlights[0] * wh;
      g += grade.highlights[1] * wh;
      b += grade.highlights[2] * wh;
    }
  }
  if (grade.fade !== undefined) {
    const f = grade.fade;
    r = f + (1 - 1.5 * f) * clamp01(r);
    g = f + (1 - 1.5 * f) * clamp01(g);
    b = f + (1 - 1.5 * f) * clamp01(b);
  }
  rgb[0] = clamp01(r);
  rgb[1] = clamp01(g);
  rgb[2] = clamp01(b);
}

/**
 * The look's 3D table: RGBA8, red fastest then green then blue (the layout `texImage3D` takes,
 * x = red, y = green, z = blue), `LUT_SIZE`³ texels.
 */
export function buildLut(grade: Grade, size = LUT_SIZE): Uint8Array {
  const out = new Uint8Array(size * size * size * 4);
  const rgb: [number, number, number] = [0, 0, 0];
  let i = 0;
  for (let b = 0; b < size; b++) {
    for (let g = 0; g < size; g++) {
      for (let r = 0; r < size; r++) {
        rgb[0] = r / (size - 1);
        rgb[1] = g / (size - 1);
        rgb[2] = b / (size - 1);
        gradeColour(grade, rgb);
        out[i++] = Math.round(rgb[0] * 255);
        out[i++] = Math.round(rgb[1] * 255);
        out[i++] = Math.round(rgb[2] * 255);
        out[i++] = 255;
      }
    }
  }
  return out;
}

const cache = new Map<PusherFilter, Uint8Array>();

/** The table of a named look, built on first use and kept (a 33³ table is 144 KiB). */
export function filterLut(name: PusherFilter): Uint8Array {
  let lut = cache.get(name);
  if (!lut) {
    lut = buildLut(FILTER_GRADES[name]);
    cache.set(name, lut);
  }
  return lut;
}

/**
 * A lookup image in the common 512×512 layout (8×8 tiles of 64×64: red across a tile, green down
 * it, blue picks the tile left-to-right then top-to-bottom) → a 64³ table in {@link buildLut}'s
 * layout. `pixels` is RGBA, row-major, 512×512.
 */
export function lutFromImage(pixels: Uint8ClampedArray | Uint8Array, width: number, height: number): Uint8Array {
  if (width !== 512 || height !== 512) throw new RangeError(`a lookup image must be 512×512 (8×8 tiles of 64×64), got ${width}×${height}`);
  const size = 64;
  const out = new Uint8Array(size * size * size * 4);
  let i = 0;
  for (let b = 0; b < size; b++) {
    const tileX = (b % 8) * 64;
    const tileY = Math.floor(b / 8) * 64;
    for (let g = 0; g < size; g++) {
      for (let r = 0; r < size; r++) {
        const p = ((tileY + g) * 512 + tileX + r) * 4;
        out[i++] = pixels[p]!;
        out[i++] = pixels[p + 1]!;
        out[i++] = pixels[p + 2]!;
        out[i++] = 255;
      }
    }
  }
  return out;
}
