/**
 * A stage pass that maps every pixel through a 3D colour lookup table (a `filter` look or an
 * `applyFilter` image), mixed with the input at `alpha`. The table lives in a TEXTURE_3D with
 * LINEAR filtering, so the GPU does the trilinear interpolation between lattice points.
 */
import { compileProgram, QUAD_VERTEX_SHADER } from '../media/gl.js';
import type { PassContext, StagePass, StageTexture } from '../media/video-stage.js';

/*
 * u_scale/u_offset map a colour c in 0–1 onto texel centres: (n−1)/n · c + 0.5/n, so 0 and 1 hit
 * the first and last lattice points exactly (sampling at c itself would blend with the clamped
 * edge and shift every colour by half a texel).
 */
const LUT_FRAGMENT_SHADER = `#version 300 es
precision mediump float;
precision mediump sampler3D;
uniform sampler2D u_input;
uniform sampler3D u_lut;
uniform float u_scale;
uniform float u_offset;
uniform float u_alpha;
in vec2 v_uv;
out vec4 outColor;
void main() {
  vec3 c = texture(u_input, v_uv).rgb;
  vec3 graded = texture(u_lut, c * u_scale + u_offset).rgb;
  outColor = vec4(mix(c, graded, u_alpha), 1.0);
}`;

interface LutGl {
  program: WebGLProgram;
  lut: WebGLTexture;
  alpha: WebGLUniformLocation | null;
}

export class LutPass implements StagePass {
  private res: LutGl | null = null;
  private table: Uint8Array;
  private size: number;
  private dirty = true;
  /** Mix of the graded colour with the input, 0–1. */
  alpha = 1;

  constructor(
    readonly name: string,
    table: Uint8Array,
    size: number,
  ) {
    this.table = table;
    this.size = size;
  }

  /** Swaps the table (another look); uploaded on the next frame. */
  setTable(table: Uint8Array, size: number): void {
    if (table === this.table) return;
    this.table = table;
    this.size = size;
    this.dirty = true;
  }

  setup(gl: WebGL2RenderingContext): void {
    const program = compileProgram(gl, QUAD_VERTEX_SHADER, LUT_FRAGMENT_SHADER);
    gl.useProgram(program);
    gl.uniform4f(gl.getUniformLocation(program, 'u_uvTransform'), 0, 0, 1, 1);
    gl.uniform1i(gl.getUniformLocation(program, 'u_input'), 0);
    gl.uniform1i(gl.getUniformLocation(program, 'u_lut'), 1);
    const lut = gl.createTexture()!;
    this.res = { program, lut, alpha: gl.getUniformLocation(program, 'u_alpha') };
    this.dirty = true;
  }

  apply(gl: WebGL2RenderingContext, input: StageTexture, ctx: PassContext): StageTexture {
    const res = this.res;
    if (!res || this.alpha <= 0) return input;
    gl.useProgram(res.program);
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_3D, res.lut);
    if (this.dirty) this.upload(gl, res.program);
    gl.uniform1f(res.alpha, Math.min(1, this.alpha));
    const target = ctx.drawFrom(input);
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_3D, null);
    gl.activeTexture(gl.TEXTURE0);
    return target;
  }

  dispose(gl: WebGL2RenderingContext): void {
    if (!this.res) return;
    gl.deleteProgram(this.res.program);
    gl.deleteTexture(this.res.lut);
    this.res = null;
  }

  /** Uploads the table into the bound TEXTURE_3D (only when it changed: not per frame). */
  private upload(gl: WebGL2RenderingContext, program: WebGLProgram): void {
    const n = this.size;
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.texImage3D(gl.TEXTURE_3D, 0, gl.RGBA8, n, n, n, 0, gl.RGBA, gl.UNSIGNED_BYTE, this.table);
    gl.texParameteri(gl.TEXTURE_3D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_3D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    for (const wrap of [gl.TEXTURE_WRAP_S, gl.TEXTURE_WRAP_T, gl.TEXTURE_WRAP_R]) gl.texParameteri(gl.TEXTURE_3D, wrap, gl.CLAMP_TO_EDGE);
    gl.uniform1f(gl.getUniformLocation(program, 'u_scale'), (n - 1) / n);
    gl.uniform1f(gl.getUniformLocation(program, 'u_offset'), 0.5 / n);
    this.dirty = false;
  }
}
