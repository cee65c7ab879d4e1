/**
 * What every single-draw effect pass shares: one fragment program over the full-screen quad,
 * reading the input at unit 0 and drawing into the stage's other render target. Subclasses set
 * their uniforms in `uniforms()`; `active()` false skips the pass (the input goes on untouched, so
 * an effect at 0 costs nothing and changes no bit).
 */
import { compileProgram, QUAD_VERTEX_SHADER } from '../media/gl.js';
import type { PassContext, StagePass, StageTexture } from '../media/video-stage.js';

export abstract class ShaderPass implements StagePass {
  abstract readonly name: string;
  protected program: WebGLProgram | null = null;
  private readonly locations = new Map<string, WebGLUniformLocation | null>();

  constructor(private readonly fragmentSource: string) {}

  /** Whether the pass changes the picture with its current settings. */
  abstract active(): boolean;

  /** Sets the per-frame uniforms (the program is bound). */
  protected abstract uniforms(gl: WebGL2RenderingContext, ctx: PassContext): void;

  setup(gl: WebGL2RenderingContext): void {
    this.program = compileProgram(gl, QUAD_VERTEX_SHADER, this.fragmentSource);
    this.locations.clear();
    gl.useProgram(this.program);
    gl.uniform4f(this.uniform(gl, 'u_uvTransform'), 0, 0, 1, 1);
    gl.uniform1i(this.uniform(gl, 'u_input'), 0);
  }

  apply(gl: WebGL2RenderingContext, input: StageTexture, ctx: PassContext): StageTexture {
    if (!this.program || !this.active()) return input;
    gl.useProgram(this.program);
    this.uniforms(gl, ctx);
    return ctx.drawFrom(input);
  }

  dispose(gl: WebGL2RenderingContext): void {
    if (this.program) gl.deleteProgram(this.program);
    this.program = null;
    this.locations.clear();
  }

  /** A uniform's location, looked up once per program (no per-frame string lookups). */
  protected uniform(gl: WebGL2RenderingContext, name: string): WebGLUniformLocation | null {
    if (!this.locations.has(name)) this.locations.set(name, gl.getUniformLocation(this.program!, name));
    return this.locations.get(name)!;
  }
}

/**
 * GLSL: a soft skin likelihood 0–1 from a colour, in YCbCr (BT.601, 0–1 scale). Skin of every
 * complexion clusters in a small Cb/Cr box (Cb ≈ 0.30–0.50, Cr ≈ 0.52–0.68) whatever its
 * brightness; smoothstep edges keep the mask from cutting visible seams.
 */
export const SKIN_GLSL = `
float skinLikelihood(vec3 c) {
  float y = dot(c, vec3(0.299, 0.587, 0.114));
  float cb = 0.5 + (c.b - y) * 0.564;
  float cr = 0.5 + (c.r - y) * 0.713;
  float inCb = smoothstep(0.27, 0.32, cb) * (1.0 - smoothstep(0.48, 0.53, cb));
  float inCr = smoothstep(0.50, 0.54, cr) * (1.0 - smoothstep(0.66, 0.70, cr));
  // Very dark or blown-out pixels carry no skin texture worth smoothing.
  float lit = smoothstep(0.12, 0.22, y) * (1.0 - smoothstep(0.95, 1.0, y));
  return inCb * inCr * lit;
}`;
