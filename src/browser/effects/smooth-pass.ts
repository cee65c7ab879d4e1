/**
 * `beauty` 0–9 with `beauty-style` (spec §1): edge-preserving skin smoothing.
 *
 * A single-pass bilateral filter on a sparse disc (the centre and 24 taps on three rings), its
 * result mixed in by the skin likelihood: skin loses blotches and fine noise, while edges (large
 * colour steps, which the range weight rejects) and non-skin areas (the mask) keep their detail.
 * `smooth` uses the full radius and mix; `nature` a smaller radius and a weaker mix with part of
 * the high-frequency detail added back, so pores and texture stay.
 */
import type { PassContext } from '../media/video-stage.js';
import { SKIN_GLSL, ShaderPass } from './shader-pass.js';

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
${SKIN_GLSL}
void main() {
  vec3 c = texture(u_input, v_uv).rgb;
  vec3 sum = c;
  float wsum = 1.0;
  // Three rings of 8 taps, rotated against each other so the disc is sampled evenly.
  for (int ring = 1; ring <= 3; ring++) {
    float r = u_radius * float(ring) / 3.0;
    float spatial = exp(-float(ring * ring) / 4.5);
    for (int k = 0; k < 8; k++) {
      float a = (float(k) + 0.5 * float(ring)) * 0.785398;
      vec3 s = texture(u_input, v_uv + vec2(cos(a), sin(a)) * r * u_texel).rgb;
      vec3 d = s - c;
      float w = spatial * exp(-dot(d, d) * u_rangeInv);
      sum += s * w;
      wsum += w;
    }
  }
  vec3 smoothed = sum / wsum;
  smoothed += (c - smoothed) * u_detail;
  float m = skinLikelihood(c) * u_amount;
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
