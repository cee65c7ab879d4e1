import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetStatusMeter } from '../src/core/netstatus.js';

const state = { bytesSent: 0, videoCache: 0, audioCache: 0, videoWidth: 360, videoHeight: 640 };

test('netstatus rates come from the counts of the last interval', () => {
  const meter = new NetStatusMeter();
  const first = meter.sample(0, state);
  assert.equal(first.netQualityLevel, 0);
  for (let i = 0; i < 15; i++) meter.recordVideo(1000, i % 30 === 0, i * 66);
  for (let i = 0; i < 47; i++) meter.recordAudio(200);
  const info = meter.sample(1000, { ...state, bytesSent: 30_000 });
  assert.equal(info.videoBitrate, 120);
  assert.equal(info.audioBitrate, 75);
  assert.equal(info.videoFPS, 15);
  assert.equal(info.netSpeed, 240);
  assert.equal(info.netQualityLevel, 1);
  assert.deepEqual(Object.keys(info).sort(), [
    'audioBitrate', 'audioCache', 'netJitter', 'netQualityLevel', 'netSpeed', 'videoBitrate', 'videoCache', 'videoFPS', 'videoGOP', 'videoHeight', 'videoWidth',
  ]);
});

test('netstatus GOP, jitter and quality follow keyframes, speed changes and backlog', () => {
  const meter = new NetStatusMeter();
  meter.sample(0, state);
  meter.recordVideo(10, true, 1000);
  meter.recordVideo(10, true, 3000);
  for (let i = 0; i < 13; i++) meter.recordVideo(10, false, 3000 + i);
  const a = meter.sample(1000, { ...state, bytesSent: 125_000, videoCache: 30 });
  assert.equal(a.videoGOP, 2);
  assert.equal(a.netQualityLevel, 5); // 30 frames at 15 fps: two seconds waiting
  for (let i = 0; i < 15; i++) meter.recordVideo(10, false, 4000 + i);
  const b = meter.sample(2000, { ...state, bytesSent: 375_000, videoCache: 100 });
  assert.equal(b.netJitter, 1000); // 1000 kbps then 2000 kbps
  assert.equal(b.netQualityLevel, 6);
});
