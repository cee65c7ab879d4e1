/**
 * Pictures drawn over the pushed picture (spec §3 applySticker, the apply…Makeup methods): each
 * an image on a quad (any four corners: stickers and makeup turn with the face), blended at its
 * alpha over a copy of the input. Stickers placed by `pos` go where the picture says; face
 * stickers and makeup follow this frame's landmarks and are left out while there is no face.
 * Textures are uploaded once per image and freed when the image is retired.
 */
import { compileCopyProgram, compileProgram, createQuad } from '../media/gl.js';
import type { PassContext, StagePass, StageTexture } from '../media/video-stage.js';
import { faceStickerQuad, makeupPlacements, MAKEUP_KINDS, type MakeupKind, type Quad } from './face-regions.js';

/** An applied sticker: its frames (one for a still picture) and where it goes. */
export interface Sticker {
  /** The applySticker `type` it came with (a call replaces the stickers of its type). */
  type: string;
  /** `picture`: `pos` in shares of the pushed picture; `face`: in shares of the face box. */
  anchor: 'picture' | 'face';
  frames: ImageBitmap[];
  /** [x1, y1, x2, y2]. */
  pos: readonly number[];
}

/** An applied makeup image and its alpha 0–1. */
export interface Makeup {
  image: ImageBitmap;
  alpha: number;
}

/** Frames of an animated sticker follow each other at this interval (the mini-program does not say). */
const STICKER_FRAME_MS = 1000 / 15;

interface Overlay {
  image: ImageBitmap;
  quad: Quad;
  alpha: number;
  mirrored: boolean;
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

const OVERLAY_FRAGMENT_SHADER = `#version 300 es
precision mediump float;
uniform sampler2D u_image;
uniform float u_alpha;
in vec2 v_uv;
out vec4 outColor;
void main() {
  vec4 c = texture(u_image, v_uv);
  outColor = vec4(c.rgb, c.a * u_alpha);
}`;

interface Programs {
  copy: WebGLProgram;
  overlay: WebGLProgram;
  quad: WebGLVertexArrayObject;
  size: WebGLUniformLocation | null;
  corners: WebGLUniformLocation | null;
  mirrored: WebGLUniformLocation | null;
  alpha: WebGLUniformLocation | null;
}

export class OverlayPass implements StagePass {
  readonly name = 'overlays';
  stickers: Sticker[] = [];
  readonly makeup = new Map<MakeupKind, Makeup>();
  private face: ArrayLike<number> | null = null;
  private presence = 0;
  private programs: Programs | null = null;
  private readonly textures = new Map<ImageBitmap, WebGLTexture>();
  private retired: ImageBitmap[] = [];

  /** Whether anything is applied at all. */
  wanted(): boolean {
    return this.stickers.length > 0 || this.makeup.size > 0;
  }

  /** Whether something applied follows the face (and so needs landmarks). */
  needsFace(): boolean {
    return this.makeup.size > 0 || this.stickers.some((s) => s.anchor === 'face');
  }

  /** This frame's face: 68 (x, y) in pushed pixels and its presence 0–1, or null. */
  setFace(points: ArrayLike<number> | null, presence = 1): void {
    this.face = points;
    this.presence = points ? presence : 0;
  }

  /** Images no longer applied: their textures are freed on the next frame, and they are closed. */
  retire(images: readonly ImageBitmap[]): void {
    this.retired.push(...images);
  }

  /** What to draw this frame, in order: makeup, then stickers on top. */
  private overlays(width: number, height: number): Overlay[] {
    const out: Overlay[] = [];
    const face = this.face;
    if (face) {
      for (const kind of MAKEUP_KINDS) {
        const m = this.makeup.get(kind);
        if (m) for (const { quad, mirrored } of makeupPlacements(face, kind)) out.push({ image: m.image, quad, alpha: m.alpha * this.presence, mirrored });
      }
    }
    const now = performance.now();
    for (const s of this.stickers) {
      const image = s.frames[Math.floor(now / STICKER_FRAME_MS) % s.frames.length]!;
      if (s.anchor === 'face') {
        if (face) out.push({ image, quad: faceStickerQuad(face, s.pos), alpha: this.presence, mirrored: false });
      } else {
        const [x1, y1, x2, y2] = s.pos.map((v, i) => v * (i % 2 ? height : width)) as [number, number, number, number];
        out.push({ image, quad: Float32Array.of(x1, y1, x2, y1, x2, y2, x1, y2), alpha: 1, mirrored: false });
      }
    }
    return out;
  }

  setup(gl: WebGL2RenderingContext): void {
    const copy = compileCopyProgram(gl);
    const overlay = compileProgram(gl, OVERLAY_VERTEX_SHADER, OVERLAY_FRAGMENT_SHADER);
    gl.useProgram(overlay);
    gl.uniform1i(gl.getUniformLocation(overlay, 'u_image'), 0);
    this.programs = {
      copy,
      overlay,
      quad: createQuad(gl),
      size: gl.getUniformLocation(overlay, 'u_size'),
      corners: gl.getUniformLocation(overlay, 'u_corners'),
      mirrored: gl.getUniformLocation(overlay, 'u_mirrored'),
      alpha: gl.getUniformLocation(overlay, 'u_alpha'),
    };
    // A restored context lost every texture: they are uploaded again on use.
    this.textures.clear();
  }

  apply(gl: WebGL2RenderingContext, input: StageTexture, ctx: PassContext): StageTexture {
    const programs = this.programs;
    this.freeRetired(gl);
    const overlays = this.overlays(ctx.width, ctx.height);
    if (!programs || overlays.length === 0) return input;
    gl.useProgram(programs.copy);
    const target = ctx.drawFrom(input);
    gl.useProgram(programs.overlay);
    gl.bindVertexArray(programs.quad);
    gl.uniform2f(programs.size, ctx.width, ctx.height);
    gl.enable(gl.BLEND);
    gl.blendFuncSeparate(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA, gl.ZERO, gl.ONE);
    for (const o of overlays) {
      gl.bindTexture(gl.TEXTURE_2D, this.texture(gl, o.image));
      gl.uniform2fv(programs.corners, o.quad);
      gl.uniform1f(programs.mirrored, o.mirrored ? 1 : 0);
      gl.uniform1f(programs.alpha, o.alpha);
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    }
    gl.disable(gl.BLEND);
    return target;
  }

  dispose(gl: WebGL2RenderingContext): void {
    if (this.programs) {
      gl.deleteProgram(this.programs.copy);
      gl.deleteProgram(this.programs.overlay);
      gl.deleteVertexArray(this.programs.quad);
    }
    for (const texture of this.textures.values()) gl.deleteTexture(texture);
    this.textures.clear();
    this.programs = null;
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
