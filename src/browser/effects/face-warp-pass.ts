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
 * The jaw's pull varies slowly (its reach is a third of the face), so it is worked out at the
 * corners of a {@link GRID}×{@link GRID} mesh over the face and interpolated; the eye discs, a
 * tenth of the face across, are worked out per pixel. The rest of the picture is a plain copy.
 * Without a face (none found yet, or it left) the pass is skipped and the picture is untouched.
 */
import { compileCopyProgram, compileProgram, GlError } from '../media/gl.js';
import type { PassContext, StagePass, StageTexture } from '../media/video-stage.js';
import { faceWarp, JAW_CONTROLS, type FaceWarp } from './face-shape.js';

/** Mesh cells along each side of the face's box: a few pixels each at usual face sizes. */
const GRID = 32;

const WARP_VERTEX_SHADER = `#version 300 es
in vec2 a_pos;                       // 0-1 across the mesh
uniform vec2 u_size;                 // pushed size, pixels
uniform vec4 u_bounds;               // x0, y0, x1, y1: the mesh's extent, pixels
uniform vec4 u_jaw[${JAW_CONTROLS}];   // jaw point xy, pull xy (pixels)
uniform float u_jawInvR2;            // 1 / reach², 1 / pixels²
out vec2 v_src;                      // where to read, pixels (before the eyes)
void main() {
  vec2 p = mix(u_bounds.xy, u_bounds.zw, a_pos);
  vec2 pull = vec2(0.0);
  float wsum = 0.0;
  for (int i = 0; i < ${JAW_CONTROLS}; i++) {
    vec2 d = p - u_jaw[i].xy;
    float q = max(0.0, 1.0 - dot(d, d) * u_jawInvR2);
    float w = q * q;
    pull += w * u_jaw[i].zw;
    wsum += w;
  }
  v_src = p - pull / max(1.0, wsum);
  // Pixel y grows downwards, as texture rows do in the stage's render targets.
  gl_Position = vec4(p / u_size * 2.0 - 1.0, 0.0, 1.0);
}`;

const WARP_FRAGMENT_SHADER = `#version 300 es
precision highp float;
uniform sampler2D u_input;
uniform vec2 u_size;
uniform vec4 u_eyes[2];              // centre xy, radius, strength
in vec2 v_src;
out vec4 outColor;
void main() {
  vec2 src = v_src;
  for (int k = 0; k < 2; k++) {
    vec2 o = src - u_eyes[k].xy;
    float r2 = u_eyes[k].z * u_eyes[k].z;
    float d2 = dot(o, o);
    if (d2 < r2) src = u_eyes[k].xy + o * (1.0 - u_eyes[k].w * (1.0 - d2 / r2));
  }
  outColor = vec4(texture(u_input, src / u_size).rgb, 1.0);
}`;

interface GlResources {
  copy: WebGLProgram;
  warp: WebGLProgram;
  mesh: WebGLVertexArrayObject;
  buffers: WebGLBuffer[];
  size: WebGLUniformLocation | null;
  bounds: WebGLUniformLocation | null;
  jaw: WebGLUniformLocation | null;
  jawInvR2: WebGLUniformLocation | null;
  eyes: WebGLUniformLocation | null;
}

export class FaceWarpPass implements StagePass {
  readonly name = 'face-warp';
  /** 0–1 (spec `face-thinness`). */
  thinness = 0;
  /** 0–1 (spec `eye-bigness`). */
  eyeBigness = 0;
  private warp: FaceWarp | undefined;
  private res: GlResources | null = null;

  /** Whether the settings ask for the warp (and so for landmarks). */
  wanted(): boolean {
    return this.thinness > 0 || this.eyeBigness > 0;
  }

  /** The face of this frame: 68 (x, y) in pushed pixels, and its presence 0–1; null without one. */
  setFace(points: ArrayLike<number> | null, presence = 1): void {
    this.warp = points && this.wanted() ? faceWarp(points, this.thinness * presence, this.eyeBigness * presence) : undefined;
  }

  setup(gl: WebGL2RenderingContext): void {
    const copy = compileCopyProgram(gl);
    const warp = compileProgram(gl, WARP_VERTEX_SHADER, WARP_FRAGMENT_SHADER);
    gl.useProgram(warp);
    gl.uniform1i(gl.getUniformLocation(warp, 'u_input'), 0);
    const [mesh, buffers] = createMesh(gl);
    this.res = {
      copy,
      warp,
      mesh,
      buffers,
      size: gl.getUniformLocation(warp, 'u_size'),
      bounds: gl.getUniformLocation(warp, 'u_bounds'),
      jaw: gl.getUniformLocation(warp, 'u_jaw'),
      jawInvR2: gl.getUniformLocation(warp, 'u_jawInvR2'),
      eyes: gl.getUniformLocation(warp, 'u_eyes'),
    };
  }

  apply(gl: WebGL2RenderingContext, input: StageTexture, ctx: PassContext): StageTexture {
    const res = this.res;
    const warp = this.warp;
    if (!res || !warp) return input;
    // The whole picture first (drawFrom leaves the target and the input bound), then the face.
    gl.useProgram(res.copy);
    const target = ctx.drawFrom(input);
    gl.useProgram(res.warp);
    gl.uniform2f(res.size, ctx.width, ctx.height);
    gl.uniform4f(res.bounds, ...warp.bounds);
    gl.uniform4fv(res.jaw, warp.jaw);
    gl.uniform1f(res.jawInvR2, 1 / (warp.jawRadius * warp.jawRadius));
    gl.uniform4fv(res.eyes, warp.eyes);
    gl.bindVertexArray(res.mesh);
    gl.drawElements(gl.TRIANGLES, GRID * GRID * 6, gl.UNSIGNED_SHORT, 0);
    return target;
  }

  dispose(gl: WebGL2RenderingContext): void {
    if (!this.res) return;
    gl.deleteProgram(this.res.copy);
    gl.deleteProgram(this.res.warp);
    gl.deleteVertexArray(this.res.mesh);
    for (const b of this.res.buffers) gl.deleteBuffer(b);
    this.res = null;
  }
}

/** The (GRID + 1)² corners of the mesh, 0–1, at attribute 0, and its triangles. */
function createMesh(gl: WebGL2RenderingContext): [WebGLVertexArrayObject, WebGLBuffer[]] {
  const corners = new Float32Array((GRID + 1) * (GRID + 1) * 2);
  for (let j = 0, k = 0; j <= GRID; j++) for (let i = 0; i <= GRID; i++, k += 2) corners.set([i / GRID, j / GRID], k);
  const triangles = new Uint16Array(GRID * GRID * 6);
  for (let j = 0, k = 0; j < GRID; j++)
    for (let i = 0; i < GRID; i++, k += 6) {
      const a = j * (GRID + 1) + i;
      triangles.set([a, a + 1, a + GRID + 1, a + 1, a + GRID + 2, a + GRID + 1], k);
    }
  const vao = gl.createVertexArray();
  const vertices = gl.createBuffer();
  const indices = gl.createBuffer();
  if (!vao || !vertices || !indices) throw new GlError('could not create the face mesh (context lost?)');
  gl.bindVertexArray(vao);
  gl.bindBuffer(gl.ARRAY_BUFFER, vertices);
  gl.bufferData(gl.ARRAY_BUFFER, corners, gl.STATIC_DRAW);
  gl.enableVertexAttribArray(0);
  gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
  gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, indices);
  gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, triangles, gl.STATIC_DRAW);
  gl.bindVertexArray(null);
  return [vao, [vertices, indices]];
}
