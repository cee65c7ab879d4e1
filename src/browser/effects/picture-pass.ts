/**
 * Every per-pixel picture effect in one full-resolution draw (issue 6: 1280×720@30 with every
 * effect on must hold 25 fps under software WebGL, where each full-resolution draw costs
 * milliseconds): the face warp moves the fetch coordinate (`face-warp-pass.ts`), then the colour
 * read there goes through the skin smoothing's blend (`smooth-pass.ts`, whose bilateral layer is
 * the one other draw, at a reduced size), whitening (`whiten-pass.ts`), the filter look and the
 * applyFilter table (`lut-pass.ts`). The program is generated for the set of effects that are on
 * (each off effect leaves its code out rather than running at zero) and kept per set once
 * compiled; with none on the pass returns its input untouched.
 */
import { compileProgram } from '../media/gl.js';
import type { PassContext, StagePass, StageTexture } from '../media/video-stage.js';
import { EYE_WARP_GLSL, JAW_WARP_GLSL, type FaceWarper } from './face-warp-pass.js';
import { lookupGlsl, type LookupTable } from './lut-pass.js';
import { ShaderProgram, SKIN_GLSL } from './shader-pass.js';
import { SMOOTH_GLSL, type Smooth } from './smooth-pass.js';
import { WHITEN_GLSL, type Whiten } from './whiten-pass.js';

/** The steps, as bits of a program's key. */
const WARP = 1;
const SMOOTH = 2;
const WHITEN = 4;
const LOOK = 8;
const APPLIED = 16;

/** Texture units: the picture on 0 (as every stage pass), then the step's own. */
const SMOOTH_UNIT = 1;
const LOOK_UNIT = 2;
const APPLIED_UNIT = 3;

/** The steps the pass runs, in order; `look` and `applied` are the tables called so in GLSL. */
export interface PictureSteps {
  warp: FaceWarper;
  smooth: Smooth;
  whiten: Whiten;
  look: LookupTable;
  applied: LookupTable;
}

export class PicturePass implements StagePass {
  readonly name = 'picture';
  private programs = new Map<number, ShaderProgram>();

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
  }

  apply(gl: WebGL2RenderingContext, input: StageTexture, ctx: PassContext): StageTexture {
    const { warp, smooth, whiten, look, applied } = this.steps;
    const key = this.key();
    if (key === 0) return input;
    // Drawn first: it uses its own program and target.
    const layer = key & SMOOTH ? smooth.drawLayer(gl, input, ctx) : undefined;
    const program = this.program(gl, key);
    gl.useProgram(program.program);
    gl.uniform2f(program.uniform(gl, 'u_size'), ctx.width, ctx.height);
    if (key & WARP) warp.uniforms(gl, program, ctx);
    if (layer) smooth.uniforms(gl, program, ctx, layer, SMOOTH_UNIT);
    if (key & WHITEN) whiten.uniforms(gl, program);
    if (key & LOOK) look.bind(gl, program, LOOK_UNIT);
    if (key & APPLIED) applied.bind(gl, program, APPLIED_UNIT);
    const target = ctx.targetFor(input);
    gl.bindFramebuffer(gl.FRAMEBUFFER, target.framebuffer);
    gl.viewport(0, 0, ctx.width, ctx.height);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, input.texture);
    if (key & WARP) warp.draw(gl);
    else {
      ctx.bindQuad();
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    }
    return target;
  }

  dispose(gl: WebGL2RenderingContext): void {
    for (const p of this.programs.values()) gl.deleteProgram(p.program);
    this.programs.clear();
    const { warp, smooth, look, applied } = this.steps;
    warp.dispose(gl);
    smooth.dispose(gl);
    look.dispose(gl);
    applied.dispose(gl);
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
      this.programs.set(key, program);
    }
    return program;
  }
}

/** v_src: where the pixel reads, in pixels; the jaw's pull on the face mesh, or the quad's plain place. */
function vertexShader(key: number): string {
  return `#version 300 es
in vec2 a_pos;
uniform vec2 u_size;
out vec2 v_src;
${key & WARP ? JAW_WARP_GLSL : ''}
void main() {
  ${key & WARP ? 'vec2 p = meshPoint(a_pos);\n  v_src = jawWarp(p);' : 'vec2 p = (a_pos * 0.5 + 0.5) * u_size;\n  v_src = p;'}
  // Pixel y grows downwards, as texture rows do in the stage's render targets.
  gl_Position = vec4(p / u_size * 2.0 - 1.0, 0.0, 1.0);
}`;
}

function fragmentShader(key: number): string {
  return `#version 300 es
precision highp float;
uniform sampler2D u_input;
uniform vec2 u_size;
in vec2 v_src;
out vec4 outColor;
${SKIN_GLSL}
${key & WARP ? EYE_WARP_GLSL : ''}
${key & SMOOTH ? SMOOTH_GLSL : ''}
${key & WHITEN ? WHITEN_GLSL : ''}
${key & LOOK ? lookupGlsl('look') : ''}
${key & APPLIED ? lookupGlsl('applied') : ''}
void main() {
  vec2 uv = ${key & WARP ? 'eyeWarp(v_src)' : 'v_src'} / u_size;
  vec3 c = texture(u_input, uv).rgb;
  ${key & SMOOTH ? 'c = smoothSkin(c, uv);' : ''}
  ${key & WHITEN ? 'c = whiten(c);' : ''}
  ${key & LOOK ? 'c = look(c);' : ''}
  ${key & APPLIED ? 'c = applied(c);' : ''}
  outColor = vec4(c, 1.0);
}`;
}
