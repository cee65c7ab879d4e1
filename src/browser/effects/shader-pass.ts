/**
 * What the picture pass's programs share: uniform locations looked up once per program, and the
 * GLSL skin likelihood the smoothing and the whitening weight themselves by.
 */

/** A linked program with its uniform locations, each looked up once (no per-frame string lookups). */
export class ShaderProgram {
  private readonly locations = new Map<string, WebGLUniformLocation | null>();

  constructor(readonly program: WebGLProgram) {}

  uniform(gl: WebGL2RenderingContext, name: string): WebGLUniformLocation | null {
    if (!this.locations.has(name)) this.locations.set(name, gl.getUniformLocation(this.program, name));
    return this.locations.get(name)!;
  }
}

/**
 * GLSL: a soft skin likelihood 0–1 from a colour, in YCbCr (BT.601, 0–1 scale). Skin of every
 * complexion clusters in a small Cb/Cr box (Cb ≈ 0.30–0.50, Cr ≈ 0.52–0.68) whatever its
 * brightness; smoothstep edges keep the mask from cutting visible seams. {@link skinLikelihood}
 * is the same for the CPU route.
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

/** GLSL's smoothstep. */
function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}

/** {@link SKIN_GLSL} in JavaScript, r, g, b 0–1. */
export function skinLikelihood(r: number, g: number, b: number): number {
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  const cb = 0.5 + (b - y) * 0.564;
  const cr = 0.5 + (r - y) * 0.713;
  // The cheap test first: most of a picture is not skin.
  if (cb <= 0.27 || cb >= 0.53 || cr <= 0.5 || cr >= 0.7 || y <= 0.12 || y >= 1) return 0;
  const inCb = smoothstep(0.27, 0.32, cb) * (1 - smoothstep(0.48, 0.53, cb));
  const inCr = smoothstep(0.5, 0.54, cr) * (1 - smoothstep(0.66, 0.7, cr));
  const lit = smoothstep(0.12, 0.22, y) * (1 - smoothstep(0.95, 1, y));
  return inCb * inCr * lit;
}
