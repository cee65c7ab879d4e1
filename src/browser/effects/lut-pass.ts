/**
 * A 3D colour lookup table (a `filter` look or an `applyFilter` image), mixed with the colour at
 * `alpha`: one step of the picture pass (`picture-pass.ts`). The table lives in a TEXTURE_3D with
 * LINEAR filtering, so the GPU does the trilinear interpolation between lattice points.
 */
import { GlError } from '../media/gl.js';
import type { ShaderProgram } from './shader-pass.js';

/**
 * GLSL for the table called `name`: `vec3 name(vec3 c)`. u_nameMap's x and y map a colour c in
 * 0–1 onto texel centres, (n−1)/n · c + 0.5/n, so 0 and 1 hit the first and last lattice points
 * exactly (sampling at c itself would blend with the clamped edge and shift every colour by half
 * a texel); z is alpha.
 */
export function lookupGlsl(name: string): string {
  return `
uniform mediump sampler3D u_${name};
uniform vec3 u_${name}Map;
vec3 ${name}(vec3 c) {
  vec3 graded = texture(u_${name}, c * u_${name}Map.x + u_${name}Map.y).rgb;
  return mix(c, graded, u_${name}Map.z);
}`;
}

export class LookupTable {
  private texture: WebGLTexture | null = null;
  private table: Uint8Array;
  private size: number;
  private dirty = true;
  /** Mix of the graded colour with the input, 0–1; 0 (the start) is off. */
  alpha = 0;

  /** `name` is the GLSL function's (see {@link lookupGlsl}). */
  constructor(
    readonly name: string,
    table: Uint8Array,
    size: number,
  ) {
    this.table = table;
    this.size = size;
  }

  active(): boolean {
    return this.alpha > 0;
  }

  /** Swaps the table (another look); uploaded on the next frame. */
  setTable(table: Uint8Array, size: number): void {
    if (table === this.table) return;
    this.table = table;
    this.size = size;
    this.dirty = true;
  }

  setup(gl: WebGL2RenderingContext): void {
    this.texture = gl.createTexture();
    if (!this.texture) throw new GlError('createTexture returned null (context lost?)');
    this.dirty = true;
  }

  /** Binds the table on texture `unit` (uploading it when it changed: not per frame) and sets its uniforms. */
  bind(gl: WebGL2RenderingContext, program: ShaderProgram, unit: number): void {
    gl.activeTexture(gl.TEXTURE0 + unit);
    gl.bindTexture(gl.TEXTURE_3D, this.texture);
    if (this.dirty) this.upload(gl);
    const n = this.size;
    gl.uniform1i(program.uniform(gl, `u_${this.name}`), unit);
    gl.uniform3f(program.uniform(gl, `u_${this.name}Map`), (n - 1) / n, 0.5 / n, Math.min(1, this.alpha));
  }

  dispose(gl: WebGL2RenderingContext): void {
    gl.deleteTexture(this.texture);
    this.texture = null;
  }

  private upload(gl: WebGL2RenderingContext): void {
    const n = this.size;
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.texImage3D(gl.TEXTURE_3D, 0, gl.RGBA8, n, n, n, 0, gl.RGBA, gl.UNSIGNED_BYTE, this.table);
    gl.texParameteri(gl.TEXTURE_3D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_3D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    for (const wrap of [gl.TEXTURE_WRAP_S, gl.TEXTURE_WRAP_T, gl.TEXTURE_WRAP_R]) gl.texParameteri(gl.TEXTURE_3D, wrap, gl.CLAMP_TO_EDGE);
    this.dirty = false;
  }
}
