/**
 * `whiteness` 0–9 (spec §1): brightening that lifts mid-tones, protects highlights and leaves
 * non-skin areas mostly alone.
 *
 * The curve is log(1 + (b−1)·x) / log(b): it fixes 0 and 1, rises fastest in the shadows and
 * mid-tones, and its slope at 1 is below 1, so nothing that was not white clips to white. It is
 * applied to luma and the channels scaled by the same ratio (no hue shift), at full strength on
 * skin and at 35 % elsewhere, and skin is also nudged slightly less saturated (fairer).
 */
import type { PassContext } from '../media/video-stage.js';
import { SKIN_GLSL, ShaderPass } from './shader-pass.js';

const WHITEN_FRAGMENT_SHADER = `#version 300 es
precision highp float;
uniform sampler2D u_input;
uniform float u_base;     // b - 1 of the curve (> 0)
uniform float u_logB;     // 1 / log(b)
uniform float u_strength; // 0-1
in vec2 v_uv;
out vec4 outColor;
${SKIN_GLSL}
void main() {
  vec3 c = texture(u_input, v_uv).rgb;
  float y = dot(c, vec3(0.2126, 0.7152, 0.0722));
  float lifted = log(1.0 + u_base * y) * u_logB;
  float skin = skinLikelihood(c);
  float w = u_strength * mix(0.35, 1.0, skin);
  // Scale channels by the luma ratio; min() keeps any channel from crossing 1 (highlights safe).
  vec3 brighter = y > 0.001 ? min(c * (lifted / y), vec3(1.0)) : c;
  // Fairer skin: pull a little toward its own luma.
  float ly = dot(brighter, vec3(0.2126, 0.7152, 0.0722));
  brighter = mix(brighter, vec3(ly), 0.15 * skin * u_strength);
  outColor = vec4(mix(c, brighter, w), 1.0);
}`;

export class WhitenPass extends ShaderPass {
  readonly name = 'whiteness';
  /** 0–9 (spec `whiteness`); 0 skips the pass. */
  level = 0;

  constructor() {
    super(WHITEN_FRAGMENT_SHADER);
  }

  active(): boolean {
    return this.level > 0;
  }

  protected uniforms(gl: WebGL2RenderingContext, _ctx: PassContext): void {
    const t = Math.min(9, this.level) / 9;
    const b = 1 + 6 * t; // curve base: 1 + 6 at level 9 lifts mid-grey 0.5 to ~0.71
    gl.uniform1f(this.uniform(gl, 'u_base'), b - 1);
    gl.uniform1f(this.uniform(gl, 'u_logB'), 1 / Math.log(b));
    gl.uniform1f(this.uniform(gl, 'u_strength'), 1);
  }
}
