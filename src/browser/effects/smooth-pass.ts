/**
 * `beauty` 0–9 with `beauty-style` (spec §1): edge-preserving skin smoothing.
 *
 * A single-pass bilateral filter on a sparse disc (the centre and 16 taps on two rings), its
 * result mixed in by the skin likelihood: skin loses blotches and fine noise, while edges (large
 * colour steps, which the range weight rejects) and non-skin areas (the mask) keep their detail.
 * `smooth` uses the full radius and mix; `nature` a smaller radius and a weaker mix with part of
 * the high-frequency detail added back, so pores and texture stay.
 */
import type { PassContext } from '../media/video-stage.js';
import { SKIN_GLSL, ShaderPass } from './shader-pass.js';

/**
 * The sparse disc, as constants baked into the shader: two rings of 8 taps (the outer one rotated
 * by half a step), each tap (x, y, spatial weight) with x, y on the unit disc. Computing the
 * offsets with sin/cos per pixel cost more than the texture reads under software WebGL.
 */
const TAPS: string = [1, 2]
  .flatMap((ring) =>
    Array.from({ length: 8 }, (_, k) => {
      const a = (k + 0.5 * (ring - 1)) * (Math.PI / 4);
      const r = ring / 2;
      return `vec3(${(Math.cos(a) * r).toFixed(5)}, ${(Math.sin(a) * r).toFixed(5)}, ${Math.exp(-(ring * ring) / 4.5).toFixed(5)})`;
    }),
  )
  .join(',\n  ');

const SMOOTH_FRAGMENT_SHADER = `#version 300 es
precision highp float;
uniform sampler2D u_input;
uniform vec2 u_texel;      // 1 / pushed size
uniform float u_radius;    // outer ring radius in pixels
uniform float u_rangeInv;  // 1 / (2 sigma_r^2): how big a colour step still counts as "same surface"
uniform float u_amount;    // 0-1 mix of the smoothed colour on skin
uniform float u_detail;    // 0-1 share of the removed detail put back (nature)
in vec2 v_uv;
out vec4 outColor;
const vec3 TAPS[16] = vec3[16](
  ${TAPS});
${SKIN_GLSL}
void main() {
  vec3 c = texture(u_input, v_uv).rgb;
  float m = skinLikelihood(c) * u_amount;
  // Not skin: nothing to smooth (and most of a typical frame skips the 16 reads).
  if (m <= 0.0) {
    outColor = vec4(c, 1.0);
    return;
  }
  vec3 sum = c;
  float wsum = 1.0;
  vec2 step = u_radius * u_texel;
  for (int k = 0; k < 16; k++) {
    vec3 s = texture(u_input, v_uv + TAPS[k].xy * step).rgb;
    vec3 d = s - c;
    // Bilateral weight: near in space (TAPS[k].z) and near in colour (edges get ~0).
    float w = TAPS[k].z * exp(-dot(d, d) * u_rangeInv);
    sum += s * w;
    wsum += w;
  }
  vec3 smoothed = sum / wsum;
  smoothed += (c - smoothed) * u_detail;
  outColor = vec4(mix(c, smoothed, m), 1.0);
}`;

export type BeautyStyle = 'smooth' | 'nature';

export class SmoothPass extends ShaderPass {
  readonly name = 'beauty';
  /** 0–9 (spec `beauty`); 0 skips the pass. */
  level = 0;
  style: BeautyStyle = 'smooth';

  constructor() {
    super(SMOOTH_FRAGMENT_SHADER);
  }

  active(): boolean {
    return this.level > 0;
  }

  protected uniforms(gl: WebGL2RenderingContext, ctx: PassContext): void {
    const t = Math.min(9, this.level) / 9;
    const nature = this.style === 'nature';
    // Radius grows with the pushed height so the look does not change with the resolution.
    const scale = Math.min(ctx.width, ctx.height) / 360;
    const radius = (nature ? 2 + 3 * t : 3 + 6 * t) * scale;
    const sigma = nature ? 0.05 + 0.04 * t : 0.06 + 0.08 * t;
    gl.uniform2f(this.uniform(gl, 'u_texel'), 1 / ctx.width, 1 / ctx.height);
    gl.uniform1f(this.uniform(gl, 'u_radius'), radius);
    gl.uniform1f(this.uniform(gl, 'u_rangeInv'), 1 / (2 * sigma * sigma));
    gl.uniform1f(this.uniform(gl, 'u_amount'), nature ? 0.35 + 0.35 * t : 0.45 + 0.55 * t);
    gl.uniform1f(this.uniform(gl, 'u_detail'), nature ? 0.3 : 0);
  }
}
