/**
 * Page side of robustness.test.ts: the encoder and stage under conditions a camera run does not
 * produce on demand (bursts, bitrate changes, injected encoder errors, WebGL context loss).
 */
import { AudioCapture } from '../../src/browser/media/audio-capture.js';
import { SessionClock } from '../../src/browser/media/clock.js';
import { FrameSource, type FrameSourceEnded, type FrameSourceKind } from '../../src/browser/media/frame-source.js';
import { H264Encoder, type H264EncoderEvent, type H264EncoderOptions } from '../../src/browser/media/video-encoder.js';
import { VideoStage, VideoStageError } from '../../src/browser/media/video-stage.js';
import type { FlvTag } from '../../src/media/flv/tag.js';
import { markReady } from './page-support.js';

const W = 360;
const H = 640;

/** A tag's body: sequence header (AVCPacketType 0)? */
const isHeader = (t: FlvTag) => t.data[1] === 0;
/** FrameType 1 (key frame)? */
const isKey = (t: FlvTag) => t.data[0]! >> 4 === 1;

/** A moving gradient with mild per-frame noise: detailed enough that the bitrate target matters. */
function makeFrames(W = 360, H = 640): (i: number, timestampUs: number) => VideoFrame {
  const canvas = new OffscreenCanvas(W, H);
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(W, H);
  let seed = 1;
  return (i, timestampUs) => {
    for (let y = 0, p = 0; y < H; y++) {
      for (let x = 0; x < W; x++, p += 4) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const n = ((seed >>> 24) & 0x1f) - 16;
        image.data[p] = ((x + i * 4) & 0xff) + n;
        image.data[p + 1] = ((y + i * 2) & 0xff) + n;
        image.data[p + 2] = ((x ^ y) & 0xff) + n;
        image.data[p + 3] = 255;
      }
    }
    ctx.putImageData(image, 0, 0);
    return new VideoFrame(canvas, { timestamp: timestampUs });
  };
}

interface EncoderRun {
  encoder: H264Encoder;
  tags: FlvTag[];
  events: H264EncoderEvent[];
}

async function makeEncoder(more: Partial<H264EncoderOptions> = {}): Promise<EncoderRun> {
  const tags: FlvTag[] = [];
  const events: H264EncoderEvent[] = [];
  const clock = new SessionClock();
  clock.setOrigin(0);
  const encoder = await H264Encoder.create({
    width: W,
    height: H,
    fps: 15,
    bitrate: 1_500_000,
    clock,
    onTag: (t) => tags.push(t),
    onEvent: (e) => events.push(e),
    ...more,
  });
  return { encoder, tags, events };
}

/** 30 frames given at once: the realtime queue limit drops what the encoder cannot take. */
async function encoderBurst() {
  const { encoder, tags } = await makeEncoder({ maxQueue: 2 });
  const frame = makeFrames();
  const frames: VideoFrame[] = [];
  for (let i = 0; i < 30; i++) frames.push(frame(i, i * 66_667));
  for (const f of frames) encoder.encode(f);
  await encoder.flush();
  // Every frame given was closed by encode(), dropped or not: using one now must throw.
  const closed = frames.filter((f) => {
    try {
      f.clone().close();
      return false;
    } catch {
      return true;
    }
  }).length;
  const stats = { ...encoder.stats };
  encoder.close();
  return { stats, closed, frames: tags.filter((t) => !isHeader(t)).length, firstKey: isKey(tags.find((t) => !isHeader(t))!) };
}

/** 4 s of noise at 1.5 Mbit/s, then 4 s at 300 kbit/s through setBitrate. */
async function bitrateChange() {
  const { encoder, tags, events } = await makeEncoder({ maxQueue: 1000 });
  const frame = makeFrames();
  for (let i = 0; i < 120; i++) {
    if (i === 60) encoder.setBitrate(300_000);
    encoder.encode(frame(i, i * 66_667));
    if (encoder.queueSize > 4) await new Promise((r) => setTimeout(r, 5));
  }
  await encoder.flush();
  encoder.close();
  const media = tags.filter((t) => !isHeader(t));
  // Skip 15 frames after the change: rate control needs a moment to settle.
  const bytes = (from: number, to: number) => media.filter((t) => t.timestamp >= from && t.timestamp < to).reduce((s, t) => s + t.data.length, 0);
  return {
    headers: tags.filter(isHeader).length,
    events: events.map((e) => e.type),
    kbpsBefore: (bytes(1000, 4000) * 8) / 3 / 1000,
    kbpsAfter: (bytes(5000, 8000) * 8) / 3 / 1000,
    frames: media.length,
  };
}

/** A VideoEncoder that fails (error callback, like a crashed encoder) after `after` frames. */
async function encoderRestart(after: number, frames: number) {
  const Real = VideoEncoder;
  class Flaky extends Real {
    private readonly fail: (e: DOMException) => void;
    private count = 0;
    constructor(init: VideoEncoderInit) {
      super(init);
      this.fail = init.error;
    }
    override encode(frame: VideoFrame, options?: VideoEncoderEncodeOptions): void {
      super.encode(frame, options);
      if (++this.count === after) {
        queueMicrotask(() => {
          this.close();
          this.fail(new DOMException('injected failure', 'EncodingError'));
        });
      }
    }
  }
  (globalThis as { VideoEncoder: typeof VideoEncoder }).VideoEncoder = Flaky;
  try {
    const { encoder, tags, events } = await makeEncoder({ maxQueue: 1000, maxRestarts: 2 });
    const frame = makeFrames();
    const keyAfterRestart: boolean[] = [];
    let restartsSeen = 0;
    for (let i = 0; i < frames; i++) {
      encoder.encode(frame(i, i * 66_667));
      await new Promise((r) => setTimeout(r, 15));
      const restarts = events.filter((e) => e.type === 'restarted').length;
      if (restarts > restartsSeen) {
        restartsSeen = restarts;
        const before = tags.length;
        encoder.encode(frame(i, i * 66_667 + 1000));
        await encoder.flush().catch(() => undefined);
        const next = tags.slice(before).find((t) => !isHeader(t));
        if (next) keyAfterRestart.push(isKey(next));
      }
    }
    await encoder.flush().catch(() => undefined);
    const failed = events.find((e) => e.type === 'failed');
    return {
      events: events.map((e) => e.type),
      failedCode: failed?.type === 'failed' ? failed.error.code : null,
      keyAfterRestart,
      stats: { ...encoder.stats },
    };
  } finally {
    (globalThis as { VideoEncoder: typeof VideoEncoder }).VideoEncoder = Real;
  }
}

/** WEBGL_lose_context: the stage reports the loss, refuses frames with a typed error, recovers. */
async function contextLoss() {
  const lost: string[] = [];
  let restored = 0;
  const stage = new VideoStage({
    width: W,
    height: H,
    onContextLost: (e) => lost.push(`${e.name}:${e.code}`),
    onContextRestored: () => restored++,
  });
  const frame = makeFrames();
  const input = frame(0, 1000);
  stage.process(input).close();
  const gl = stage.canvas.getContext('webgl2')!;
  const ext = gl.getExtension('WEBGL_lose_context')!;
  ext.loseContext();
  await new Promise((r) => setTimeout(r, 50));
  let whileLost = 'no error';
  try {
    stage.process(input).close();
  } catch (e) {
    whileLost = e instanceof VideoStageError ? `${e.name}:${e.code}` : String(e);
  }
  const snapshotWhileLost = await stage.snapshot().then(
    () => 'resolved',
    (e: unknown) => (e instanceof VideoStageError ? e.code : String(e)),
  );
  ext.restoreContext();
  await new Promise((r) => setTimeout(r, 100));
  const out = stage.process(input);
  const afterRestore = out.timestamp;
  out.close();
  input.close();
  stage.close();
  return { lost, whileLost, snapshotWhileLost, restored, afterRestore };
}

/** 360×640 for 10 frames, then setSize(640, 360) and 10 frames of that size. */
async function sizeChange() {
  const { encoder, tags, events } = await makeEncoder({ maxQueue: 1000 });
  const portrait = makeFrames(360, 640);
  const landscape = makeFrames(640, 360);
  for (let i = 0; i < 10; i++) encoder.encode(portrait(i, i * 66_667));
  encoder.setSize(640, 360);
  for (let i = 10; i < 20; i++) encoder.encode(landscape(i, i * 66_667));
  await encoder.flush();
  encoder.close();
  const headers = tags.filter(isHeader).map((t) => Array.from(t.data.subarray(5)));
  const firstAfter = tags.slice(tags.findIndex((t, i) => i > 0 && isHeader(t)) + 1)[0];
  return { headers, frames: tags.filter((t) => !isHeader(t)).length, keyAfter: firstAfter ? isKey(firstAfter) : null, events: events.map((e) => e.type), codec: encoder.codec };
}

/** A frame source whose camera track is stopped: it reports the end and delivers nothing after. */
async function frameSourceEnd(kind: FrameSourceKind) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: true });
  const track = stream.getVideoTracks()[0]!;
  const ended: FrameSourceEnded[] = [];
  let delivered = 0;
  let afterEnd = 0;
  const source = new FrameSource({
    track,
    clock: new SessionClock(),
    fps: 15,
    kind,
    onFrame: (frame) => {
      delivered++;
      if (ended.length > 0) afterEnd++;
      frame.close();
    },
    onEnded: (e) => ended.push(e),
  });
  source.start();
  await new Promise((r) => setTimeout(r, 500));
  track.stop();
  await new Promise((r) => setTimeout(r, 500));
  await source.stop();
  return { delivered, afterEnd, ended: ended.map((e) => e.reason) };
}

/** One node as both ends of an effect. */
const single = (node: AudioNode) => ({ input: node, output: node });

/**
 * Mic gain, mute and the level meter: peak level over 600 ms in each state. The meter reads the
 * microphone before the effects (audiovolumenotify is the microphone's level), so what an effect
 * does is read from the blocks handed to the encoder: their peak sample.
 */
async function micControls() {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const track = stream.getAudioTracks()[0]!;
  let peak = 0;
  let pushedPeak = 0;
  let blocks = 0;
  let lastTimestamp = 0;
  let monotonic = true;
  const capture = await AudioCapture.create({
    track,
    clock: new SessionClock(),
    sampleRate: 48_000,
    numberOfChannels: 1,
    onBlock: (block) => {
      blocks++;
      if (block.timestamp <= lastTimestamp) monotonic = false;
      lastTimestamp = block.timestamp;
      peak = Math.max(peak, capture.level);
      for (const v of block.planes[0]!) pushedPeak = Math.max(pushedPeak, Math.abs(v));
    },
  });
  const running = await capture.start();
  // The fake microphone beeps twice a second; 600 ms always holds a beep.
  const measure = async () => {
    await new Promise((r) => setTimeout(r, 100)); // let the 20 ms gain ramp settle
    peak = 0;
    pushedPeak = 0;
    await new Promise((r) => setTimeout(r, 600));
    return peak;
  };
  const full = await measure();
  const fullPushed = pushedPeak;
  capture.setMuted(true);
  const muted = await measure();
  capture.setMuted(false);
  capture.setVolume(0.1);
  const tenth = await measure();
  // The effect seam: a −20 dB GainNode as the effect chain, at full mic volume.
  capture.setVolume(1);
  capture.setEffects([{ name: 'attenuate', ...single(new GainNode(capture.context, { gain: 0.1 })) }]);
  const effectMeter = await measure();
  const effect = 20 * Math.log10(pushedPeak / fullPushed);
  capture.setEffects([]);
  await measure();
  const restored = 20 * Math.log10(pushedPeak / fullPushed);
  await capture.close();
  track.stop();
  return { running, tapKind: capture.tapKind, full, muted, tenth, effectMeter, effect, restored, blocks, monotonic };
}

/** Profiles: the codec string and the SPS profile_idc the encoder produced. */
async function profiles() {
  const out: Record<string, { codec: string; profileIdc: number | null }> = {};
  for (const profile of ['baseline', 'main', 'high'] as const) {
    const { encoder, tags } = await makeEncoder({ profile, maxQueue: 1000 });
    const frame = makeFrames();
    for (let i = 0; i < 3; i++) encoder.encode(frame(i, i * 66_667));
    await encoder.flush();
    encoder.close();
    const header = tags.find(isHeader);
    out[profile] = { codec: encoder.codec, profileIdc: header ? header.data[5 + 1]! : null };
  }
  return out;
}

markReady({ profiles, micControls, frameSourceEnd, sizeChange,  encoderBurst, bitrateChange, encoderRestart, contextLoss });
