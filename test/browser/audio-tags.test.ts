/**
 * AacTagEncoder (src/browser/media/audio-encoder.ts) in Node with the project's AAC encoder on
 * this thread: sequence header first, priming frame before the origin left out, 1024-sample
 * spacing, and the capture's drift correction carried into the tag timestamps, frame by frame even
 * when a worker hands frames back in bursts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PcmBlock } from '../../src/browser/media/audio-capture.js';
import { AacTagEncoder, type AudioChunkLike, type AudioEncoderLike, type AudioEncoderLikeInit } from '../../src/browser/media/audio-encoder.js';
import { SessionClock } from '../../src/browser/media/clock.js';
import type { LivePusherError } from '../../src/core/codes.js';
import { AacEncoder } from '../../src/media/aac/encoder.js';
import { parseAacAudioTag, parseAudioSpecificConfigInfo } from '../../src/media/flv/audio.js';
import type { FlvTag } from '../../src/media/flv/tag.js';

async function encode(sampleRate: number, blocks: number, driftPpm: number) {
  const clock = new SessionClock();
  const originUs = 10_000_000;
  clock.setOrigin(originUs);
  const tags: FlvTag[] = [];
  const errors: LivePusherError[] = [];
  const encoder = await AacTagEncoder.create({ sampleRate, numberOfChannels: 1, clock, onTag: (t) => tags.push(t), onError: (e) => errors.push(e) });
  const plane = new Float32Array(1024);
  const block: PcmBlock = { timestamp: 0, sampleRate, numberOfChannels: 1, numberOfFrames: 1024, planes: [plane] };
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < 1024; i++) plane[i] = 0.3 * Math.sin((2 * Math.PI * 440 * (b * 1024 + i)) / sampleRate);
    // The mic starts with the push; its clock runs driftPpm fast against the session clock.
    block.timestamp = originUs + ((b * 1024 * 1e6) / sampleRate) * (1 + driftPpm / 1e6);
    encoder.encode(block);
  }
  await encoder.flush();
  encoder.close();
  assert.deepEqual(errors, []);
  return { tags, encoder };
}

test('AAC tags: header, priming frame skipped, 1024-sample steps from timestamp 0', async () => {
  const { tags, encoder } = await encode(48_000, 50, 0);
  assert.equal(encoder.backend, 'aac-inline', 'Node has no WebCodecs AudioEncoder');
  const first = parseAacAudioTag(tags[0]!.data);
  assert.equal(first.kind, 'sequence-header');
  assert.ok(first.kind === 'sequence-header');
  assert.deepEqual(parseAudioSpecificConfigInfo(first.config), { objectType: 2, samplingFrequencyIndex: 3, sampleRate: 48_000, channelConfiguration: 1 });
  const raw = tags.slice(1);
  assert.ok(raw.every((t) => parseAacAudioTag(t.data).kind === 'raw'));
  assert.equal(encoder.stats.skipped, 1, 'the priming frame precedes the origin');
  assert.equal(raw[0]!.timestamp, 0);
  const steps = raw.slice(1).map((t, i) => t.timestamp - raw[i]!.timestamp);
  assert.ok(steps.every((d) => d === 21 || d === 22), JSON.stringify(steps));
});

test('AAC tags follow the capture clock when it drifts (1000 ppm over ~10 s)', async () => {
  const blocks = 470; // ≈ 10 s at 48 kHz
  const { tags } = await encode(48_000, blocks, 1000);
  const raw = tags.slice(1);
  const last = raw[raw.length - 1]!;
  const index = raw.length - 1 + 1; // +1: the skipped priming frame
  const counted = (index - 1) * (1024 / 48); // ms by sample count alone (minus the one-frame delay)
  // With 1000 ppm the capture says ~10 ms more than the count; the tags must carry that.
  assert.ok(last.timestamp - counted > 7, `last tag ${last.timestamp} ms, sample count ${counted.toFixed(1)} ms`);
  const steps = raw.slice(1).map((t, i) => t.timestamp - raw[i]!.timestamp);
  assert.ok(steps.every((d) => d >= 21 && d <= 23), 'no jumps');
});

/** The project's encoder as a worker would be: its frames come back `burst` at a time. */
function burstyWorkerEncoder(burst: number) {
  return (init: AudioEncoderLikeInit): AudioEncoderLike => {
    const held: AudioChunkLike[] = [];
    const encoder = new AacEncoder({
      output: (chunk) => {
        held.push(chunk);
        if (held.length === burst) for (const c of held.splice(0)) init.output(c);
      },
      error: init.error,
    });
    return {
      get encodeQueueSize() {
        return held.length;
      },
      configure: (config) => encoder.configure(config),
      encode: (input) => encoder.encode(input),
      flush: async () => {
        await encoder.flush();
        for (const c of held.splice(0)) init.output(c);
      },
      close: () => encoder.close(),
    };
  };
}

test('a step in the capture clock reaches the tags slewed frame by frame, also from a worker that answers in bursts', async () => {
  const sampleRate = 48_000;
  const clock = new SessionClock();
  const originUs = 10_000_000;
  clock.setOrigin(originUs);
  const tags: FlvTag[] = [];
  const encoder = await AacTagEncoder.create({
    sampleRate, numberOfChannels: 1, clock, backend: 'aac-worker', createWorkerEncoder: burstyWorkerEncoder(8),
    onTag: (t) => tags.push(t), onError: (e) => assert.fail(e),
  });
  const block: PcmBlock = { timestamp: 0, sampleRate, numberOfChannels: 1, numberOfFrames: 1024, planes: [new Float32Array(1024)] };
  // From block 20 the capture places its samples 4 ms later (its mapping re-measured): the
  // encoder slews towards that at most 0.5 ms a block, so no step between frames is off by more.
  for (let b = 0; b < 60; b++) {
    block.timestamp = originUs + (b * 1024 * 1e6) / sampleRate + (b >= 20 ? 4000 : 0);
    encoder.encode(block);
  }
  await encoder.flush();
  encoder.close();
  const raw = tags.slice(1);
  const steps = raw.slice(1).map((t, i) => t.timestamp - raw[i]!.timestamp);
  assert.ok(steps.every((d) => d === 21 || d === 22), `steps ${JSON.stringify(steps)}`);
  const late = raw.at(-1)!.timestamp - ((raw.length - 1) * 1024) / 48;
  assert.ok(late > 3 && late < 5, `the last tag carries the 4 ms step: ${late.toFixed(2)} ms`);
});
