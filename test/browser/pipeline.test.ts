/**
 * The browser media pipeline in real headless Chromium with fake devices (DESIGN.md "How it is
 * tested"): what it produces is written to an FLV file and checked with ffprobe/ffmpeg.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTool } from '../support/children.js';
import { packetsOf, probePackets, probeStreams } from '../support/ffprobe.js';
import { measureAvSync } from './av-sync.js';
import { sharedTestPage } from './harness.js';
import type { PipelineOptions, PipelineResult } from './pipeline.page.js';

const tp = sharedTestPage('test/browser/pipeline.page.ts', { '/aac-worker.js': 'src/media/aac/worker.ts' });
let dir: string;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-pusher-browser-'));
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  return tp().page.evaluate((o) => (globalThis as unknown as { runPipeline(o: PipelineOptions): Promise<PipelineResult> }).runPipeline(o), options);
}

function saveUpload(name: string): string {
  const file = path.join(dir, `${name}.flv`);
  fs.writeFileSync(file, tp().upload(name));
  return file;
}

/** user_data_unregistered payloads as `ffmpeg -bsf:v trace_headers` prints them, decoded as text. */
async function traceSeiTexts(file: string): Promise<string[]> {
  const { stderr } = await runTool('ffmpeg', ['-hide_banner', '-v', 'trace', '-i', file, '-map', '0:v', '-c', 'copy', '-bsf:v', 'trace_headers', '-f', 'null', '-'], {
    timeoutMs: 60_000,
  });
  const texts: string[] = [];
  let bytes: number[] | null = null;
  for (const line of stderr.split('\n')) {
    const m = /user_data_payload_byte\[(\d+)\]\s+[01]+\s+=\s+(\d+)/.exec(line);
    if (m) {
      if (m[1] === '0' || bytes === null) bytes = [];
      bytes.push(Number(m[2]));
    } else if (bytes !== null && !/user_data_payload_byte/.test(line)) {
      texts.push(Buffer.from(bytes).toString('utf8'));
      bytes = null;
    }
  }
  if (bytes !== null) texts.push(Buffer.from(bytes).toString('utf8'));
  return texts;
}

test('video stage: cover crop to portrait, remote mirror, an effect pass, timestamp kept, snapshot', async () => {
  type Pixels = { timestamp: number; samples: Record<string, [number, number, number]> };
  const run = (mirror: boolean, invert = false) =>
    tp().page.evaluate(
      (o) => (globalThis as unknown as { stagePixels(o: unknown): Promise<Pixels> }).stagePixels(o),
      { width: 360, height: 640, mirror, invert },
    );
  const near = (got: [number, number, number], want: [number, number, number], what: string) =>
    assert.ok(got.every((v, i) => Math.abs(v - want[i]!) < 40), `${what}: got rgb(${got.join(',')}), want rgb(${want.join(',')})`);
  const plain = await run(false);
  assert.equal(plain.timestamp, 123_456);
  // 640×480 → 360×640 cover: scale 4/3, the centre 270 of 640 columns, all rows: the green band
  // (top quarter of the card) stays on top, red left of centre, blue right of centre.
  near(plain.samples.topLeft!, [0, 255, 0], 'top band');
  near(plain.samples.midLeft!, [255, 0, 0], 'left half');
  near(plain.samples.midRight!, [0, 0, 255], 'right half');
  near(plain.samples.bottomCenterLeft!, [255, 0, 0], 'left of centre');
  near(plain.samples.bottomCenterRight!, [0, 0, 255], 'right of centre');
  assert.ok(plain.samples.snapshotBytes![0] > 100 && plain.samples.snapshotBytes![1] === 1, 'snapshot is a PNG');
  const mirrored = await run(true);
  near(mirrored.samples.topLeft!, [0, 255, 0], 'mirrored top band');
  near(mirrored.samples.midLeft!, [0, 0, 255], 'mirrored left half');
  near(mirrored.samples.midRight!, [255, 0, 0], 'mirrored right half');
  // An effect pass through the seam (after scale/crop/mirror): inverts every colour.
  const inverted = await run(true, true);
  near(inverted.samples.topLeft!, [255, 0, 255], 'inverted top band');
  near(inverted.samples.midLeft!, [255, 255, 0], 'inverted mirrored left half');
  near(inverted.samples.midRight!, [0, 255, 255], 'inverted mirrored right half');
});

test('camera → frame source → stage → H.264: 360×640 at ~15 fps with an SEI message', async () => {
  const message = 'hello from sendMessage ✓';
  const result = await runPipeline({ seconds: 3, width: 360, height: 640, fps: 15, message, name: 'video' });
  const file = saveUpload('video');
  const streams = await probeStreams(file);
  const video = streams.find((s) => s.codecType === 'video');
  assert.ok(video, `no video stream in ${JSON.stringify(streams)}`);
  assert.equal(video.codecName, 'h264');
  assert.equal(video.width, 360);
  assert.equal(video.height, 640);
  const packets = packetsOf(await probePackets(file), 'video');
  const first = packets[0]!.dtsMs!;
  const last = packets[packets.length - 1]!.dtsMs!;
  const fps = ((packets.length - 1) * 1000) / (last - first);
  assert.ok(fps > 12.5 && fps < 16.5, `video at ${fps.toFixed(2)} fps (${packets.length} packets over ${last - first} ms)`);
  assert.ok(packets[0]!.keyframe, 'first packet is a key frame');
  assert.ok(packets.every((p) => p.ptsMs === p.dtsMs), 'no B-frames: PTS = DTS');
  const texts = await traceSeiTexts(file);
  assert.ok(
    texts.some((t) => t.includes(message)),
    `SEI text not found by trace_headers: ${JSON.stringify(texts)}`,
  );
  assert.equal(result.video.messages, 1);
  console.log(
    `video: ${result.frameSourceKind}, ${result.acceleration} ${result.codec}, ${packets.length} packets, ${fps.toFixed(2)} fps, ` +
      `events ${result.events.join(',')}, source ${JSON.stringify(result.source)}, encoder ${JSON.stringify(result.video)}`,
  );
});

/** Runs camera + mic for `seconds` and checks the FLV: both streams, rates, start offset. */
async function checkAv(sampleRate: number, channels: 1 | 2, seconds: number, name: string, more: Partial<PipelineOptions> = {}) {
  const audioOptions = { sampleRate, channels, ...more.audio };
  const result = await runPipeline({ seconds, width: 360, height: 640, fps: 15, ...more, audio: audioOptions, name });
  const file = saveUpload(name);
  const streams = await probeStreams(file);
  const video = streams.find((s) => s.codecType === 'video');
  const audio = streams.find((s) => s.codecType === 'audio');
  assert.ok(video && audio, `streams: ${JSON.stringify(streams.map((s) => s.codecType))}`);
  assert.equal(video.codecName, 'h264');
  assert.deepEqual([video.width, video.height], [360, 640]);
  assert.equal(audio.codecName, 'aac');
  assert.equal(audio.sampleRate, sampleRate);
  assert.equal(audio.channels, channels);
  const packets = await probePackets(file);
  const v = packetsOf(packets, 'video');
  const a = packetsOf(packets, 'audio');
  const offset = a[0]!.ptsMs! - v[0]!.ptsMs!;
  assert.ok(Math.abs(offset) <= 100, `first audio ${a[0]!.ptsMs} ms vs first video ${v[0]!.ptsMs} ms`);
  // AAC frames are 1024 samples: contiguous timestamps, and as many as the duration holds.
  const frameMs = (1024 * 1000) / sampleRate;
  const steps = a.slice(1).map((p, i) => p.ptsMs! - a[i]!.ptsMs!);
  assert.ok(steps.every((d) => Math.abs(d - frameMs) <= 1), `audio steps ${JSON.stringify(steps.slice(0, 20))}`);
  const audioSpan = a[a.length - 1]!.ptsMs! - a[0]!.ptsMs!;
  const videoSpan = v[v.length - 1]!.ptsMs! - v[0]!.ptsMs!;
  assert.ok(Math.abs(audioSpan - videoSpan) < 250, `audio spans ${audioSpan} ms, video ${videoSpan} ms`);
  const fps = ((v.length - 1) * 1000) / videoSpan;
  // 15 fps less what a loaded machine drops (other test files run in parallel).
  assert.ok(fps > 12.5 && fps < 16.5, `video at ${fps.toFixed(2)} fps`);
  assert.ok(result.audio && result.audio.maxLevel > 0, `the fake microphone's beep shows on the level meter: ${JSON.stringify(result.audio)}`);
  console.log(
    `${name}: audio ${result.audio.backend}/${result.audio.tap} ${sampleRate} Hz × ${channels}, ${a.length} AAC frames; ` +
      `video ${v.length} frames ${fps.toFixed(2)} fps; first audio − first video = ${offset} ms; spans a ${audioSpan} / v ${videoSpan} ms; ` +
      `max level ${result.audio.maxLevel}; capture → tag latency median/max: video ${result.latencyMs.video.join('/')} ms, audio ${result.latencyMs.audio?.join('/')} ms`,
  );
  return { result, offset };
}

test('camera + mic → H.264 + AAC 48 kHz mono: streams, rates, A/V start within 100 ms, lip sync', async () => {
  const { result } = await checkAv(48_000, 1, 3, 'av48');
  // The fake mic beeps on the fake camera's 500 ms marks (see av-sync.ts): each beep's audio
  // timestamp against its video mark is the pipeline's lip-sync error.
  const sync = await measureAvSync(path.join(dir, 'av48.flv'), 360, 640, result.cameraStartMs);
  assert.equal(sync.mismatches, 0, `frames whose pacman does not match their number: ${JSON.stringify(sync)}`);
  assert.ok(sync.errorsMs.length >= 4, `beeps found: ${JSON.stringify(sync)}`);
  // ITU-R BT.1359: detectable beyond 45 ms audio early / 125 ms audio late; hold a tighter line.
  assert.ok(sync.errorsMs.every((e) => e > -45 && e < 60), `A/V errors ${sync.errorsMs.join(', ')} ms`);
  console.log(`lip sync (audio − video, ms, per beep): ${sync.errorsMs.join(', ')}; first camera frame #${sync.firstFrame}`);
});

test('AAC at 16 kHz (audio-quality low), stereo from the mono mic', async () => {
  await checkAv(16_000, 2, 2, 'av16', { audio: { sampleRate: 16_000, channels: 2, backend: 'aac-inline' } });
});

test('fallback paths: <video> + requestVideoFrameCallback frames, ScriptProcessor tap, AAC in a worker', async () => {
  const { result } = await checkAv(48_000, 1, 2, 'fallbacks', {
    frameSource: 'video-element',
    audio: { sampleRate: 48_000, channels: 1, backend: 'aac-worker', tap: 'script-processor' },
  });
  assert.equal(result.frameSourceKind, 'video-element');
  assert.deepEqual([result.audio?.backend, result.audio?.tap], ['aac-worker', 'script-processor']);
});

test('an AAC worker that cannot load gives way to the same encoder on the main thread', async () => {
  const { result } = await checkAv(48_000, 1, 2, 'worker-missing', {
    audio: { sampleRate: 48_000, channels: 1, backend: 'aac-worker', workerUrl: '/no-such-worker.js' },
  });
  assert.equal(result.audio?.backend, 'aac-inline');
});

test('WebCodecs AAC backend (AudioData in, EncodedAudioChunk out), here with AudioEncoder standing in', async () => {
  const { result } = await checkAv(48_000, 2, 2, 'webcodecs-aac', { audio: { sampleRate: 48_000, channels: 2, fakeWebCodecsAac: true } });
  assert.equal(result.audio?.backend, 'webcodecs');
  // The whole audio stream decodes without errors.
  const { stderr } = await runTool('ffmpeg', ['-hide_banner', '-v', 'error', '-i', path.join(dir, 'webcodecs-aac.flv'), '-map', '0:a', '-f', 'null', '-'], { timeoutMs: 60_000 });
  assert.equal(stderr.trim(), '');
});
