/**
 * `whiteness` 0–9 (spec §1): brightening that lifts mid-tones, protects highlights and leaves
 * non-skin areas mostly alone. One step of the picture pass (`picture-pass.ts`).
 *
 * The curve is log(1 + (b−1)·x) / log(b): it fixes 0 and 1, rises fastest in the shadows and
 * mid-tones, and its slope at 1 is below 1, so nothing that was not white clips to white. It is
 * applied to luma and the channels scaled by the same ratio (no hue shift), at full strength on
 * skin and at 35 % elsewhere, and skin is also nudged slightly less saturated (fairer).
 */
import type { ShaderProgram } from './shader-pass.js';

/** GLSL (needs `skinLikelihood`): `vec3 whiten(vec3 c)`. */
export const WHITEN_GLSL = `
uniform float u_whitenBase;  // b - 1 of the curve (> 0)
uniform float u_whitenLogB;  // 1 / log(b)
vec3 whiten(vec3 c) {
  float y = dot(c, vec3(0.2126, 0.7152, 0.0722));
  float lifted = log(1.0 + u_whitenBase * y) * u_whitenLogB;
  float skin = skinLikelihood(c);
  float w = mix(0.35, 1.0, skin);
  // Scale channels by the luma ratio; min() keeps any channel from crossing 1 (highlights safe).
  vec3 brighter = y > 0.001 ? min(c * (lifted / y), vec3(1.0)) : c;
  // Fairer skin: pull a little toward its own luma.
  float ly = dot(brighter, vec3(0.2126, 0.7152, 0.0722));
  brighter = mix(brighter, vec3(ly), 0.15 * skin);
  return mix(c, brighter, w);
}`;

export class Whiten {
  /** 0–9 (spec `whiteness`); 0 is off. */
  level = 0;

  active(): boolean {
    return this.level > 0;
  }

  uniforms(gl: WebGL2RenderingContext, program: ShaderProgram): void {
    const t = Math.min(9, this.level) / 9;
    const b = 1 + 6 * t; // curve base: 1 + 6 at level 9 lifts mid-grey 0.5 to ~0.71
    gl.uniform1f(program.uniform(gl, 'u_whitenBase'), b - 1);
    gl.uniform1f(program.uniform(gl, 'u_whitenLogB'), 1 / Math.log(b));
  }
}
