/**
 * Page side of pipeline.test.ts: wires the browser media modules the way the element does
 * (camera → frame source → video stage → H.264 encoder → FLV tags; mic → audio capture → AAC
 * encoder → FLV tags), runs them for a while, and uploads the FLV to the harness.
 */
import { AudioCapture, type AudioTapKind } from '../../src/browser/media/audio-capture.js';
import { aacWorkerEncoder } from '../../src/browser/media/aac-worker-encoder.js';
import { AacTagEncoder, type AudioBackendKind } from '../../src/browser/media/audio-encoder.js';
import { SessionClock } from '../../src/browser/media/clock.js';
import { FrameSource, type FrameSourceKind } from '../../src/browser/media/frame-source.js';
import { H264Encoder, type H264EncoderEvent } from '../../src/browser/media/video-encoder.js';
import { compileProgram, QUAD_VERTEX_SHADER } from '../../src/browser/media/gl.js';
import { VideoStage, type PassContext, type StagePass, type StageTexture } from '../../src/browser/media/video-stage.js';
import { FlvWriter } from '../../src/media/flv/writer.js';
import type { FlvTag } from '../../src/media/flv/tag.js';
import { AacEncoder } from '../../src/media/aac/encoder.js';
import { markReady, uploadFromPage } from './page-support.js';

/**
 * Makes `AudioEncoder` claim AAC-LC, backed by the project's encoder, so that the WebCodecs
 * backend of AacTagEncoder (AudioData building, EncodedAudioChunk.copyTo) runs in a browser whose
 * WebCodecs has no AAC (Debian's Chromium). Returns the function that undoes it.
 */
function installAacAudioEncoder(): () => void {
  const Real = globalThis.AudioEncoder;
  class AacAudioEncoder {
    private readonly inner: AacEncoder;
    constructor(init: AudioEncoderInit) {
      this.inner = new AacEncoder({
        output: (c, metadata) =>
          init.output(new EncodedAudioChunk({ type: 'key', timestamp: c.timestamp, duration: c.duration, data: c.data }), metadata as EncodedAudioChunkMetadata),
        error: (e) => init.error(e as DOMException),
      });
    }
    static isConfigSupported(config: AudioEncoderConfig) {
      return AacEncoder.isConfigSupported(config);
    }
    get encodeQueueSize() {
      return 0;
    }
    get state() {
      return this.inner.state;
    }
    configure(config: AudioEncoderConfig) {
      this.inner.configure(config);
    }
    encode(data: AudioData) {
      this.inner.encode(data);
    }
    flush() {
      return this.inner.flush();
    }
    close() {
      this.inner.close();
    }
  }
  (globalThis as { AudioEncoder: unknown }).AudioEncoder = AacAudioEncoder;
  return () => ((globalThis as { AudioEncoder: unknown }).AudioEncoder = Real);
}

export interface PipelineOptions {
  seconds: number;
  width: number;
  height: number;
  fps: number;
  /** Text sent with sendMessage after about a second. */
  message?: string;
  mirror?: boolean;
  frameSource?: FrameSourceKind;
  /** Capture and encode the microphone too. */
  audio?: { sampleRate: number; channels: 1 | 2; backend?: AudioBackendKind; tap?: AudioTapKind; fakeWebCodecsAac?: boolean; workerUrl?: string };
  /** Upload name of the FLV. */
  name: string;
}

export interface PipelineResult {
  frameSourceKind: FrameSourceKind;
  acceleration: string;
  codec: string;
  events: H264EncoderEvent['type'][];
  source: { delivered: number; thinned: number };
  video: { encoded: number; dropped: number; output: number; keyframes: number; messages: number };
  audio: { backend: AudioBackendKind; tap: AudioTapKind; sampleRate: number; blocks: number; frames: number; skipped: number; level: number; maxLevel: number } | null;
  /** First video/audio tag timestamps (ms) after the sequence headers. */
  firstVideoMs: number | null;
  firstAudioMs: number | null;
  tags: number;
  bytes: number;
  /** Session time from capture to the tag coming out of the encoder, ms: median and max. */
  latencyMs: { video: [number, number]; audio: [number, number] | null };
  /** When getUserMedia was called, on the FLV timeline (ms; negative: before timestamp 0). */
  cameraStartMs: number;
}

function medianMax(values: number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  return [Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0), Math.round(sorted[sorted.length - 1] ?? 0)];
}

async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const clock = new SessionClock();
  const tags: FlvTag[] = [];
  const latency = { video: [] as number[], audio: [] as number[] };
  const onTag = (tag: FlvTag) => {
    tags.push(tag);
    if (tag.data[1] === 1) latency[tag.type === 9 ? 'video' : 'audio'].push((clock.nowUs() - clock.origin!) / 1000 - tag.timestamp);
  };
  const events: H264EncoderEvent['type'][] = [];
  let failure: Error | null = null;
  const beforeGetUserMediaUs = clock.nowUs();
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: options.audio !== undefined });
  const [track] = stream.getVideoTracks();
  if (!track) throw new Error('no camera track');
  let mic: AudioCapture | null = null;
  let aac: AacTagEncoder | null = null;
  let maxLevel = 0;
  let restoreAudioEncoder = () => {};
  if (options.audio) {
    const audioTrack = stream.getAudioTracks()[0];
    if (!audioTrack) throw new Error('no microphone track');
    const a = options.audio;
    if (a.fakeWebCodecsAac) restoreAudioEncoder = installAacAudioEncoder();
    aac = await AacTagEncoder.create({
      sampleRate: a.sampleRate,
      numberOfChannels: a.channels,
      clock,
      ...(a.backend ? { backend: a.backend } : {}),
      createWorkerEncoder: aacWorkerEncoder(a.workerUrl ?? '/aac-worker.js'),
      onTag,
      onError: (e) => (failure = e),
    });
    const encoder = aac;
    mic = await AudioCapture.create({
      track: audioTrack,
      clock,
      sampleRate: a.sampleRate,
      numberOfChannels: a.channels,
      ...(a.tap ? { tap: a.tap } : {}),
      onBlock: (block) => {
        encoder.encode(block);
        maxLevel = Math.max(maxLevel, mic!.level);
      },
    });
  }
  const stage = new VideoStage({ width: options.width, height: options.height, mirror: options.mirror ?? false });
  const encoder = await H264Encoder.create({
    width: options.width,
    height: options.height,
    fps: options.fps,
    bitrate: 800_000,
    clock,
    onTag,
    onEvent: (event) => {
      events.push(event.type);
      if (event.type === 'failed') failure = event.error;
    },
  });
  const source = new FrameSource({
    track,
    clock,
    fps: options.fps,
    ...(options.frameSource ? { kind: options.frameSource } : {}),
    onFrame: (frame) => {
      let out: VideoFrame;
      try {
        out = stage.process(frame);
      } catch (e) {
        failure = e as Error;
        return;
      } finally {
        frame.close();
      }
      encoder.encode(out);
    },
    onEnded: (ended) => {
      failure = ended.error ?? new Error(ended.reason);
    },
  });
  clock.setOrigin(clock.nowUs());
  source.start();
  await mic?.start();
  if (options.message !== undefined) {
    const message = options.message;
    setTimeout(() => encoder.sendMessage(message), 1000);
  }
  await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
  await source.stop();
  await mic?.close();
  await encoder.flush();
  await aac?.flush();
  encoder.close();
  aac?.close();
  stage.close();
  for (const t of stream.getTracks()) t.stop();
  restoreAudioEncoder();
  if (failure) throw failure;

  const writer = new FlvWriter({ hasAudio: options.audio !== undefined, hasVideo: true });
  const parts: Uint8Array[] = [writer.header()];
  for (const tag of tags) parts.push(writer.tag(tag));
  const blob = new Blob(parts as BlobPart[]);
  await uploadFromPage(options.name, blob);
  const firstVideo = tags.find((t) => t.type === 9 && t.data[1] === 1);
  const firstAudio = tags.find((t) => t.type === 8 && t.data[1] === 1);
  return {
    frameSourceKind: source.kind,
    acceleration: encoder.acceleration,
    codec: encoder.codec,
    events,
    source: { ...source.stats },
    video: { ...encoder.stats },
    audio:
      mic && aac
        ? { backend: aac.backend, tap: mic.tapKind, sampleRate: mic.sampleRate, blocks: mic.blocks, frames: aac.stats.frames, skipped: aac.stats.skipped, level: mic.level, maxLevel }
        : null,
    firstVideoMs: firstVideo?.timestamp ?? null,
    firstAudioMs: firstAudio?.timestamp ?? null,
    tags: tags.length,
    bytes: blob.size,
    cameraStartMs: (beforeGetUserMediaUs - clock.origin!) / 1000,
    latencyMs: { video: medianMax(latency.video), audio: latency.audio.length > 0 ? medianMax(latency.audio) : null },
  };
}

/**
 * Draws a test card (left half red, right half blue, a green band across the top quarter) at
 * 640×480, runs it through a stage of `width`×`height`, and reads back pixels of the output.
 */
/** An example effect through the pass seam: inverts the colours. */
function invertPass(): StagePass & { setups: number; disposes: number } {
  let program: WebGLProgram | null = null;
  const pass = {
    name: 'invert',
    setups: 0,
    disposes: 0,
    setup(gl: WebGL2RenderingContext) {
      pass.setups++;
      program = compileProgram(
        gl,
        QUAD_VERTEX_SHADER,
        `#version 300 es
precision mediump float;
uniform sampler2D u_input;
in vec2 v_uv;
out vec4 outColor;
void main() { outColor = vec4(1.0 - texture(u_input, v_uv).rgb, 1.0); }`,
      );
    },
    apply(gl: WebGL2RenderingContext, input: StageTexture, ctx: PassContext) {
      const target = ctx.targetFor(input);
      gl.bindFramebuffer(gl.FRAMEBUFFER, target.framebuffer);
      gl.viewport(0, 0, ctx.width, ctx.height);
      gl.useProgram(program);
      gl.uniform4f(gl.getUniformLocation(program!, 'u_uvTransform'), 0, 0, 1, 1);
      gl.activeTexture(gl.TEXTURE0);
      gl.bindTexture(gl.TEXTURE_2D, input.texture);
      ctx.bindQuad();
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      return target;
    },
    dispose(gl: WebGL2RenderingContext) {
      pass.disposes++;
      gl.deleteProgram(program);
    },
  };
  return pass;
}

async function stagePixels(options: { width: number; height: number; mirror: boolean; invert?: boolean }): Promise<{
  timestamp: number;
  samples: Record<string, [number, number, number]>;
}> {
  const card = new OffscreenCanvas(640, 480);
  const ctx = card.getContext('2d')!;
  ctx.fillStyle = '#ff0000';
  ctx.fillRect(0, 0, 320, 480);
  ctx.fillStyle = '#0000ff';
  ctx.fillRect(320, 0, 320, 480);
  ctx.fillStyle = '#00ff00';
  ctx.fillRect(0, 0, 640, 120);
  const input = new VideoFrame(card, { timestamp: 123_456 });
  const stage = new VideoStage(options);
  const invert = options.invert ? invertPass() : null;
  if (invert) stage.setEffects([invert]);
  const output = stage.process(input);
  input.close();
  const rgba = new Uint8Array(options.width * options.height * 4);
  await output.copyTo(rgba, { format: 'RGBA' } as VideoFrameCopyToOptions);
  const timestamp = output.timestamp;
  output.close();
  const at = (x: number, y: number): [number, number, number] => {
    const i = (y * options.width + x) * 4;
    return [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
  };
  const { width: w, height: h } = options;
  const blob = await stage.snapshot();
  const jpeg = await stage.snapshot({ type: 'image/jpeg', quality: 0.8 });
  const bitmap = await stage.snapshotBitmap();
  const bitmapOk = bitmap.width === options.width && bitmap.height === options.height && jpeg.type === 'image/jpeg' && jpeg.size > 100;
  bitmap.close();
  stage.close();
  if (!bitmapOk) throw new Error('snapshot as JPEG or ImageBitmap is wrong');
  if (invert && (invert.setups !== 1 || invert.disposes !== 1)) throw new Error(`invert pass set up ${invert.setups}×, disposed ${invert.disposes}×`);
  return {
    timestamp,
    samples: {
      topLeft: at(2, 2),
      midLeft: at(2, Math.floor(h / 2)),
      midRight: at(w - 3, Math.floor(h / 2)),
      bottomCenterLeft: at(Math.floor(w / 2) - 3, h - 3),
      bottomCenterRight: at(Math.floor(w / 2) + 2, h - 3),
      snapshotBytes: [blob.size, blob.type === 'image/png' ? 1 : 0, 0],
    },
  };
}

markReady({ runPipeline, stagePixels });
