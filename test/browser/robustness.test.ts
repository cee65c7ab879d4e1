/**
 * The H.264 encoder and the WebGL2 stage under load, reconfiguration and failure, in headless
 * Chromium: realtime dropping, bitrate changes without a restart, restart (1104) and give-up
 * (−1303) after injected encoder errors, WebGL context loss and restore.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvcDecoderConfigurationRecord } from '../../src/media/avc/config-record.js';
import { parseSps } from '../../src/media/avc/sps.js';
import { sharedTestPage } from './harness.js';

const tp = sharedTestPage('test/browser/robustness.page.ts');

const call = <T>(name: string, ...args: unknown[]): Promise<T> =>
  tp().page.evaluate(([n, a]) => (globalThis as unknown as Record<string, (...x: unknown[]) => Promise<T>>)[n as string]!(...(a as unknown[])), [name, args] as const);

test('a burst beyond the encoder queue is dropped, every frame closed', async () => {
  const r = await call<{ stats: { encoded: number; dropped: number; output: number }; closed: number; frames: number; firstKey: boolean }>('encoderBurst');
  assert.equal(r.closed, 30, 'encode() closes every frame it is given');
  assert.equal(r.stats.encoded + r.stats.dropped, 30);
  assert.ok(r.stats.dropped > 0, `nothing dropped: ${JSON.stringify(r.stats)}`);
  assert.equal(r.frames, r.stats.encoded, 'one tag per encoded frame');
  assert.ok(r.firstKey, 'the first frame out is a key frame');
  console.log(`burst of 30: ${r.stats.encoded} encoded, ${r.stats.dropped} dropped`);
});

test('setBitrate reconfigures without restarting: one sequence header, lower rate after', async () => {
  const r = await call<{ headers: number; events: string[]; kbpsBefore: number; kbpsAfter: number; frames: number }>('bitrateChange');
  assert.equal(r.headers, 1, 'no second sequence header');
  assert.ok(!r.events.includes('restarted'), `events: ${r.events.join(',')}`);
  assert.equal(r.frames, 120);
  assert.ok(r.kbpsAfter < r.kbpsBefore * 0.5, `before ${r.kbpsBefore.toFixed(0)} kbit/s, after ${r.kbpsAfter.toFixed(0)} kbit/s`);
  assert.ok(r.kbpsAfter < 450, `after the change ${r.kbpsAfter.toFixed(0)} kbit/s for a 300 kbit/s target`);
  console.log(`bitrate: ${r.kbpsBefore.toFixed(0)} kbit/s → ${r.kbpsAfter.toFixed(0)} kbit/s`);
});

test('encoder errors restart it with a key frame (1104), then give up with −1303', async () => {
  const r = await call<{ events: string[]; failedCode: number | null; keyAfterRestart: boolean[]; stats: unknown }>('encoderRestart', 5, 30);
  assert.deepEqual(
    r.events.filter((e) => e !== 'software-fallback' && e !== 'started'),
    ['restarted', 'restarted', 'failed'],
    JSON.stringify(r),
  );
  assert.equal(r.failedCode, -1303);
  assert.ok(r.keyAfterRestart.length >= 1 && r.keyAfterRestart.every(Boolean), `key frames after restarts: ${JSON.stringify(r.keyAfterRestart)}`);
});

test('WebGL context loss: reported, typed error while lost, works again after restore', async () => {
  const r = await call<{ lost: string[]; whileLost: string; snapshotWhileLost: string; restored: number; afterRestore: number }>('contextLoss');
  assert.deepEqual(r.lost, ['VideoStageError:context-lost']);
  assert.equal(r.whileLost, 'VideoStageError:context-lost');
  assert.equal(r.snapshotWhileLost, 'context-lost');
  assert.equal(r.restored, 1);
  assert.equal(r.afterRestore, 1000);
});

test('setSize: a new sequence header with the new size, then a key frame', async () => {
  const r = await call<{ headers: number[][]; frames: number; keyAfter: boolean | null; events: string[]; codec: string }>('sizeChange');
  // Chromium's second record lists the old SPS and the new one (another seq_parameter_set_id).
  const sizes = r.headers.map((h) =>
    parseAvcDecoderConfigurationRecord(Uint8Array.from(h)).sps.map((nal) => {
      const sps = parseSps(nal);
      return `${sps.width}x${sps.height}`;
    }),
  );
  assert.equal(sizes.length, 2);
  assert.deepEqual(sizes[0], ['360x640']);
  assert.ok(sizes[1]!.includes('640x360'), JSON.stringify(sizes));
  assert.equal(r.frames, 20);
  assert.equal(r.keyAfter, true);
  assert.ok(!r.events.includes('restarted'), r.events.join(','));
});

test('a stopped camera track ends the frame source (status 5001), on both paths', async () => {
  for (const kind of ['track-processor', 'video-element']) {
    const r = await call<{ delivered: number; afterEnd: number; ended: string[] }>('frameSourceEnd', kind);
    assert.ok(r.delivered >= 4, `${kind}: ${r.delivered} frames in 0.5 s`);
    assert.deepEqual(r.ended, ['track-ended'], kind);
    assert.equal(r.afterEnd, 0, kind);
  }
});

test('microphone: level meter, mute to silence, volume 0.1 lowers the level ~20 dB; a −20 dB effect lowers the pushed sound, not the meter', async () => {
  const r = await call<{ running: boolean; tapKind: string; full: number; muted: number; tenth: number; effectMeter: number; effect: number; restored: number; blocks: number; monotonic: boolean }>(
    'micControls',
  );
  assert.equal(r.running, true);
  assert.equal(r.tapKind, 'audio-worklet');
  assert.ok(r.full > 50, `level with the beep ${r.full}`);
  assert.equal(r.muted, 0);
  // −20 dB is 20/60 of the meter's range: about 33 points lower.
  assert.ok(Math.abs(r.full - r.tenth - 33) <= 6, `full ${r.full}, at 0.1 ${r.tenth}`);
  assert.ok(Math.abs(r.effect + 20) <= 1, `−20 dB effect: pushed peak ${r.effect.toFixed(2)} dB`);
  assert.ok(Math.abs(r.restored) <= 1, `effects removed: pushed peak ${r.restored.toFixed(2)} dB`);
  assert.ok(Math.abs(r.effectMeter - r.full) <= 6, `the meter is the microphone's, before effects: ${r.effectMeter} with the effect, ${r.full} without`);
  assert.ok(r.blocks > 150 && r.monotonic, `${r.blocks} blocks, monotonic ${r.monotonic}`);
  console.log(`mic level: full ${r.full}, muted ${r.muted}, volume 0.1 ${r.tenth}; −20 dB effect: meter ${r.effectMeter}, pushed ${r.effect.toFixed(2)} dB; effects cleared ${r.restored.toFixed(2)} dB`);
});

test('H.264 profiles: baseline, main and high come out as asked (profile_idc 66, 77, 100)', async () => {
  const r = await call<Record<string, { codec: string; profileIdc: number | null }>>('profiles');
  assert.deepEqual(
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, [v.codec, v.profileIdc]])),
    { baseline: ['avc1.42001f', 66], main: ['avc1.4d001f', 77], high: ['avc1.64001f', 100] },
  );
});
