/**
 * Every per-pixel picture effect in one full-resolution draw (issue 6: 1280×720@30 with every
 * effect on must hold 25 fps under software WebGL, where each full-resolution draw costs
 * milliseconds): the face warp moves the fetch coordinate (`face-warp-pass.ts`), then the colour
 * read there goes through the skin smoothing's blend (`smooth-pass.ts`, whose bilateral layer is
 * the one other draw, at a reduced size), whitening (`whiten-pass.ts`), the filter look and the
 * applyFilter table (`lut-pass.ts`). The program is generated for the set of effects that are on
 * (each off effect leaves its code out rather than running at zero) and kept per set once
 * compiled; with none on the pass returns its input untouched.
 *
 * Whitening and the tables map colour to colour, so whichever of them are on are baked into one
 * table (drawn when their settings change) and a pixel pays a single nearest lookup for all three
 * (`BAKED_TABLE_SIZE` says why nearest): under software WebGL each texture read costs a
 * full-resolution pass's worth of time by itself, more than whitening's arithmetic.
 */
import { compileProgram } from '../media/gl.js';
import type { PassContext, StageTexture, UvTransform, YuvPass } from '../media/video-stage.js';
import { FACE_WARP_GLSL, type FaceWarper } from './face-warp-pass.js';
import { BAKED_COLOUR_GLSL, BakedTable, lookupGlsl, type LookupTable } from './lut-pass.js';
import { ShaderProgram, SKIN_GLSL } from './shader-pass.js';
import { SMOOTH_GLSL, type Smooth } from './smooth-pass.js';
import { WHITEN_GLSL, type Whiten } from './whiten-pass.js';
import { codeConversion, sameColour, yuvMaps, type YuvColour } from './yuv-colour.js';
import { yuvTableFrom, type YuvSteps, type YuvTable } from './yuv-picture.js';

/** The steps, as bits of a program's key. */
const WARP = 1;
const SMOOTH = 2;
const WHITEN = 4;
const LOOK = 8;
const APPLIED = 16;
/** Whitening, the look and the applied table through one {@link BakedTable}. */
const TABLE = 32;
/** The program that draws the baked table rather than the picture. */
const BAKE = 64;
/** With BAKE: a table over Y′CbCr codes, for the CPU route (`yuv-picture.ts`). */
const YUV_LATTICE = 128;
const COLOUR_STEPS = WHITEN | LOOK | APPLIED;

/** Texture units: the picture on 0 (as every stage pass), then the step's own. */
const SMOOTH_UNIT = 1;
const LOOK_UNIT = 2;
const APPLIED_UNIT = 3;
const TABLE_UNIT = 4;

/** The whole input, as it is: the uv transform of a picture at the pushed size. */
const WHOLE: UvTransform = [0, 0, 1, 1];

/** The steps the pass runs, in order; `look` and `applied` are the tables called so in GLSL. */
export interface PictureSteps {
  warp: FaceWarper;
  smooth: Smooth;
  whiten: Whiten;
  look: LookupTable;
  applied: LookupTable;
}

export class PicturePass implements YuvPass {
  readonly name = 'picture';
  private programs = new Map<number, ShaderProgram>();
  private readonly table = new BakedTable();
  /** The colour steps over Y′CbCr codes for the CPU route, baked on the GPU and read back once per change. */
  private readonly yuvBaked = new BakedTable();
  private yuvTable: YuvTable | undefined;

  constructor(private readonly steps: PictureSteps) {}

  /** Whether a frame may need the pass (a face may come: the warp is wanted without one). */
  wanted(): boolean {
    const { warp, smooth, whiten, look, applied } = this.steps;
    return warp.wanted() || smooth.active() || whiten.active() || look.active() || applied.active();
  }

  setup(gl: WebGL2RenderingContext): void {
    this.programs.clear();
    const { warp, smooth, look, applied } = this.steps;
    warp.setup(gl);
    smooth.setup(gl);
    look.setup(gl);
    applied.setup(gl);
    this.table.setup(gl);
    this.yuvBaked.setup(gl);
    this.yuvTable = undefined;
  }

  /**
   * This frame's steps for the CPU route (`yuv-picture.ts`) at the pushed size, over codes of
   * `colour`, the pictures' codes in `target`; empty when nothing changes this frame (no face yet
   * for a warp alone) and the two colours agree. The colour steps are baked by the same GLSL as
   * the GPU route's table, over a lattice of codes, and read back when their settings or the
   * colours change.
   */
  yuvSteps(gl: WebGL2RenderingContext, width: number, height: number, colour: YuvColour, target: YuvColour, ctx: PassContext): YuvSteps {
    const { warp, smooth } = this.steps;
    const key = this.key();
    const steps: YuvSteps = {};
    if (key & WARP) steps.warp = warp.current!;
    if (key & SMOOTH) steps.smooth = smooth.shape(width, height);
    if (key & COLOUR_STEPS) {
      const baked = this.bake(gl, key & COLOUR_STEPS, ctx, this.yuvBaked, { from: colour, to: target });
      if (baked || !this.yuvTable) this.yuvTable = yuvTableFrom(this.yuvBaked.read(gl));
      steps.table = this.yuvTable;
    } else if (!sameColour(colour, target)) steps.convert = codeConversion(colour, target);
    return steps;
  }

  apply(gl: WebGL2RenderingContext, input: StageTexture, ctx: PassContext): StageTexture {
    const target = ctx.targetFor(input);
    return this.drawDirect(gl, input, null, target.framebuffer, ctx) ? target : input;
  }

  drawDirect(gl: WebGL2RenderingContext, input: StageTexture, crop: UvTransform | null, framebuffer: WebGLFramebuffer | null, ctx: PassContext): boolean {
    const { warp, smooth } = this.steps;
    let key = this.key();
    if (key === 0) return false;
    if (key & COLOUR_STEPS) {
      this.bake(gl, key & COLOUR_STEPS, ctx);
      key = (key & ~COLOUR_STEPS) | TABLE;
    }
    // Drawn first: it uses its own program and target.
    const layer = key & SMOOTH ? smooth.drawLayer(gl, input, crop ?? WHOLE, ctx) : undefined;
    const program = this.program(gl, key);
    gl.useProgram(program.program);
    gl.uniform2f(program.uniform(gl, 'u_size'), ctx.width, ctx.height);
    gl.uniform4f(program.uniform(gl, 'u_inputTransform'), ...(crop ?? WHOLE));
    gl.uniform1f(program.uniform(gl, 'u_flipY'), framebuffer ? 1 : -1);
    if (key & WARP) warp.uniforms(gl, program);
    if (layer) smooth.uniforms(gl, program, ctx, layer, SMOOTH_UNIT);
    if (key & TABLE) this.table.bind(gl, program, 'table', TABLE_UNIT);
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.viewport(0, 0, ctx.width, ctx.height);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, input.texture);
    // Unwarped, each pixel reads its own texel when the crop does not rescale: the cheap read.
    const exact = ctx.exactSampler(input, crop);
    if (key & WARP) warp.draw(gl, exact);
    else {
      gl.bindSampler(0, exact);
      ctx.bindQuad();
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      gl.bindSampler(0, null);
    }
    return true;
  }

  dispose(gl: WebGL2RenderingContext): void {
    for (const p of this.programs.values()) gl.deleteProgram(p.program);
    this.programs.clear();
    const { warp, smooth, look, applied } = this.steps;
    warp.dispose(gl);
    smooth.dispose(gl);
    look.dispose(gl);
    applied.dispose(gl);
    this.table.dispose(gl);
    this.yuvBaked.dispose(gl);
    this.yuvTable = undefined;
  }

  /**
   * Bakes the colour steps in `steps` into `table` (over RGB, or over codes `from` giving codes
   * `to`), unless it holds them with these settings already; whether it baked.
   */
  private bake(gl: WebGL2RenderingContext, steps: number, ctx: PassContext, table = this.table, codes?: { from: YuvColour; to: YuvColour }): boolean {
    const { whiten, look, applied } = this.steps;
    const baked = [steps, whiten.level, look.version, applied.version, applied.alpha, codes && [...Object.values(codes.from), ...Object.values(codes.to)]].join();
    if (table.baked === baked) return false;
    const program = this.program(gl, steps | BAKE | (codes ? YUV_LATTICE : 0));
    gl.useProgram(program.program);
    if (steps & WHITEN) whiten.uniforms(gl, program);
    if (steps & LOOK) look.bind(gl, program, LOOK_UNIT);
    if (steps & APPLIED) applied.bind(gl, program, APPLIED_UNIT);
    if (codes) {
      const from = yuvMaps(codes.from);
      const to = yuvMaps(codes.to);
      // Row-major matrices, hence transpose (WebGL2 allows it).
      gl.uniformMatrix3fv(program.uniform(gl, 'u_yuvToRgb'), true, Float32Array.from(from.toRgb));
      gl.uniform3fv(program.uniform(gl, 'u_rgbOffset'), Float32Array.from(from.rgbOffset));
      gl.uniformMatrix3fv(program.uniform(gl, 'u_rgbToYuv'), true, Float32Array.from(to.toYuv));
      gl.uniform3fv(program.uniform(gl, 'u_yuvOffset'), Float32Array.from(to.yuvOffset));
    }
    ctx.bindQuad();
    table.bake(gl, program, TABLE_UNIT);
    table.baked = baked;
    return true;
  }

  /** The steps that change this frame, as bits. */
  private key(): number {
    const { warp, smooth, whiten, look, applied } = this.steps;
    return (warp.active() ? WARP : 0) | (smooth.active() ? SMOOTH : 0) | (whiten.active() ? WHITEN : 0) | (look.active() ? LOOK : 0) | (applied.active() ? APPLIED : 0);
  }

  private program(gl: WebGL2RenderingContext, key: number): ShaderProgram {
    let program = this.programs.get(key);
    if (!program) {
      program = new ShaderProgram(compileProgram(gl, vertexShader(key), fragmentShader(key)));
      gl.useProgram(program.program);
      gl.uniform1i(program.uniform(gl, 'u_input'), 0);
      gl.uniform1f(program.uniform(gl, 'u_flipY'), 1);
      this.programs.set(key, program);
    }
    return program;
  }
}

/** v_src: where the pixel reads, in pixels; the face warp on its mesh, or the quad's plain place. */
function vertexShader(key: number): string {
  return `#version 300 es
in vec2 a_pos;
uniform vec2 u_size;
uniform float u_flipY;  // -1 drawing into the canvas, whose row 0 is the bottom
out vec2 v_src;
${key & WARP ? FACE_WARP_GLSL : ''}
void main() {
  ${key & WARP ? 'vec2 p = meshPoint(a_pos);\n  v_src = faceWarp(p);' : 'vec2 p = (a_pos * 0.5 + 0.5) * u_size;\n  v_src = p;'}
  // Pixel y grows downwards, as texture rows do in the stage's render targets.
  gl_Position = vec4((p / u_size * 2.0 - 1.0) * vec2(1.0, u_flipY), 0.0, 1.0);
}`;
}

/** The picture's colour, or with {@link BAKE} the table's. */
function fragmentShader(key: number): string {
  return `#version 300 es
precision highp float;
uniform sampler2D u_input;
uniform vec2 u_size;
uniform vec4 u_inputTransform;  // where the pushed picture lies in the input (the camera frame's crop)
in vec2 v_src;
out vec4 outColor;
${SKIN_GLSL}
${key & SMOOTH ? SMOOTH_GLSL : ''}
${key & WHITEN ? WHITEN_GLSL : ''}
${key & LOOK ? lookupGlsl('look') : ''}
${key & APPLIED ? lookupGlsl('applied') : ''}
${key & TABLE ? lookupGlsl('table') : ''}
${key & BAKE ? BAKED_COLOUR_GLSL : ''}
${key & YUV_LATTICE ? YUV_LATTICE_GLSL : ''}
void main() {
  vec2 uv = v_src / u_size;
  vec3 c = ${key & YUV_LATTICE ? 'latticeRgb()' : key & BAKE ? 'bakedColour()' : 'texture(u_input, u_inputTransform.xy + uv * u_inputTransform.zw).rgb'};
  ${key & SMOOTH ? 'c = smoothSkin(c, uv);' : ''}
  ${key & WHITEN ? 'c = whiten(c);' : ''}
  ${key & LOOK ? 'c = look(c);' : ''}
  ${key & APPLIED ? 'c = applied(c);' : ''}
  ${key & TABLE ? 'c = table(c);' : ''}
  outColor = vec4(${key & YUV_LATTICE ? 'codes(c)' : 'c'}, 1.0);
}`;
}

/**
 * GLSL for a table over Y′CbCr codes: the lattice point's codes (its 0–1 place × 255) as RGB,
 * clamped as the browser's own conversion clamps, and a result back to codes / 255 (see
 * `yuv-colour.ts`).
 */
const YUV_LATTICE_GLSL = `
uniform mat3 u_yuvToRgb;
uniform vec3 u_rgbOffset;
uniform mat3 u_rgbToYuv;
uniform vec3 u_yuvOffset;
vec3 latticeRgb() {
  return clamp(u_yuvToRgb * (bakedColour() * 255.0) + u_rgbOffset, 0.0, 1.0);
}
vec3 codes(vec3 rgb) {
  return clamp((u_rgbToYuv * rgb + u_yuvOffset) / 255.0, 0.0, 1.0);
}`;
