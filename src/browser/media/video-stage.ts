/**
 * The WebGL2 picture stage (DESIGN.md "Data flow (browser)": frame source ─► WebGL2 stages ─►
 * VideoFrame): camera frame in, pushed frame out, same timestamp.
 *
 * Per frame: upload the camera frame into a texture, run the ordered passes, present the last
 * texture to the OffscreenCanvas, wrap the canvas in a VideoFrame. The first pass is built in:
 * scale and crop to the pushed size (cover, centered: the picture fills the frame and the excess
 * is cut equally from both sides, as the mini-program does for a mode preset larger or of another
 * aspect than the camera, spec §2) and the remote mirror (spec §1 `remote-mirror`: what viewers
 * see). Effect passes (beauty, whiteness, filter LUT, custom effects) plug in after it through
 * {@link VideoStage.setEffects}; each maps an input texture to an output texture of the pushed size.
 *
 * Under software WebGL every full-resolution draw costs milliseconds, so the stage draws no more
 * than it must: without effects the crop goes straight into the canvas (one draw), and a
 * {@link DirectPass} (the picture effects) reads the camera through the crop when first and draws
 * into the canvas when last (one draw for crop, effects and present).
 */
import type { YuvColour } from '../effects/yuv-colour.js';
import { cpuInputColour } from '../effects/i420-input.js';
import { codeConversion, PUSHED_COLOUR, sameColour, yuvColourOf } from '../effects/yuv-colour.js';
import type { YuvSteps } from '../effects/yuv-picture.js';
import {
  compileCopyProgram,
  createNearestSampler,
  createQuad,
  createRenderTarget,
  createTexture,
  deleteRenderTarget,
  GlError,
  isSoftwareGl,
  QUAD_VERTEX_SHADER,
  type RenderTarget,
  type StageTexture,
} from './gl.js';

export type { RenderTarget, StageTexture } from './gl.js';

/** What a pass gets besides the GL context. */
export interface PassContext {
  /** The pushed size; every pass outputs this size. */
  readonly width: number;
  readonly height: number;
  /**
   * A render target of the pushed size that is not `input`: passes draw into it and return it.
   * Two targets ping-pong, so a pass must not keep one across frames.
   */
  targetFor(input: StageTexture): RenderTarget;
  /** Binds the full-screen quad; then `gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4)`. */
  bindQuad(): void;
  /**
   * A nearest-texel sampler for reading `input` at the pushed size through `crop` (null: the
   * whole input, a picture of the pushed size), when that maps its texels one to one onto the
   * pushed pixels: a cheaper read of the same colour (see `createNearestSampler`). Null when it
   * does not (a rescaling crop): keep the texture's own LINEAR filtering. Bind it to the unit
   * for the draw (`gl.bindSampler`) and unbind it after.
   */
  exactSampler(input: StageTexture, crop: UvTransform | null): WebGLSampler | null;
  /**
   * The usual pass body once its program and uniforms are set: draws the full-screen quad with
   * `input` on texture unit 0 into `targetFor(input)` at the pushed size, and returns that target.
   */
  drawFrom(input: StageTexture): RenderTarget;
  /** As `drawFrom`, into any `target` of `width`×`height` (a pass's own smaller layer or read-back). */
  drawInto(target: RenderTarget, width: number, height: number, input: StageTexture): void;
}

/**
 * One picture effect. `apply` draws `input` (pushed size) into `ctx.targetFor(input)` (or
 * returns `input` unchanged when it has nothing to do) and returns what it drew into.
 * Use {@link QUAD_VERTEX_SHADER} and `a_pos` at location 0 with `ctx.bindQuad()`.
 */
export interface StagePass {
  readonly name: string;
  /** Creates GL resources; called when added and again after a context restore. */
  setup?(gl: WebGL2RenderingContext): void;
  apply(gl: WebGL2RenderingContext, input: StageTexture, ctx: PassContext): StageTexture;
  /** Frees GL resources; called when removed or when the stage closes. */
  dispose?(gl: WebGL2RenderingContext): void;
}

/** A texture coordinate transform: offset x, y and scale x, y (a negative x scale mirrors), as `u_uvTransform`. */
export type UvTransform = readonly [number, number, number, number];

/**
 * A pass that can take the stage's own draws on itself, each a full-resolution draw (milliseconds
 * per frame under software WebGL): when it runs first it reads the camera frame through the crop
 * (the stage then does not draw the crop first), and when it runs last it draws straight into the
 * canvas (the stage then does not copy the last texture there).
 */
export interface DirectPass extends StagePass {
  /**
   * Draws what `apply` would: of `input` at the pushed size when `crop` is null, else of the
   * camera frame `input` seen through `crop` (the cover crop and mirror); into `framebuffer` at
   * the pushed size, null being the canvas, whose row 0 is the picture's bottom (the pass flips
   * y). Returns false, having drawn nothing, when `apply` would return its input unchanged.
   */
  drawDirect(gl: WebGL2RenderingContext, input: StageTexture, crop: UvTransform | null, framebuffer: WebGLFramebuffer | null, ctx: PassContext): boolean;
}

/**
 * A {@link DirectPass} that can also run on the CPU, over the camera's I420 codes
 * (`../effects/yuv-picture.ts`): the stage's route under software WebGL.
 */
export interface YuvPass extends DirectPass {
  /** This frame's steps at the pushed size over codes of `colour`, giving codes of `target`; `gl` bakes what they need. */
  yuvSteps(gl: WebGL2RenderingContext, width: number, height: number, colour: YuvColour, target: YuvColour, ctx: PassContext): YuvSteps;
}

/** A frame's picture on the CPU (see {@link VideoStage.cpuRoute}): the steps and the codes' colour. */
export interface CpuRoute {
  steps: YuvSteps;
  colour: YuvColour;
}

/** Why the stage cannot produce a frame. */
export type VideoStageErrorCode = 'no-webgl2' | 'context-lost' | 'gl-error' | 'no-frame' | 'closed';

/** A stage failure; `code` says which. The element maps these to −1301/−1303 as fits. */
export class VideoStageError extends Error {
  override name = 'VideoStageError';
  constructor(
    readonly code: VideoStageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface VideoStageOptions {
  /** Pushed width and height in pixels (even numbers: H.264 4:2:0 needs them). */
  width: number;
  height: number;
  /** Flip horizontally (spec `remote-mirror` / deprecated `mirror`). Default false. */
  mirror?: boolean;
  /**
   * Whether {@link VideoStage.cpuRoute} may offer the CPU route; default: where WebGL draws in
   * software (SwiftShader, llvmpipe), where it is the cheaper one.
   */
  cpuPicture?: boolean;
  /** Called once when the GL context is lost (the GPU process restarted, the driver reset). */
  onContextLost?(error: VideoStageError): void;
  /** Called when a lost context came back and the stage works again. */
  onContextRestored?(): void;
}

interface GlResources {
  program: WebGLProgram;
  uvTransform: WebGLUniformLocation;
  quad: WebGLVertexArrayObject;
  nearest: WebGLSampler;
  /** The camera frame, at its display size. */
  source: { texture: WebGLTexture; width: number; height: number } | null;
  targets: [RenderTarget, RenderTarget];
}

/** Scales, crops, mirrors (and later beautifies) camera frames into pushed frames. */
export class VideoStage {
  readonly canvas: OffscreenCanvas;
  private readonly gl: WebGL2RenderingContext;
  private readonly options: VideoStageOptions;
  private width: number;
  private height: number;
  private mirror: boolean;
  private effects: StagePass[] = [];
  private res: GlResources | null = null;
  private lost = false;
  private closed = false;
  private rendered = false;
  /** The last camera frame's size (either route), which face landmarks are mapped from. */
  private sourceSize: { width: number; height: number } | null = null;
  private readonly cpuPicture: boolean;
  private readonly passContext: PassContext;

  constructor(options: VideoStageOptions) {
    checkSize(options.width, options.height, 'VideoStage');
    this.options = options;
    this.width = options.width;
    this.height = options.height;
    this.mirror = options.mirror ?? false;
    this.canvas = new OffscreenCanvas(this.width, this.height);
    const gl = this.canvas.getContext('webgl2', {
      alpha: false,
      antialias: false,
      depth: false,
      stencil: false,
      premultipliedAlpha: false,
      // Kept so that snapshot() can read the last frame at any time, not only inside the frame's task.
      preserveDrawingBuffer: true,
    });
    if (!gl) throw new VideoStageError('no-webgl2', 'VideoStage: WebGL2 is not available (disabled, or no GPU/SwiftShader)');
    this.gl = gl;
    this.cpuPicture = options.cpuPicture ?? isSoftwareGl(gl);
    this.canvas.addEventListener('webglcontextlost', this.handleLost);
    this.canvas.addEventListener('webglcontextrestored', this.handleRestored);
    const self = this;
    this.passContext = {
      get width() {
        return self.width;
      },
      get height() {
        return self.height;
      },
      targetFor: (input) => {
        const [a, b] = this.res!.targets;
        return input.texture === a.texture ? b : a;
      },
      bindQuad: () => this.gl.bindVertexArray(this.res!.quad),
      exactSampler: (input, crop) => (crop === null || mapsOneToOne(input, crop, this.width, this.height) ? this.res!.nearest : null),
      drawFrom: (input) => {
        const target = this.passContext.targetFor(input);
        this.passContext.drawInto(target, this.width, this.height, input);
        return target;
      },
      drawInto: (target, width, height, input) => {
        const gl = this.gl;
        gl.bindFramebuffer(gl.FRAMEBUFFER, target.framebuffer);
        gl.viewport(0, 0, width, height);
        gl.activeTexture(gl.TEXTURE0);
        gl.bindTexture(gl.TEXTURE_2D, input.texture);
        this.passContext.bindQuad();
        gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      },
    };
    this.res = this.createResources();
  }

  /** The pushed size. */
  get size(): { width: number; height: number } {
    return { width: this.width, height: this.height };
  }

  /** Changes the pushed size (spec status 1005, orientation changes). */
  setOutputSize(width: number, height: number): void {
    checkSize(width, height, 'VideoStage.setOutputSize');
    if (width === this.width && height === this.height) return;
    this.width = width;
    this.height = height;
    this.canvas.width = width;
    this.canvas.height = height;
    if (this.res && !this.lost) {
      for (const t of this.res.targets) deleteRenderTarget(this.gl, t);
      this.res.targets = [createRenderTarget(this.gl, width, height), createRenderTarget(this.gl, width, height)];
    }
    this.rendered = false;
  }

  /** Turns the remote mirror on or off, from the next frame. */
  setMirror(mirror: boolean): void {
    this.mirror = mirror;
  }

  /**
   * Replaces the effect passes that run after scale/crop/mirror, in order. Passes no longer in
   * the list are disposed; new ones are set up.
   */
  setEffects(passes: readonly StagePass[]): void {
    const gl = this.gl;
    for (const old of this.effects) if (!passes.includes(old) && !this.lost) old.dispose?.(gl);
    for (const pass of passes) if (!this.effects.includes(pass) && !this.lost) pass.setup?.(gl);
    this.effects = [...passes];
  }

  /** The effect passes, in order. */
  get passes(): readonly StagePass[] {
    return this.effects;
  }

  /**
   * Renders `frame` and returns the pushed frame, stamped with `frame.timestamp`. Does not close
   * `frame` (the caller owns it); the caller owns the returned frame. Throws
   * {@link VideoStageError} when the context is lost or closed.
   */
  process(frame: VideoFrame): VideoFrame {
    if (this.closed) throw new VideoStageError('closed', 'VideoStage.process: the stage is closed');
    const gl = this.gl;
    if (this.lost || gl.isContextLost() || !this.res) {
      throw new VideoStageError('context-lost', 'VideoStage.process: the WebGL2 context is lost; waiting for it to be restored');
    }
    const res = this.res;
    const source = this.upload(frame, res);

    // Built-in pass: cover-crop, centered, optional horizontal mirror. It is drawn only when a pass
    // needs the cropped picture as a texture: a direct pass reads the camera through the crop, and
    // without effects the crop is drawn straight into the canvas.
    const { u0, v0, uw, vh } = coverCrop(source.width, source.height, this.width, this.height);
    const [uFrom, uSpan] = this.mirror ? [u0 + uw, -uw] : [u0, uw];
    const crop: UvTransform = [uFrom, v0, uSpan, vh];
    /** The picture so far; null while it is still the camera frame seen through `crop`. */
    let current: StageTexture | null = null;
    let presented = false;
    for (const [i, pass] of this.effects.entries()) {
      try {
        const last = i === this.effects.length - 1;
        if (isDirect(pass)) {
          const target: RenderTarget | null = last ? null : current ? this.passContext.targetFor(current) : res.targets[0];
          if (pass.drawDirect(gl, current ?? source, current ? null : crop, target?.framebuffer ?? null, this.passContext)) {
            if (target) current = target;
            else presented = true;
          }
          continue;
        }
        if (!current) {
          this.copy(res.targets[0].framebuffer, source, crop);
          current = res.targets[0];
        }
        current = pass.apply(gl, current, this.passContext);
      } catch (e) {
        throw new VideoStageError('gl-error', `VideoStage: effect pass '${pass.name}' failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    }
    // Present to the canvas: its row 0 is the bottom, so v flips.
    if (!presented) this.copy(null, current ?? source, current ? [0, 1, 1, -1] : [uFrom, v0 + vh, uSpan, -vh], this.passContext.exactSampler(source, current ? null : crop));
    gl.bindVertexArray(null);
    if (gl.isContextLost()) throw new VideoStageError('context-lost', 'VideoStage.process: the WebGL2 context was lost while drawing');

    this.rendered = true;
    const init: VideoFrameInit = { timestamp: frame.timestamp, alpha: 'discard' };
    if (frame.duration !== null) init.duration = frame.duration;
    return new VideoFrame(this.canvas, init);
  }

  /**
   * The CPU route for `frame`, a camera frame already of the pushed size and upright (the caller
   * checks): its steps, when the stage may take it (software WebGL, or `cpuPicture`), the frame
   * is I420, NV12 or 8-bit RGB (`../effects/i420-input.ts`), nothing mirrors it, and no pass or
   * only one that can run on the CPU is on (no stickers or makeup, which stay on the GPU). The
   * pictures leave in the pushed colour space (`PUSHED_COLOUR`): without a pass the steps only
   * convert the codes, or are empty where the camera's already are those. Null: {@link process}
   * it. Under SwiftShader the CPU route costs a fraction of the GPU's at 1280×720
   * (bench/effects), and the frame stays in I420. Throws {@link VideoStageError} when the GPU
   * cannot bake its tables.
   */
  cpuRoute(frame: VideoFrame): CpuRoute | null {
    const [pass, ...others] = this.effects;
    if (!this.cpuPicture || this.closed || this.lost || !this.res || this.mirror || others.length > 0 || (pass && !isYuvPass(pass))) return null;
    const colour = cpuInputColour(frame.format, yuvColourOf(frame.colorSpace));
    const rect = frame.visibleRect;
    if (!colour || rect?.width !== this.width || rect.height !== this.height) return null;
    this.sourceSize = { width: this.width, height: this.height };
    if (!pass) return { steps: sameColour(colour, PUSHED_COLOUR) ? {} : { convert: codeConversion(colour, PUSHED_COLOUR) }, colour };
    try {
      return { steps: pass.yuvSteps(this.gl, this.width, this.height, colour, PUSHED_COLOUR, this.passContext), colour };
    } catch (e) {
      throw new VideoStageError('gl-error', `VideoStage: effect pass '${pass.name}' could not prepare the CPU route: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /**
   * Points given across the camera frame (x, y 0–1 of its width and height: face landmarks) in
   * pushed-picture pixels, through the crop and mirror the stage applies; null before the first
   * frame (the camera's size is not known yet).
   */
  sourceToStage(points: Float32Array): Float32Array | null {
    const source = this.sourceSize;
    if (!source) return null;
    const { u0, v0, uw, vh } = coverCrop(source.width, source.height, this.width, this.height);
    const out = new Float32Array(points.length);
    for (let i = 0; i < points.length; i += 2) {
      const x = ((points[i]! - u0) / uw) * this.width;
      out[i] = this.mirror ? this.width - x : x;
      out[i + 1] = ((points[i + 1]! - v0) / vh) * this.height;
    }
    return out;
  }

  /**
   * The last pushed picture as an image file (`snapshot` context method, spec §3): PNG by
   * default, JPEG with `type: 'image/jpeg'`. Rejects with 'no-frame' before the first frame.
   */
  snapshot(options: { type?: 'image/png' | 'image/jpeg'; quality?: number } = {}): Promise<Blob> {
    const problem = this.snapshotProblem();
    if (problem) return Promise.reject(problem);
    return this.canvas.convertToBlob({ type: options.type ?? 'image/png', ...(options.quality !== undefined ? { quality: options.quality } : {}) });
  }

  /** The last pushed picture as an ImageBitmap (for custom rendering or a preview). */
  snapshotBitmap(): Promise<ImageBitmap> {
    const problem = this.snapshotProblem();
    if (problem) return Promise.reject(problem);
    return createImageBitmap(this.canvas);
  }

  /** Frees GL resources and the effect passes. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.canvas.removeEventListener('webglcontextlost', this.handleLost);
    this.canvas.removeEventListener('webglcontextrestored', this.handleRestored);
    if (!this.lost) {
      for (const pass of this.effects) pass.dispose?.(this.gl);
      this.deleteResources();
    }
    this.effects = [];
    // Releases the context now rather than at garbage collection (browsers cap live contexts).
    this.gl.getExtension('WEBGL_lose_context')?.loseContext();
  }

  private snapshotProblem(): VideoStageError | null {
    if (this.closed) return new VideoStageError('closed', 'VideoStage.snapshot: the stage is closed');
    if (this.lost) return new VideoStageError('context-lost', 'VideoStage.snapshot: the WebGL2 context is lost');
    if (!this.rendered) return new VideoStageError('no-frame', 'VideoStage.snapshot: no frame has been rendered yet');
    return null;
  }

  /**
   * Draws `texture` through the copy program, at `uvTransform` (offset, scale), into `framebuffer`
   * at the pushed size, read through `sampler` when given (see {@link PassContext.exactSampler}).
   */
  private copy(framebuffer: WebGLFramebuffer | null, texture: StageTexture, uvTransform: UvTransform, sampler: WebGLSampler | null = null): void {
    const gl = this.gl;
    const res = this.res!;
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.viewport(0, 0, this.width, this.height);
    gl.useProgram(res.program);
    gl.uniform4f(res.uvTransform, ...uvTransform);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, texture.texture);
    gl.bindVertexArray(res.quad);
    gl.bindSampler(0, sampler);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.bindSampler(0, null);
  }

  /** Uploads the frame's visible picture, reusing the texture while the camera size holds. */
  private upload(frame: VideoFrame, res: GlResources): NonNullable<GlResources['source']> {
    const gl = this.gl;
    const width = frame.displayWidth;
    const height = frame.displayHeight;
    if (!res.source || res.source.width !== width || res.source.height !== height) {
      if (res.source) gl.deleteTexture(res.source.texture);
      res.source = { texture: createTexture(gl, width, height), width, height };
    }
    this.sourceSize = { width, height };
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, res.source.texture);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, frame);
    return res.source;
  }

  private createResources(): GlResources {
    const gl = this.gl;
    try {
      const program = compileCopyProgram(gl);
      const uvTransform = gl.getUniformLocation(program, 'u_uvTransform');
      if (!uvTransform) throw new GlError('u_uvTransform not found in the stage program');
      return {
        program,
        uvTransform,
        quad: createQuad(gl),
        nearest: createNearestSampler(gl),
        source: null,
        targets: [createRenderTarget(gl, this.width, this.height), createRenderTarget(gl, this.width, this.height)],
      };
    } catch (e) {
      throw new VideoStageError('gl-error', `VideoStage: could not set up WebGL2: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  private deleteResources(): void {
    const res = this.res;
    if (!res) return;
    const gl = this.gl;
    gl.deleteProgram(res.program);
    gl.deleteVertexArray(res.quad);
    gl.deleteSampler(res.nearest);
    if (res.source) gl.deleteTexture(res.source.texture);
    for (const t of res.targets) deleteRenderTarget(gl, t);
    this.res = null;
  }

  private readonly handleLost = (event: Event): void => {
    // preventDefault() asks the browser to restore the context later (WebGL 1.0 §5.15.2).
    event.preventDefault();
    if (this.lost) return;
    this.lost = true;
    this.res = null; // every GL object died with the context
    this.rendered = false;
    this.options.onContextLost?.(new VideoStageError('context-lost', 'VideoStage: the WebGL2 context was lost'));
  };

  private readonly handleRestored = (): void => {
    if (this.closed) return;
    this.lost = false;
    try {
      this.res = this.createResources();
      for (const pass of this.effects) pass.setup?.(this.gl);
    } catch (e) {
      this.lost = true;
      this.options.onContextLost?.(
        e instanceof VideoStageError ? e : new VideoStageError('gl-error', 'VideoStage: could not rebuild after a context restore', { cause: e }),
      );
      return;
    }
    this.options.onContextRestored?.();
  };
}

function isDirect(pass: StagePass): pass is DirectPass {
  return typeof (pass as Partial<DirectPass>).drawDirect === 'function';
}

function isYuvPass(pass: StagePass): pass is YuvPass {
  return isDirect(pass) && typeof (pass as Partial<YuvPass>).yuvSteps === 'function';
}

/**
 * Whether reading `input` through `crop` at `width`×`height` lands every pushed pixel on a
 * texel's centre: one texel per pixel both ways, and the crop's edge on a texel boundary (a
 * camera of the pushed size, or a larger one cut by an even number of texels; a mirror too).
 */
function mapsOneToOne(input: StageTexture, crop: UvTransform, width: number, height: number): boolean {
  const { width: w, height: h } = input;
  const whole = (x: number): boolean => Math.abs(x - Math.round(x)) < 1e-6;
  return Math.abs(Math.abs(crop[2]) * w - width) < 1e-6 && Math.abs(Math.abs(crop[3]) * h - height) < 1e-6 && whole(crop[0] * w) && whole(crop[1] * h);
}

/**
 * The part of a `sourceWidth`×`sourceHeight` picture a `width`×`height` frame shows when it
 * covers it, centred (spec §2: a larger or other-aspect camera is cropped equally from both
 * sides): the offset u0, v0 and the visible fractions uw, vh, in texture coordinates.
 */
export function coverCrop(sourceWidth: number, sourceHeight: number, width: number, height: number): { u0: number; v0: number; uw: number; vh: number } {
  const scale = Math.max(width / sourceWidth, height / sourceHeight);
  const uw = width / scale / sourceWidth;
  const vh = height / scale / sourceHeight;
  return { u0: (1 - uw) / 2, v0: (1 - vh) / 2, uw, vh };
}

function checkSize(width: number, height: number, where: string): void {
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 16 || v > 4096 || v % 2 !== 0) {
      throw new RangeError(`${where}: ${name} must be an even integer within 16–4096, got ${v}`);
    }
  }
}
