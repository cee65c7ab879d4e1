/**
 * Pictures drawn over the pushed picture (spec §3 applySticker, the apply…Makeup methods): each
 * an image on a quad (any four corners: stickers and makeup turn with the face), blended at its
 * alpha over a copy of the input. Stickers placed by `pos` go where the picture says; face
 * stickers and makeup follow this frame's landmarks and are left out while there is no face.
 * Background stickers (`back`) come first, composited through the person mask of
 * person-segmenter.ts: behind the person (segtype 0) or only inside them (segtype 1). Makeup
 * combines with the face by its blend mode (blend-modes.ts). A sticker with a face action as its
 * `active` trigger (face-actions.ts) plays while the action lasts, and once through (at least
 * {@link MIN_TRIGGERED_MS}) each time it starts. Textures are uploaded once per image and freed
 * when the image is retired.
 */
import { compileCopyProgram, compileProgram, createQuad, createRenderTarget, deleteRenderTarget, QUAD_VERTEX_SHADER, type RenderTarget } from '../media/gl.js';
import type { PassContext, StagePass, StageTexture } from '../media/video-stage.js';
import { SEGMENTATION_FILES_URL, SEGMENTATION_WORKER_URL } from '../segmentation-urls.js';
import { BLEND_GLSL, blendModeIndex, type BlendMode } from './blend-modes.js';
import { FaceActionDetector, isFaceAction, isHandGesture, TRIGGER_ALWAYS, type FaceAction } from './face-actions.js';
import { faceStickerQuad, makeupPlacements, MAKEUP_KINDS, type MakeupKind, type Quad } from './face-regions.js';
import { PersonSegmenter } from './person-segmenter.js';

/** An applied sticker: its frames (one for a still picture) and where and when it goes. */
export interface Sticker {
  /** The applySticker `type` it came with (a call replaces the stickers of its type). */
  type: string;
  /**
   * `picture`: `pos` in shares of the pushed picture; `face`: in shares of the face box;
   * `background`: in shares of the picture, composited with the person mask.
   */
  anchor: 'picture' | 'face' | 'background';
  frames: ImageBitmap[];
  /** [x1, y1, x2, y2]. */
  pos: readonly number[];
  /** `active`: −1 always, 10–17 a face action, 100–112 a hand gesture (never: no hand model). */
  trigger: number;
  /** Background stickers: 0 behind the person, 1 only inside the person. */
  segtype: 0 | 1;
}

/** An applied makeup image, its alpha 0–1 and how its colour combines with the face. */
export interface Makeup {
  image: ImageBitmap;
  alpha: number;
  blend: BlendMode;
}

export interface OverlayPassOptions {
  /** Something the app should know (the element warns once): no segmentation model, no hand model. */
  onWarning?(message: string): void;
}

/** Frames of an animated sticker follow each other at this interval (the mini-program does not say). */
const STICKER_FRAME_MS = 1000 / 15;
/** A triggered sticker stays at least this long, so that a still one is seen. */
const MIN_TRIGGERED_MS = 1000;
/** The long side of the picture copy the segmentation model gets (its input is 256×256). */
const SEGMENTATION_SIZE = 256;
/**
 * The person mask's soft edge: confidences below the first count as background, above the second
 * as person, smoothly between (the model's upsampled edge is a few pixels wide already).
 */
const MASK_EDGE = [0.3, 0.7] as const;

interface Overlay {
  image: ImageBitmap;
  quad: Quad;
  alpha: number;
  mirrored: boolean;
  blend: BlendMode;
}

/**
 * The quad's corners come as uniforms (pixels, top-left first, clockwise); the unit square is
 * spread over them bilinearly, so any four corners work. Pixel y grows downwards, as texture
 * rows do in the stage's render targets.
 */
const OVERLAY_VERTEX_SHADER = `#version 300 es
in vec2 a_pos;
uniform vec2 u_size;
uniform vec2 u_corners[4];
uniform float u_mirrored;
out vec2 v_uv;
void main() {
  vec2 t = a_pos * 0.5 + 0.5;
  vec2 top = mix(u_corners[0], u_corners[1], t.x);
  vec2 bottom = mix(u_corners[3], u_corners[2], t.x);
  vec2 p = mix(top, bottom, t.y);
  v_uv = vec2(mix(t.x, 1.0 - t.x, u_mirrored), t.y);
  gl_Position = vec4(p / u_size * 2.0 - 1.0, 0.0, 1.0);
}`;

/** The image's colour blended with the picture under it (the pass's input, unit 1), then laid over at alpha. */
const OVERLAY_FRAGMENT_SHADER = `#version 300 es
precision mediump float;
uniform sampler2D u_image;
uniform sampler2D u_backdrop;
uniform highp vec2 u_size; // shared with the vertex shader, whose floats are highp
uniform float u_alpha;
uniform int u_blend;
in vec2 v_uv;
out vec4 outColor;
${BLEND_GLSL}
void main() {
  vec4 c = texture(u_image, v_uv);
  vec3 backdrop = texture(u_backdrop, gl_FragCoord.xy / u_size).rgb;
  outColor = vec4(u_blend == 0 ? c.rgb : blendColour(u_blend, backdrop, c.rgb), c.a * u_alpha);
}`;

/**
 * A background sticker over the whole picture: the sticker (unit 2, placed by u_pos) shows where
 * the mask (unit 1) says background (u_inside 0) or person (u_inside 1), times its own alpha.
 */
const BACKGROUND_FRAGMENT_SHADER = `#version 300 es
precision mediump float;
uniform sampler2D u_input;
uniform sampler2D u_mask;
uniform sampler2D u_sticker;
uniform vec4 u_pos;
uniform float u_inside;
uniform vec2 u_edge;
in vec2 v_uv;
out vec4 outColor;
void main() {
  vec4 c = texture(u_input, v_uv);
  vec2 s = (v_uv - u_pos.xy) / (u_pos.zw - u_pos.xy);
  float inside = step(0.0, s.x) * step(s.x, 1.0) * step(0.0, s.y) * step(s.y, 1.0);
  vec4 sticker = texture(u_sticker, clamp(s, 0.0, 1.0));
  float person = smoothstep(u_edge.x, u_edge.y, texture(u_mask, v_uv).r);
  float w = mix(1.0 - person, person, u_inside) * sticker.a * inside;
  outColor = vec4(mix(c.rgb, sticker.rgb, w), 1.0);
}`;

interface Programs {
  copy: WebGLProgram;
  overlay: WebGLProgram;
  background: WebGLProgram;
  quad: WebGLVertexArrayObject;
  size: WebGLUniformLocation | null;
  corners: WebGLUniformLocation | null;
  mirrored: WebGLUniformLocation | null;
  alpha: WebGLUniformLocation | null;
  blend: WebGLUniformLocation | null;
  pos: WebGLUniformLocation | null;
  inside: WebGLUniformLocation | null;
  mask: WebGLTexture;
}

export class OverlayPass implements StagePass {
  readonly name = 'overlays';
  stickers: Sticker[] = [];
  readonly makeup = new Map<MakeupKind, Makeup>();
  private readonly options: OverlayPassOptions;
  private face: ArrayLike<number> | null = null;
  private presence = 0;
  private readonly detector = new FaceActionDetector();
  private actions = new Set<FaceAction>();
  /** When each triggered sticker last started playing (performance.now()). */
  private readonly started = new WeakMap<Sticker, number>();
  private warnedHands = false;
  private segmenter: PersonSegmenter | undefined;
  private segmentationFailed = false;
  /** The mask version in the mask texture (0: none yet). */
  private maskVersion = 0;
  /** The small copy of the picture read back for the segmentation model. */
  private readback: RenderTarget | null = null;
  private programs: Programs | null = null;
  private readonly textures = new Map<ImageBitmap, WebGLTexture>();
  private retired: ImageBitmap[] = [];

  constructor(options: OverlayPassOptions = {}) {
    this.options = options;
  }

  /** Whether anything is applied at all. */
  wanted(): boolean {
    return this.stickers.length > 0 || this.makeup.size > 0;
  }

  /** Whether something applied follows the face or its actions (and so needs landmarks). */
  needsFace(): boolean {
    return this.makeup.size > 0 || this.stickers.some((s) => s.anchor === 'face' || isFaceAction(s.trigger));
  }

  /** This frame's face: 68 (x, y) in pushed pixels and its presence 0–1, or null. */
  setFace(points: ArrayLike<number> | null, presence = 1): void {
    this.face = points;
    this.presence = points ? presence : 0;
    if (!this.stickers.some((s) => isFaceAction(s.trigger))) return;
    if (points) this.actions = this.detector.update(points, performance.now());
    else {
      this.detector.reset();
      this.actions = new Set();
    }
  }

  /** Images no longer applied: their textures are freed on the next frame, and they are closed. */
  retire(images: readonly ImageBitmap[]): void {
    this.retired.push(...images);
  }

  /** The frame of `s` to show now, or undefined while its trigger keeps it off. */
  private frameOf(s: Sticker, now: number): ImageBitmap | undefined {
    const at = (elapsed: number): ImageBitmap => s.frames[Math.floor(elapsed / STICKER_FRAME_MS) % s.frames.length]!;
    if (s.trigger === TRIGGER_ALWAYS) return at(now);
    if (isHandGesture(s.trigger)) {
      if (!this.warnedHands) this.options.onWarning?.('applySticker active 100–112 (hand gestures) needs a hand model live-pusher does not ship: those stickers never show');
      this.warnedHands = true;
      return undefined;
    }
    const acting = isFaceAction(s.trigger) && this.actions.has(s.trigger);
    let start = this.started.get(s);
    if (start === undefined && acting) this.started.set(s, (start = now));
    if (start === undefined) return undefined;
    const elapsed = now - start;
    if (!acting && elapsed >= Math.max(MIN_TRIGGERED_MS, s.frames.length * STICKER_FRAME_MS)) {
      this.started.delete(s);
      return undefined;
    }
    return at(elapsed);
  }

  /** What to draw over the picture this frame, in order: makeup, then stickers on top. */
  private overlays(width: number, height: number, now: number): Overlay[] {
    const out: Overlay[] = [];
    const face = this.face;
    if (face) {
      for (const kind of MAKEUP_KINDS) {
        const m = this.makeup.get(kind);
        if (m) for (const { quad, mirrored } of makeupPlacements(face, kind)) out.push({ image: m.image, quad, alpha: m.alpha * this.presence, mirrored, blend: m.blend });
      }
    }
    for (const s of this.stickers) {
      if (s.anchor === 'background') continue;
      const image = this.frameOf(s, now);
      if (!image) continue;
      if (s.anchor === 'face') {
        if (face) out.push({ image, quad: faceStickerQuad(face, s.pos), alpha: this.presence, mirrored: false, blend: 'normal' });
      } else {
        const [x1, y1, x2, y2] = s.pos.map((v, i) => v * (i % 2 ? height : width)) as [number, number, number, number];
        out.push({ image, quad: Float32Array.of(x1, y1, x2, y1, x2, y2, x1, y2), alpha: 1, mirrored: false, blend: 'normal' });
      }
    }
    return out;
  }

  setup(gl: WebGL2RenderingContext): void {
    const copy = compileCopyProgram(gl);
    const overlay = compileProgram(gl, OVERLAY_VERTEX_SHADER, OVERLAY_FRAGMENT_SHADER);
    gl.useProgram(overlay);
    gl.uniform1i(gl.getUniformLocation(overlay, 'u_image'), 0);
    gl.uniform1i(gl.getUniformLocation(overlay, 'u_backdrop'), 1);
    const background = compileProgram(gl, QUAD_VERTEX_SHADER, BACKGROUND_FRAGMENT_SHADER);
    gl.useProgram(background);
    gl.uniform4f(gl.getUniformLocation(background, 'u_uvTransform'), 0, 0, 1, 1);
    gl.uniform1i(gl.getUniformLocation(background, 'u_input'), 0);
    gl.uniform1i(gl.getUniformLocation(background, 'u_mask'), 1);
    gl.uniform1i(gl.getUniformLocation(background, 'u_sticker'), 2);
    gl.uniform2f(gl.getUniformLocation(background, 'u_edge'), ...MASK_EDGE);
    const mask = gl.createTexture()!;
    gl.bindTexture(gl.TEXTURE_2D, mask);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    this.programs = {
      copy,
      overlay,
      background,
      quad: createQuad(gl),
      size: gl.getUniformLocation(overlay, 'u_size'),
      corners: gl.getUniformLocation(overlay, 'u_corners'),
      mirrored: gl.getUniformLocation(overlay, 'u_mirrored'),
      alpha: gl.getUniformLocation(overlay, 'u_alpha'),
      blend: gl.getUniformLocation(overlay, 'u_blend'),
      pos: gl.getUniformLocation(background, 'u_pos'),
      inside: gl.getUniformLocation(background, 'u_inside'),
      mask,
    };
    // A restored context lost every texture: they are uploaded again on use.
    this.textures.clear();
    this.maskVersion = 0;
    this.readback = null;
  }

  apply(gl: WebGL2RenderingContext, input: StageTexture, ctx: PassContext): StageTexture {
    const programs = this.programs;
    this.freeRetired(gl);
    if (!programs) return input;
    const now = performance.now();
    const current = this.applyBackgrounds(gl, programs, input, ctx, now);
    const overlays = this.overlays(ctx.width, ctx.height, now);
    if (overlays.length === 0) return current;
    gl.useProgram(programs.copy);
    const target = ctx.drawFrom(current);
    gl.useProgram(programs.overlay);
    gl.bindVertexArray(programs.quad);
    gl.uniform2f(programs.size, ctx.width, ctx.height);
    // The picture under the overlays, for the blend modes: each makeup image combines with the
    // face itself, not with another overlay where two regions meet (brow and eye shadow).
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_2D, current.texture);
    gl.activeTexture(gl.TEXTURE0);
    gl.enable(gl.BLEND);
    gl.blendFuncSeparate(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA, gl.ZERO, gl.ONE);
    for (const o of overlays) {
      gl.bindTexture(gl.TEXTURE_2D, this.texture(gl, o.image));
      gl.uniform2fv(programs.corners, o.quad);
      gl.uniform1f(programs.mirrored, o.mirrored ? 1 : 0);
      gl.uniform1f(programs.alpha, o.alpha);
      gl.uniform1i(programs.blend, blendModeIndex(o.blend));
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    }
    gl.disable(gl.BLEND);
    return target;
  }

  /**
   * The background stickers through the latest person mask; meanwhile starts the segmentation
   * worker while they are applied (and stops it when they are not), and hands it a small copy of
   * the picture whenever it is ready for one.
   */
  private applyBackgrounds(gl: WebGL2RenderingContext, programs: Programs, input: StageTexture, ctx: PassContext, now: number): StageTexture {
    const backgrounds = this.stickers.filter((s) => s.anchor === 'background');
    if (backgrounds.length === 0) {
      this.stopSegmenter();
      return input;
    }
    if (!this.segmenter && !this.segmentationFailed) {
      this.segmenter = new PersonSegmenter({
        workerUrl: SEGMENTATION_WORKER_URL,
        filesUrl: SEGMENTATION_FILES_URL,
        onUnavailable: (message) => {
          this.segmentationFailed = true;
          this.options.onWarning?.(`background stickers (applySticker type 'back') are off: ${message}`);
        },
      });
    }
    const segmenter = this.segmenter;
    if (!segmenter) return input;
    if (segmenter.wantsPicture) segmenter.offer(this.readBack(gl, programs, input, ctx));
    const mask = segmenter.mask();
    if (!mask) return input;
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_2D, programs.mask);
    if (mask.version !== this.maskVersion) {
      gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.R8, mask.width, mask.height, 0, gl.RED, gl.UNSIGNED_BYTE, mask.data);
      gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
      this.maskVersion = mask.version;
    }
    gl.useProgram(programs.background);
    let current = input;
    for (const s of backgrounds) {
      const image = this.frameOf(s, now);
      if (!image) continue;
      gl.activeTexture(gl.TEXTURE2);
      gl.bindTexture(gl.TEXTURE_2D, this.texture(gl, image));
      gl.uniform4f(programs.pos, s.pos[0]!, s.pos[1]!, s.pos[2]!, s.pos[3]!);
      gl.uniform1f(programs.inside, s.segtype);
      current = ctx.drawFrom(current);
    }
    return current;
  }

  /** `input` scaled down to the model's size and read back, rows top first. */
  private readBack(gl: WebGL2RenderingContext, programs: Programs, input: StageTexture, ctx: PassContext): ImageData {
    const scale = SEGMENTATION_SIZE / Math.max(ctx.width, ctx.height);
    const width = Math.max(1, Math.round(ctx.width * scale));
    const height = Math.max(1, Math.round(ctx.height * scale));
    if (!this.readback || this.readback.width !== width || this.readback.height !== height) {
      if (this.readback) deleteRenderTarget(gl, this.readback);
      this.readback = createRenderTarget(gl, width, height);
    }
    gl.useProgram(programs.copy);
    ctx.drawInto(this.readback, width, height, input);
    const pixels = new Uint8ClampedArray(width * height * 4);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
    return new ImageData(pixels, width, height);
  }

  private stopSegmenter(): void {
    this.segmenter?.close();
    this.segmenter = undefined;
    this.segmentationFailed = false;
    this.maskVersion = 0;
  }

  dispose(gl: WebGL2RenderingContext): void {
    if (this.programs) {
      gl.deleteProgram(this.programs.copy);
      gl.deleteProgram(this.programs.overlay);
      gl.deleteProgram(this.programs.background);
      gl.deleteVertexArray(this.programs.quad);
      gl.deleteTexture(this.programs.mask);
    }
    if (this.readback) deleteRenderTarget(gl, this.readback);
    this.readback = null;
    for (const texture of this.textures.values()) gl.deleteTexture(texture);
    this.textures.clear();
    this.programs = null;
    this.stopSegmenter();
  }

  private texture(gl: WebGL2RenderingContext, image: ImageBitmap): WebGLTexture {
    let texture = this.textures.get(image);
    if (!texture) {
      texture = gl.createTexture()!;
      gl.bindTexture(gl.TEXTURE_2D, texture);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, image);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
      this.textures.set(image, texture);
    }
    return texture;
  }

  private freeRetired(gl: WebGL2RenderingContext): void {
    for (const image of this.retired.splice(0)) {
      const texture = this.textures.get(image);
      if (texture) gl.deleteTexture(texture);
      this.textures.delete(image);
      image.close();
    }
  }
}
