/**
 * Timing helpers of the browser pipeline, in Node: the session clock's FLV timestamps, the
 * foreign-clock mapper, and the frame-rate limiter (src/browser/media/clock.ts, frame-source.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClockMapper, SessionClock } from '../../src/browser/media/clock.js';
import { RateLimiter } from '../../src/browser/media/frame-source.js';

/** Frames passed by a limiter at `fps` out of a camera at `cameraFps` with ±`jitterMs`, over `seconds`. */
function passed(fps: number, cameraFps: number, seconds: number, jitterMs = 0): number[] {
  const limiter = new RateLimiter(fps);
  const out: number[] = [];
  let seed = 7;
  for (let i = 0; i < cameraFps * seconds; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const jitter = ((seed >>> 16) / 65536 - 0.5) * 2 * jitterMs;
    const us = 5_000_000 + (i * 1e6) / cameraFps + jitter * 1000;
    if (limiter.accept(us)) out.push(us);
  }
  return out;
}

test('RateLimiter thins evenly: 20 → 15, 30 → 15, 30 → 10, 15 → 15 with jitter, 10 → 15 passes all', () => {
  assert.equal(passed(15, 20, 10).length, 150);
  assert.equal(passed(15, 30, 10).length, 150);
  assert.equal(passed(10, 30, 10).length, 100);
  assert.equal(passed(15, 15, 10, 3).length, 150);
  assert.equal(passed(15, 10, 10).length, 100);
  // 20 → 15: no gap longer than two camera frames.
  const times = passed(15, 20, 10);
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  assert.ok(Math.max(...gaps) <= 100_001, `largest gap ${Math.max(...gaps)} µs`);
});

test('RateLimiter after a stall restarts the schedule instead of bursting', () => {
  const limiter = new RateLimiter(15);
  assert.ok(limiter.accept(0));
  assert.ok(limiter.accept(66_667));
  // One second with no frames, then a 30 fps burst: only every other frame passes.
  const burst = Array.from({ length: 10 }, (_, i) => 1_066_667 + i * 33_333).filter((us) => limiter.accept(us));
  assert.equal(burst.length, 5);
});

test('ClockMapper: least delayed arrival wins, output never goes back', () => {
  const m = new ClockMapper();
  // Foreign stamps 1000 s ahead; arrivals delayed 30, 5, 12 ms.
  assert.equal(m.map(1_000_000_000, 30_000), 30_000);
  assert.equal(m.map(1_000_050_000, 55_000), 55_000); // offset tightens to −999 995 000 µs
  assert.equal(m.map(1_000_100_000, 112_000), 105_000);
  // A stamp mapping before the previous output is nudged after it.
  assert.equal(m.map(1_000_049_000, 200_000), 105_001);
});

test('SessionClock: FLV ms from the origin, first use fixes it, isBeforeOrigin', () => {
  const c = new SessionClock();
  assert.equal(c.origin, null);
  assert.equal(c.isBeforeOrigin(0), false);
  assert.equal(c.flvTimestamp(2_000_000), 0);
  assert.equal(c.origin, 2_000_000);
  assert.equal(c.flvTimestamp(2_033_400), 33);
  assert.equal(c.flvTimestamp(1_990_000), 0, 'clamped');
  assert.equal(c.isBeforeOrigin(1_999_600), false, 'within half a millisecond');
  assert.equal(c.isBeforeOrigin(1_999_400), true);
  c.setOrigin(0);
  assert.equal(c.flvTimestamp(0xffffffff * 1000 + 5000), 4, 'wraps at 2^32 ms like RTMP timestamps');
});
