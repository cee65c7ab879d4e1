/**
 * Small WebGL2 helpers shared by the video stage and the effect passes that plug into it: program
 * compilation with readable errors, the full-screen quad, and render targets.
 *
 * Orientation convention for every texture in the stage: texture row 0 (v = 0) is the TOP of the
 * picture, as `texImage2D` uploads a VideoFrame (UNPACK_FLIP_Y false). A pass that draws the quad
 * with `v_uv = a_pos * 0.5 + 0.5` into a render target keeps that convention; only the final
 * present to the canvas flips v, because the default framebuffer's row 0 is the bottom.
 */

/** Attribute location of the quad's clip-space position (vec2) in every stage program. */
export const QUAD_POSITION_LOCATION = 0;

/**
 * The vertex shader every stage pass can share: `a_pos` in clip space, `v_uv` the texture
 * coordinate after `u_uvTransform` (xy offset, zw scale; negative scale mirrors).
 */
export const QUAD_VERTEX_SHADER = `#version 300 es
in vec2 a_pos;
uniform vec4 u_uvTransform;
out vec2 v_uv;
void main() {
  v_uv = u_uvTransform.xy + (a_pos * 0.5 + 0.5) * u_uvTransform.zw;
  gl_Position = vec4(a_pos, 0.0, 1.0);
}`;

/** The fragment shader of a plain copy: the input at the (transformed) coordinate, opaque. */
export const SAMPLE_FRAGMENT_SHADER = `#version 300 es
precision mediump float;
uniform sampler2D u_input;
in vec2 v_uv;
out vec4 outColor;
void main() {
  outColor = vec4(texture(u_input, v_uv).rgb, 1.0);
}`;

/** A texture that a pass reads, with its size in pixels. */
export interface StageTexture {
  readonly texture: WebGLTexture;
  readonly width: number;
  readonly height: number;
}

/** A texture with a framebuffer to draw into it. */
export interface RenderTarget extends StageTexture {
  readonly framebuffer: WebGLFramebuffer;
}

/** A WebGL call failed in a way the stage cannot continue from. */
export class GlError extends Error {
  override name = 'GlError';
}

/**
 * The plain copy program: its input on texture unit 0, the whole of it (u_uvTransform 0, 0, 1, 1;
 * a caller that crops sets it per draw). Leaves the program in use.
 */
export function compileCopyProgram(gl: WebGL2RenderingContext): WebGLProgram {
  const program = compileProgram(gl, QUAD_VERTEX_SHADER, SAMPLE_FRAGMENT_SHADER);
  gl.useProgram(program);
  gl.uniform4f(gl.getUniformLocation(program, 'u_uvTransform'), 0, 0, 1, 1);
  gl.uniform1i(gl.getUniformLocation(program, 'u_input'), 0);
  return program;
}

/** Compiles and links a program; throws {@link GlError} with the driver's log on failure. */
export function compileProgram(gl: WebGL2RenderingContext, vertexSource: string, fragmentSource: string): WebGLProgram {
  const vs = compileShader(gl, gl.VERTEX_SHADER, vertexSource);
  const fs = compileShader(gl, gl.FRAGMENT_SHADER, fragmentSource);
  const program = gl.createProgram();
  if (!program) throw new GlError('createProgram returned null (context lost?)');
  gl.attachShader(program, vs);
  gl.attachShader(program, fs);
  gl.bindAttribLocation(program, QUAD_POSITION_LOCATION, 'a_pos');
  gl.linkProgram(program);
  gl.deleteShader(vs);
  gl.deleteShader(fs);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS) && !gl.isContextLost()) {
    const log = gl.getProgramInfoLog(program);
    gl.deleteProgram(program);
    throw new GlError(`WebGL program failed to link: ${log}`);
  }
  return program;
}

function compileShader(gl: WebGL2RenderingContext, type: number, source: string): WebGLShader {
  const shader = gl.createShader(type);
  if (!shader) throw new GlError('createShader returned null (context lost?)');
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS) && !gl.isContextLost()) {
    const log = gl.getShaderInfoLog(shader);
    gl.deleteShader(shader);
    throw new GlError(`WebGL ${type === gl.VERTEX_SHADER ? 'vertex' : 'fragment'} shader failed to compile: ${log}`);
  }
  return shader;
}

/** A vertex array holding the full-screen quad (triangle strip) at {@link QUAD_POSITION_LOCATION}. */
export function createQuad(gl: WebGL2RenderingContext): WebGLVertexArrayObject {
  const vao = gl.createVertexArray();
  const buffer = gl.createBuffer();
  if (!vao || !buffer) throw new GlError('could not create the quad buffers (context lost?)');
  gl.bindVertexArray(vao);
  gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
  gl.enableVertexAttribArray(QUAD_POSITION_LOCATION);
  gl.vertexAttribPointer(QUAD_POSITION_LOCATION, 2, gl.FLOAT, false, 0, 0);
  gl.bindVertexArray(null);
  return vao;
}

/** An RGBA8 texture with linear filtering and clamped edges, storage allocated once. */
export function createTexture(gl: WebGL2RenderingContext, width: number, height: number): WebGLTexture {
  const texture = gl.createTexture();
  if (!texture) throw new GlError('createTexture returned null (context lost?)');
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, width, height);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  return texture;
}

/**
 * A sampler that reads the nearest texel (clamped edges). Under software WebGL a LINEAR read
 * fetches and blends four texels even where it lands on a texel's centre, so a draw that maps
 * texels one to one onto pixels reads through this one at a fraction of the cost, to the same colour.
 */
export function createNearestSampler(gl: WebGL2RenderingContext): WebGLSampler {
  const sampler = gl.createSampler();
  if (!sampler) throw new GlError('createSampler returned null (context lost?)');
  gl.samplerParameteri(sampler, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.samplerParameteri(sampler, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  gl.samplerParameteri(sampler, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.samplerParameteri(sampler, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  return sampler;
}

/** A texture of `width`×`height` with a complete framebuffer around it. */
export function createRenderTarget(gl: WebGL2RenderingContext, width: number, height: number): RenderTarget {
  const texture = createTexture(gl, width, height);
  const framebuffer = gl.createFramebuffer();
  if (!framebuffer) throw new GlError('createFramebuffer returned null (context lost?)');
  gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
  const status = gl.checkFramebufferStatus(gl.FRAMEBUFFER);
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  if (status !== gl.FRAMEBUFFER_COMPLETE && !gl.isContextLost()) {
    throw new GlError(`framebuffer of ${width}×${height} is incomplete (0x${status.toString(16)})`);
  }
  return { texture, framebuffer, width, height };
}

export function deleteRenderTarget(gl: WebGL2RenderingContext, target: RenderTarget): void {
  gl.deleteFramebuffer(target.framebuffer);
  gl.deleteTexture(target.texture);
}

/**
 * Whether `gl` draws in software (SwiftShader, Mesa's llvmpipe: headless or GPU-less machines),
 * where every full-resolution draw and texture read costs CPU milliseconds: the face worker then
 * runs its models on WebAssembly, and the stage its picture pass on the CPU.
 */
export function isSoftwareGl(gl: WebGL2RenderingContext): boolean {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  return /swiftshader|llvmpipe|software/i.test(renderer);
}
