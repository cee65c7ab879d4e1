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
  private _size: number;
  private _version = 0;
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
    this._size = size;
  }

  /** Lattice points along each side. */
  get size(): number {
    return this._size;
  }

  /** Counts the tables it held: a table baked from it is stale when this moved. */
  get version(): number {
    return this._version;
  }

  active(): boolean {
    return this.alpha > 0;
  }

  /** Swaps the table (another look); uploaded on the next frame. */
  setTable(table: Uint8Array, size: number): void {
    if (table === this.table) return;
    this.table = table;
    this._size = size;
    this._version++;
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
    const n = this._size;
    gl.uniform1i(program.uniform(gl, `u_${this.name}`), unit);
    gl.uniform3f(program.uniform(gl, `u_${this.name}Map`), (n - 1) / n, 0.5 / n, Math.min(1, this.alpha));
  }

  dispose(gl: WebGL2RenderingContext): void {
    gl.deleteTexture(this.texture);
    this.texture = null;
  }

  private upload(gl: WebGL2RenderingContext): void {
    const n = this._size;
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.texImage3D(gl.TEXTURE_3D, 0, gl.RGBA8, n, n, n, 0, gl.RGBA, gl.UNSIGNED_BYTE, this.table);
    gl.texParameteri(gl.TEXTURE_3D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_3D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    for (const wrap of [gl.TEXTURE_WRAP_S, gl.TEXTURE_WRAP_T, gl.TEXTURE_WRAP_R]) gl.texParameteri(gl.TEXTURE_3D, wrap, gl.CLAMP_TO_EDGE);
    this.dirty = false;
  }
}

/**
 * Lattice points per side of a {@link BakedTable}. The picture reads it with NEAREST filtering:
 * under software WebGL (SwiftShader) a trilinear 3D read cost about 26 CPU ms per 1280×720 frame
 * and a nearest one about 13, and at 128 points a nearest read is off by at most half a step of
 * the input, one level in 255 (at 33, with trilinear reads, the interpolation's own error is
 * about as large). 8 MiB of texture, drawn once per change of the settings.
 */
export const BAKED_TABLE_SIZE = 128;

/**
 * A table drawn on the GPU, layer by layer, by a program that maps each lattice colour through a
 * chain of per-colour steps (whitening, the filter look, the applyFilter table): the picture pass
 * then pays one nearest lookup per pixel for the whole chain, and the chain's cost once per
 * change of its settings. The program is the caller's; it reads its lattice colour from
 * `gl_FragCoord.xy` and `u_layer` (see {@link BAKED_COLOUR_GLSL}).
 */
export class BakedTable {
  private texture: WebGLTexture | null = null;
  private framebuffer: WebGLFramebuffer | null = null;
  private size = 0;
  /** The caller's description of what was baked last ('' for nothing): bake again when it changes. */
  baked = '';

  setup(gl: WebGL2RenderingContext): void {
    this.framebuffer = gl.createFramebuffer();
    if (!this.framebuffer) throw new GlError('createFramebuffer returned null (context lost?)');
    this.texture = null;
    this.size = 0;
    this.baked = '';
  }

  /**
   * Draws the table with `program` (bound, its other uniforms set) over the bound full-screen
   * quad; `unit` is where {@link bind} puts it (not one the program reads).
   */
  bake(gl: WebGL2RenderingContext, program: ShaderProgram, unit: number): void {
    const size = BAKED_TABLE_SIZE;
    if (size !== this.size) {
      gl.deleteTexture(this.texture);
      this.texture = gl.createTexture();
      if (!this.texture) throw new GlError('createTexture returned null (context lost?)');
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.bindTexture(gl.TEXTURE_3D, this.texture);
      gl.texStorage3D(gl.TEXTURE_3D, 1, gl.RGBA8, size, size, size);
      gl.texParameteri(gl.TEXTURE_3D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
      gl.texParameteri(gl.TEXTURE_3D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
      for (const wrap of [gl.TEXTURE_WRAP_S, gl.TEXTURE_WRAP_T, gl.TEXTURE_WRAP_R]) gl.texParameteri(gl.TEXTURE_3D, wrap, gl.CLAMP_TO_EDGE);
      this.size = size;
    }
    gl.uniform1f(program.uniform(gl, 'u_tableSize'), size);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffer);
    gl.viewport(0, 0, size, size);
    for (let layer = 0; layer < size; layer++) {
      gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, this.texture, 0, layer);
      gl.uniform1f(program.uniform(gl, 'u_layer'), layer);
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    }
  }

  /** The table as baked: RGBA texels, layer after layer, row after row (8 MiB read back from the GPU: once per change). */
  read(gl: WebGL2RenderingContext): Uint8Array {
    const n = this.size;
    const out = new Uint8Array(n * n * n * 4);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffer);
    gl.pixelStorei(gl.PACK_ALIGNMENT, 1);
    for (let layer = 0; layer < n; layer++) {
      gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, this.texture, 0, layer);
      gl.readPixels(0, 0, n, n, gl.RGBA, gl.UNSIGNED_BYTE, out.subarray(layer * n * n * 4, (layer + 1) * n * n * 4));
    }
    return out;
  }

  /** Binds the table on texture `unit` and sets the uniforms of {@link lookupGlsl}(`name`) to read it whole (alpha 1). */
  bind(gl: WebGL2RenderingContext, program: ShaderProgram, name: string, unit: number): void {
    const n = this.size;
    gl.activeTexture(gl.TEXTURE0 + unit);
    gl.bindTexture(gl.TEXTURE_3D, this.texture);
    gl.uniform1i(program.uniform(gl, `u_${name}`), unit);
    gl.uniform3f(program.uniform(gl, `u_${name}Map`), (n - 1) / n, 0.5 / n, 1);
  }

  dispose(gl: WebGL2RenderingContext): void {
    gl.deleteTexture(this.texture);
    gl.deleteFramebuffer(this.framebuffer);
    this.texture = this.framebuffer = null;
    this.size = 0;
    this.baked = '';
  }
}

/** GLSL: the lattice colour a {@link BakedTable} layer's fragment stands for. */
export const BAKED_COLOUR_GLSL = `
uniform float u_layer;      // which layer is drawn
uniform float u_tableSize;  // lattice points along each side
vec3 bakedColour() {
  return vec3(gl_FragCoord.xy - 0.5, u_layer) / (u_tableSize - 1.0);
}`;
