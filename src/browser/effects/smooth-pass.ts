/**
 * `beauty` 0–9 with `beauty-style` (spec §1): edge-preserving skin smoothing, in two parts.
 *
 * - The reduced layer (this module's own draw): a bilateral filter on a sparse disc (the centre
 *   and 16 taps on two rings) of the picture, drawn at a fraction of the pushed size (about 180
 *   pixels on the short side, whatever the pushed size). Beauty smoothing removes what is small
 *   and keeps what is large, so its result has no detail a reduced size would lose, and the 17
 *   reads per skin pixel happen for a sixteenth of the pixels at 1280×720.
 * - The blend, a step of the picture pass (`picture-pass.ts`), per pushed pixel: the layer mixed
 *   in by the skin likelihood (worked out with the layer, in its alpha), and only where it is near
 *   the pixel's own colour, so an edge the reduced layer blurred across keeps its
 *   full-resolution pixels.
 *
 * `smooth` uses the full radius and mix; `nature` a smaller radius and a weaker mix with part of
 * the high-frequency detail added back, so pores and texture stay.
 */
import { compileProgram, createRenderTarget, deleteRenderTarget, QUAD_VERTEX_SHADER, type RenderTarget, type StageTexture } from '../media/gl.js';
import type { PassContext, UvTransform } from '../media/video-stage.js';
import { ShaderProgram, SKIN_GLSL } from './shader-pass.js';

/** The reduced layer's short side is at least this many pixels: the pushed size divided by a whole number. */
const LAYER_SHORT_SIDE = 180;

/**
 * The sparse disc: two rings of 8 taps (the outer one rotated by half a step), each tap (x, y,
 * spatial weight) with x, y on the unit disc, as triples. The shader gets them as constants:
 * computing the offsets with sin/cos per pixel cost more than the texture reads under software
 * WebGL.
 */
export const SMOOTH_TAPS: Float64Array = Float64Array.from(
  [1, 2].flatMap((ring) =>
    Array.from({ length: 8 }, (_, k) => {
      const a = (k + 0.5 * (ring - 1)) * (Math.PI / 4);
      const r = ring / 2;
      return [Math.cos(a) * r, Math.sin(a) * r, Math.exp(-(ring * ring) / 4.5)];
    }).flat(),
  ),
);

const TAPS_GLSL: string = Array.from({ length: SMOOTH_TAPS.length / 3 }, (_, k) => `vec3(${[...SMOOTH_TAPS.subarray(3 * k, 3 * k + 3)].map((v) => v.toFixed(5)).join(', ')})`).join(',\n  ');

/**
 * GLSL: `float falloff(float x)`, (1 − x/4)⁴ down to 0 at x = 4: the bell exp(−x) would give for
 * a colour distance (the same slope at 0, a little steeper after, nothing past 4 where exp leaves
 * 2 %), for a few multiplications where exp costs a polynomial under software WebGL (the blend
 * about 3 CPU ms less per 1280×720 frame under SwiftShader, bench/effects `beauty`).
 * {@link falloff} is the same for the CPU route.
 */
const FALLOFF_GLSL = `
float falloff(float x) {
  float g = max(0.0, 1.0 - 0.25 * x);
  g *= g;
  return g * g;
}`;

/** {@link FALLOFF_GLSL} in JavaScript. */
export function falloff(x: number): number {
  let g = 1 - 0.25 * x;
  if (g <= 0) return 0;
  g *= g;
  return g * g;
}

const LAYER_FRAGMENT_SHADER = `#version 300 es
precision highp float;
uniform sampler2D u_input;
uniform vec2 u_texel;      // a pushed pixel, in the input's texture coordinates
uniform float u_radius;    // outer ring radius in pushed pixels
uniform float u_rangeInv;  // 1 / (2 sigma_r^2): how big a colour step still counts as "same surface"
in vec2 v_uv;
out vec4 outColor;
const vec3 TAPS[16] = vec3[16](
  ${TAPS_GLSL});
${SKIN_GLSL}
${FALLOFF_GLSL}
void main() {
  vec3 c = texture(u_input, v_uv).rgb;
  // The skin mask goes with the layer (alpha), so the blend needs no skin arithmetic per pushed pixel.
  float skin = skinLikelihood(c);
  // Not skin: nothing to smooth (the blend leaves it), and most of a typical frame skips the 16 reads.
  if (skin <= 0.0) {
    outColor = vec4(c, 0.0);
    return;
  }
  vec3 sum = c;
  float wsum = 1.0;
  vec2 step = u_radius * u_texel;
  for (int k = 0; k < 16; k++) {
    vec3 s = texture(u_input, v_uv + TAPS[k].xy * step).rgb;
    vec3 d = s - c;
    // Bilateral weight: near in space (TAPS[k].z) and near in colour (edges get ~0).
    float w = TAPS[k].z * falloff(dot(d, d) * u_rangeInv);
    sum += s * w;
    wsum += w;
  }
  outColor = vec4(sum / wsum, skin);
}`;

/**
 * GLSL: `vec3 smoothSkin(vec3 c, vec2 uv)`, the reduced layer at `uv` mixed into the pushed pixel
 * `c` by the layer's skin mask (its alpha: skin regions are large, so the reduced mask fits them).
 */
export const SMOOTH_GLSL = `${FALLOFF_GLSL}
uniform sampler2D u_smoothed;
uniform float u_smoothAmount;  // 0-1 mix of the smoothed colour on skin
uniform float u_smoothDetail;  // 0-1 share of the removed detail put back (nature)
uniform float u_smoothGuard;   // 1 / (2 sigma^2): how far from the pixel the layer may be
vec3 smoothSkin(vec3 c, vec2 uv) {
  vec4 s = texture(u_smoothed, uv);
  if (s.a <= 0.0) return c;
  vec3 smoothed = s.rgb + (c - s.rgb) * u_smoothDetail;
  vec3 d = smoothed - c;
  return mix(c, smoothed, s.a * u_smoothAmount * falloff(dot(d, d) * u_smoothGuard));
}`;

export type BeautyStyle = 'smooth' | 'nature';

/** What the smoothing does at a level, style and pushed size (see {@link Smooth.shape}). */
export interface SmoothShape {
  /** The reduced layer's size. */
  layerWidth: number;
  layerHeight: number;
  /** The outer ring's radius, pushed pixels. */
  radius: number;
  /** 1 / (2 σ²) of the layer's colour range (RGB 0–1). */
  rangeInv: number;
  /** u_smoothAmount, u_smoothDetail, u_smoothGuard of {@link SMOOTH_GLSL}. */
  amount: number;
  detail: number;
  guard: number;
}

interface LayerGl {
  program: ShaderProgram;
  target: RenderTarget | null;
}

export class Smooth {
  /** 0–9 (spec `beauty`); 0 is off. */
  level = 0;
  style: BeautyStyle = 'smooth';
  private res: LayerGl | null = null;

  active(): boolean {
    return this.level > 0;
  }

  setup(gl: WebGL2RenderingContext): void {
    const program = new ShaderProgram(compileProgram(gl, QUAD_VERTEX_SHADER, LAYER_FRAGMENT_SHADER));
    gl.useProgram(program.program);
    gl.uniform1i(program.uniform(gl, 'u_input'), 0);
    this.res = { program, target: null };
  }

  /** Draws the reduced layer of the pushed picture, `input` seen through `crop`, and returns it. */
  drawLayer(gl: WebGL2RenderingContext, input: StageTexture, crop: UvTransform, ctx: PassContext): StageTexture {
    const res = this.res!;
    const shape = this.shape(ctx.width, ctx.height);
    const { layerWidth: width, layerHeight: height } = shape;
    if (res.target?.width !== width || res.target.height !== height) {
      if (res.target) deleteRenderTarget(gl, res.target);
      res.target = createRenderTarget(gl, width, height);
    }
    const program = res.program;
    gl.useProgram(program.program);
    gl.uniform4f(program.uniform(gl, 'u_uvTransform'), ...crop);
    gl.uniform2f(program.uniform(gl, 'u_texel'), crop[2] / ctx.width, crop[3] / ctx.height);
    gl.uniform1f(program.uniform(gl, 'u_radius'), shape.radius);
    gl.uniform1f(program.uniform(gl, 'u_rangeInv'), shape.rangeInv);
    ctx.drawInto(res.target, width, height, input);
    return res.target;
  }

  /** The blend's uniforms, the layer on texture `unit`. */
  uniforms(gl: WebGL2RenderingContext, program: ShaderProgram, ctx: PassContext, layer: StageTexture, unit: number): void {
    const { amount, detail, guard } = this.shape(ctx.width, ctx.height);
    gl.activeTexture(gl.TEXTURE0 + unit);
    gl.bindTexture(gl.TEXTURE_2D, layer.texture);
    gl.uniform1i(program.uniform(gl, 'u_smoothed'), unit);
    gl.uniform1f(program.uniform(gl, 'u_smoothAmount'), amount);
    gl.uniform1f(program.uniform(gl, 'u_smoothDetail'), detail);
    gl.uniform1f(program.uniform(gl, 'u_smoothGuard'), guard);
  }

  /** The layer's size and the filter's and the blend's settings for the level and style, at a pushed size. */
  shape(pushedWidth: number, pushedHeight: number): SmoothShape {
    const t = Math.min(9, this.level) / 9;
    const nature = this.style === 'nature';
    const reduce = Math.max(1, Math.floor(Math.min(pushedWidth, pushedHeight) / LAYER_SHORT_SIDE));
    // Radius grows with the pushed size so the look does not change with the resolution.
    const scale = Math.min(pushedWidth, pushedHeight) / 360;
    const sigma = nature ? 0.05 + 0.04 * t : 0.06 + 0.08 * t;
    return {
      layerWidth: Math.ceil(pushedWidth / reduce),
      layerHeight: Math.ceil(pushedHeight / reduce),
      radius: (nature ? 2 + 3 * t : 3 + 6 * t) * scale,
      rangeInv: 1 / (2 * sigma * sigma),
      amount: nature ? 0.35 + 0.35 * t : 0.45 + 0.55 * t,
      detail: nature ? 0.3 : 0,
      // Twice the filter's range: the layer differs from the pixel by the noise it removed, which must pass.
      guard: 1 / (4 * sigma * sigma),
    };
  }

  dispose(gl: WebGL2RenderingContext): void {
    if (!this.res) return;
    gl.deleteProgram(this.res.program.program);
    if (this.res.target) deleteRenderTarget(gl, this.res.target);
    this.res = null;
  }
}
