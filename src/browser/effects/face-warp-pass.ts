/**
 * face-thinness and eye-bigness (spec §1 custom-effect): one WebGL2 pass that moves pixels by the
 * warp `face-shape.ts` derives from the landmarks. Each output pixel reads the input at an
 * inverse-mapped place, so the picture stays whole (no holes):
 *
 * - jaw: the pull of every jaw point, weighted by (1 − d²/r²)² within its reach and normalised by
 *   the total weight where reaches overlap, so neighbouring points share rather than add up their
 *   pulls; the pixel reads from `p − pull`, which draws the contour nearer the centre line. Pulls
 *   stay well under the reach, so the mapping has no folds.
 * - eyes: inside a disc of radius R round each eye centre, the pixel reads from
 *   `c + (p − c)·(1 − a·(1 − d²/R²))`: magnified 1/(1 − a) at the centre, unchanged at the rim,
 *   monotonic in between (a < 1).
 *
 * Without a face (none found yet, or it left) the pass is skipped and the picture is untouched.
 */
import type { PassContext } from '../media/video-stage.js';
import { faceWarp, JAW_CONTROLS, type FaceWarp } from './face-shape.js';
import { ShaderPass } from './shader-pass.js';

const WARP_FRAGMENT_SHADER = `#version 300 es
precision highp float;
uniform sampler2D u_input;
uniform vec2 u_size;                 // pushed size, pixels
uniform vec4 u_bounds;               // x0, y0, x1, y1: nothing moves outside
uniform vec4 u_jawBounds;            // x0, y0, x1, y1: no jaw pull outside
uniform vec4 u_jaw[${JAW_CONTROLS}];   // jaw point xy, pull xy (pixels)
uniform float u_jawInvR2;            // 1 / reach², 1 / pixels²
uniform vec4 u_eyes[2];              // centre xy, radius, strength
in vec2 v_uv;
out vec4 outColor;
void main() {
  vec2 p = v_uv * u_size;
  if (p.x < u_bounds.x || p.y < u_bounds.y || p.x > u_bounds.z || p.y > u_bounds.w) {
    outColor = vec4(texture(u_input, v_uv).rgb, 1.0);
    return;
  }
  vec2 src = p;
  if (p.x >= u_jawBounds.x && p.y >= u_jawBounds.y && p.x <= u_jawBounds.z && p.y <= u_jawBounds.w) {
    vec2 pull = vec2(0.0);
    float wsum = 0.0;
    for (int i = 0; i < ${JAW_CONTROLS}; i++) {
      vec2 d = p - u_jaw[i].xy;
      float q = max(0.0, 1.0 - dot(d, d) * u_jawInvR2);
      float w = q * q;
      pull += w * u_jaw[i].zw;
      wsum += w;
    }
    src -= pull / max(1.0, wsum);
  }
  for (int k = 0; k < 2; k++) {
    vec2 o = src - u_eyes[k].xy;
    float r2 = u_eyes[k].z * u_eyes[k].z;
    float d2 = dot(o, o);
    if (d2 < r2) src = u_eyes[k].xy + o * (1.0 - u_eyes[k].w * (1.0 - d2 / r2));
  }
  outColor = vec4(texture(u_input, src / u_size).rgb, 1.0);
}`;

export class FaceWarpPass extends ShaderPass {
  readonly name = 'face-warp';
  /** 0–1 (spec `face-thinness`). */
  thinness = 0;
  /** 0–1 (spec `eye-bigness`). */
  eyeBigness = 0;
  private warp: FaceWarp | undefined;

  constructor() {
    super(WARP_FRAGMENT_SHADER);
  }

  /** Whether the settings ask for the warp (and so for landmarks). */
  wanted(): boolean {
    return this.thinness > 0 || this.eyeBigness > 0;
  }

  /** The face of this frame: 68 (x, y) in pushed pixels, and its presence 0–1; null without one. */
  setFace(points: ArrayLike<number> | null, presence = 1): void {
    this.warp = points && this.wanted() ? faceWarp(points, this.thinness * presence, this.eyeBigness * presence) : undefined;
  }

  active(): boolean {
    return this.warp !== undefined;
  }

  protected uniforms(gl: WebGL2RenderingContext, ctx: PassContext): void {
    const warp = this.warp!;
    gl.uniform2f(this.uniform(gl, 'u_size'), ctx.width, ctx.height);
    gl.uniform4f(this.uniform(gl, 'u_bounds'), ...warp.bounds);
    gl.uniform4fv(this.uniform(gl, 'u_jaw'), warp.jaw);
    gl.uniform4f(this.uniform(gl, 'u_jawBounds'), ...warp.jawBounds);
    gl.uniform1f(this.uniform(gl, 'u_jawInvR2'), 1 / (warp.jawRadius * warp.jawRadius));
    gl.uniform4fv(this.uniform(gl, 'u_eyes'), warp.eyes);
  }
}
