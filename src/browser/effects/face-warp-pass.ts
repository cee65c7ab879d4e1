/**
 * face-thinness and eye-bigness (spec §1 custom-effect): the picture pass's (`picture-pass.ts`)
 * fetch coordinate, moved by the warp `face-shape.ts` derives from the landmarks. Each output pixel
 * reads the input at an inverse-mapped place, so the picture stays whole (no holes):
 *
 * - jaw: the pull of every jaw point, weighted by (1 − d²/r²)² within its reach and normalised by
 *   the total weight where reaches overlap, so neighbouring points share rather than add up their
 *   pulls; the pixel reads from `p − pull`, which draws the contour nearer the centre line. Pulls
 *   stay well under the reach, so the mapping has no folds.
 * - eyes: inside a disc of radius R round each eye centre, the pixel reads from
 *   `c + (p − c)·(1 − a·(1 − d²/R²))`: magnified 1/(1 − a) at the centre, unchanged at the rim,
 *   monotonic in between (a < 1).
 *
 * Both are worked out at the corners of a {@link GRID}×{@link GRID} mesh over the face and
 * interpolated between (the jaw's pull varies slowly, its reach a third of the face; an eye disc
 * spans several cells and its map is smooth, quadratic in the distance), so a pixel costs no more
 * than a plain read: under software WebGL, per-pixel warp arithmetic over the whole picture cost
 * as much as the rest of the effects. The mesh is framed by one ring of cells out to the picture's
 * edges, where nothing moves, so the mesh covers the picture; the ring is drawn apart, so that it
 * can read each pixel's own texel through a cheaper sampler. Without a face (none found yet, or
 * it left) the step is off and the picture is untouched.
 */
import { GlError, QUAD_POSITION_LOCATION } from '../media/gl.js';
import { faceWarp, JAW_CONTROLS, type FaceWarp } from './face-shape.js';
import type { ShaderProgram } from './shader-pass.js';

/** Mesh cells along each side of the face's box: a few pixels each at usual face sizes. */
export const FACE_MESH_GRID = 32;
const GRID = FACE_MESH_GRID;
/** Corners along each side of the whole mesh: the face's GRID + 1, and the picture's two edges. */
const CORNERS = GRID + 3;
/** Indices of the face box's cells, drawn first; the ring's follow. */
const FACE_INDICES = GRID * GRID * 6;
const ALL_INDICES = (CORNERS - 1) * (CORNERS - 1) * 6;

/**
 * Vertex GLSL (needs `u_size`, the pushed size): `vec2 meshPoint(vec2 corner)`, a mesh corner's
 * place in pixels, and `vec2 faceWarp(vec2 p)`, where the pixel at p reads from
 * ({@link faceWarpSource} for the CPU route).
 */
export const FACE_WARP_GLSL = `
uniform vec4 u_bounds;               // x0, y0, x1, y1: the face's box, pixels
uniform vec4 u_jaw[${JAW_CONTROLS}];   // jaw point xy, pull xy (pixels)
uniform float u_jawInvR2;            // 1 / reach², 1 / pixels²
uniform vec4 u_eyes[2];              // centre xy, radius, strength
// Corner index 0 and ${CORNERS - 1} are the picture's edges; 1 to ${GRID + 1} span the face's box.
float meshAlong(float corner, float lo, float hi, float size) {
  return corner < 0.5 ? 0.0 : corner > ${GRID + 1}.5 ? size : mix(lo, hi, (corner - 1.0) / ${GRID}.0);
}
vec2 meshPoint(vec2 corner) {
  return vec2(meshAlong(corner.x, u_bounds.x, u_bounds.z, u_size.x), meshAlong(corner.y, u_bounds.y, u_bounds.w, u_size.y));
}
vec2 faceWarp(vec2 p) {
  vec2 pull = vec2(0.0);
  float wsum = 0.0;
  for (int i = 0; i < ${JAW_CONTROLS}; i++) {
    vec2 d = p - u_jaw[i].xy;
    float q = max(0.0, 1.0 - dot(d, d) * u_jawInvR2);
    float w = q * q;
    pull += w * u_jaw[i].zw;
    wsum += w;
  }
  vec2 src = p - pull / max(1.0, wsum);
  for (int k = 0; k < 2; k++) {
    vec2 o = src - u_eyes[k].xy;
    float r2 = u_eyes[k].z * u_eyes[k].z;
    float d2 = dot(o, o);
    if (d2 < r2) src = u_eyes[k].xy + o * (1.0 - u_eyes[k].w * (1.0 - d2 / r2));
  }
  return src;
}`;

/** {@link FACE_WARP_GLSL}'s `faceWarp`: where the pixel at (x, y) reads from, into `out` (x, y). */
export function faceWarpSource(warp: FaceWarp, x: number, y: number, out: Float64Array): void {
  const { jaw, eyes } = warp;
  const invR2 = 1 / (warp.jawRadius * warp.jawRadius);
  let px = 0;
  let py = 0;
  let wsum = 0;
  for (let i = 0; i < jaw.length; i += 4) {
    const dx = x - jaw[i]!;
    const dy = y - jaw[i + 1]!;
    const q = Math.max(0, 1 - (dx * dx + dy * dy) * invR2);
    const w = q * q;
    px += w * jaw[i + 2]!;
    py += w * jaw[i + 3]!;
    wsum += w;
  }
  const norm = Math.max(1, wsum);
  let sx = x - px / norm;
  let sy = y - py / norm;
  for (let k = 0; k < eyes.length; k += 4) {
    const ox = sx - eyes[k]!;
    const oy = sy - eyes[k + 1]!;
    const r2 = eyes[k + 2]! * eyes[k + 2]!;
    const d2 = ox * ox + oy * oy;
    if (d2 < r2) {
      const f = 1 - eyes[k + 3]! * (1 - d2 / r2);
      sx = eyes[k]! + ox * f;
      sy = eyes[k + 1]! + oy * f;
    }
  }
  out[0] = sx;
  out[1] = sy;
}

interface MeshGl {
  mesh: WebGLVertexArrayObject;
  buffers: WebGLBuffer[];
}

export class FaceWarper {
  /** 0–1 (spec `face-thinness`). */
  thinness = 0;
  /** 0–1 (spec `eye-bigness`). */
  eyeBigness = 0;
  private warp: FaceWarp | undefined;
  private res: MeshGl | null = null;

  /** Whether the settings ask for the warp (and so for landmarks). */
  wanted(): boolean {
    return this.thinness > 0 || this.eyeBigness > 0;
  }

  /** Whether this frame is warped: wanted, and a face is there. */
  active(): boolean {
    return this.warp !== undefined;
  }

  /** This frame's warp, while {@link active}. */
  get current(): FaceWarp | undefined {
    return this.warp;
  }

  /** The face of this frame: 68 (x, y) in pushed pixels, and its presence 0–1; null without one. */
  setFace(points: ArrayLike<number> | null, presence = 1): void {
    this.warp = points && this.wanted() ? faceWarp(points, this.thinness * presence, this.eyeBigness * presence) : undefined;
  }

  setup(gl: WebGL2RenderingContext): void {
    this.res = createMesh(gl);
  }

  /** This frame's warp, into `program`'s uniforms (see {@link FACE_WARP_GLSL}). */
  uniforms(gl: WebGL2RenderingContext, program: ShaderProgram): void {
    const warp = this.warp!;
    gl.uniform4f(program.uniform(gl, 'u_bounds'), ...warp.bounds);
    gl.uniform4fv(program.uniform(gl, 'u_jaw'), warp.jaw);
    gl.uniform1f(program.uniform(gl, 'u_jawInvR2'), 1 / (warp.jawRadius * warp.jawRadius));
    gl.uniform4fv(program.uniform(gl, 'u_eyes'), warp.eyes);
  }

  /**
   * Draws the whole-picture mesh with the bound program (its corners in `a_pos`): the face's box,
   * then the ring round it, where nothing moves, through `ringSampler` on unit 0 when given.
   */
  draw(gl: WebGL2RenderingContext, ringSampler: WebGLSampler | null): void {
    gl.bindVertexArray(this.res!.mesh);
    gl.drawElements(gl.TRIANGLES, FACE_INDICES, gl.UNSIGNED_SHORT, 0);
    gl.bindSampler(0, ringSampler);
    gl.drawElements(gl.TRIANGLES, ALL_INDICES - FACE_INDICES, gl.UNSIGNED_SHORT, FACE_INDICES * Uint16Array.BYTES_PER_ELEMENT);
    gl.bindSampler(0, null);
  }

  dispose(gl: WebGL2RenderingContext): void {
    if (!this.res) return;
    gl.deleteVertexArray(this.res.mesh);
    for (const b of this.res.buffers) gl.deleteBuffer(b);
    this.res = null;
  }
}

/**
 * The CORNERS² mesh corners (their indices, see {@link FACE_WARP_GLSL}) where the quad's position
 * goes, and its triangles: the face box's cells first, then the ring's.
 */
function createMesh(gl: WebGL2RenderingContext): MeshGl {
  const corners = new Float32Array(CORNERS * CORNERS * 2);
  for (let j = 0, k = 0; j < CORNERS; j++) for (let i = 0; i < CORNERS; i++, k += 2) corners.set([i, j], k);
  const cells = CORNERS - 1;
  const inFace = (c: number): boolean => c >= 1 && c <= GRID;
  const triangles = new Uint16Array(ALL_INDICES);
  let face = 0;
  let ring = FACE_INDICES;
  for (let j = 0; j < cells; j++)
    for (let i = 0; i < cells; i++) {
      const a = j * CORNERS + i;
      const at = inFace(i) && inFace(j) ? (face += 6) - 6 : (ring += 6) - 6;
      triangles.set([a, a + 1, a + CORNERS, a + 1, a + CORNERS + 1, a + CORNERS], at);
    }
  const mesh = gl.createVertexArray();
  const vertices = gl.createBuffer();
  const indices = gl.createBuffer();
  if (!mesh || !vertices || !indices) throw new GlError('could not create the face mesh (context lost?)');
  gl.bindVertexArray(mesh);
  gl.bindBuffer(gl.ARRAY_BUFFER, vertices);
  gl.bufferData(gl.ARRAY_BUFFER, corners, gl.STATIC_DRAW);
  gl.enableVertexAttribArray(QUAD_POSITION_LOCATION);
  gl.vertexAttribPointer(QUAD_POSITION_LOCATION, 2, gl.FLOAT, false, 0, 0);
  gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, indices);
  gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, triangles, gl.STATIC_DRAW);
  gl.bindVertexArray(null);
  return { mesh, buffers: [vertices, indices] };
}
