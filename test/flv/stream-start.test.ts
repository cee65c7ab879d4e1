import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAacAudioTag } from '../../src/media/flv/audio.js';
import { StreamStartGate } from '../../src/media/flv/stream-start.js';
import { FlvTagType, type FlvTag } from '../../src/media/flv/tag.js';
import { buildAvcVideoTag } from '../../src/media/flv/video.js';

const video = (timestamp: number, keyframe: boolean): FlvTag => ({
  type: FlvTagType.Video,
  timestamp,
  data: buildAvcVideoTag({ kind: 'nalu', keyframe, compositionTime: 0, data: Uint8Array.of(timestamp & 0xff) }),
});
const audio = (timestamp: number): FlvTag => ({ type: FlvTagType.Audio, timestamp, data: buildAacAudioTag({ kind: 'raw', data: Uint8Array.of(1) }) });
const stamps = (tags: FlvTag[]) => tags.map((t) => `${t.type === FlvTagType.Audio ? 'a' : 'v'}${t.timestamp}`);

test('video before the first key frame is dropped; audio held meanwhile goes out after it from its timestamp on', () => {
  const gate = new StreamStartGate(150);
  gate.restart(true);
  assert.deepEqual(gate.audio(audio(0)), []);
  assert.deepEqual(gate.video(video(10, false)), []);
  assert.deepEqual(gate.audio(audio(21)), []);
  assert.deepEqual(gate.audio(audio(43)), []);
  assert.deepEqual(stamps(gate.video(video(30, true))), ['v30', 'a43']);
  assert.deepEqual(stamps(gate.video(video(97, false))), ['v97']);
  assert.deepEqual(stamps(gate.audio(audio(64))), ['a64']);
});

test('audio stamped before the key frame but delivered after it (a lagging AAC encoder) is dropped', () => {
  const gate = new StreamStartGate(150);
  gate.restart(true);
  assert.deepEqual(gate.audio(audio(0)), []);
  assert.deepEqual(stamps(gate.video(video(150, true))), ['v150']);
  for (const t of [21, 43, 64, 85, 107, 128]) assert.deepEqual(gate.audio(audio(t)), [], `a${t}`);
  assert.deepEqual(stamps(gate.audio(audio(149))), [], 'one millisecond early');
  assert.deepEqual(stamps(gate.audio(audio(150))), ['a150']);
});

test('a new connection starts over; a new encoder mid-push makes only the video wait', () => {
  const gate = new StreamStartGate(150);
  gate.restart(true);
  gate.video(video(0, true));
  gate.awaitVideoKey();
  assert.deepEqual(stamps(gate.audio(audio(200))), ['a200'], 'the sound goes on');
  assert.deepEqual(gate.video(video(210, false)), []);
  assert.deepEqual(stamps(gate.video(video(240, true))), ['v240']);

  gate.restart(true);
  assert.deepEqual(gate.audio(audio(1000)), []);
  assert.deepEqual(stamps(gate.video(video(990, true))), ['v990', 'a1000']);
});

test('without video, audio starts at once; the held audio is bounded, oldest first out', () => {
  const gate = new StreamStartGate(3);
  gate.restart(false);
  assert.deepEqual(stamps(gate.audio(audio(5))), ['a5']);
  gate.restart(true);
  for (const t of [0, 21, 43, 64, 85]) gate.audio(audio(t));
  assert.deepEqual(stamps(gate.video(video(0, true))), ['v0', 'a43', 'a64', 'a85']);
});
