/**
 * AacTagEncoder (src/browser/media/audio-encoder.ts) in Node with the project's AAC encoder on
 * this thread: sequence header first, priming frame before the origin left out, 1024-sample
 * spacing, and the capture's drift correction carried into the tag timestamps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PcmBlock } from '../../src/browser/media/audio-capture.js';
import { AacTagEncoder } from '../../src/browser/media/audio-encoder.js';
import { SessionClock } from '../../src/browser/media/clock.js';
import type { LivePusherError } from '../../src/core/codes.js';
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
