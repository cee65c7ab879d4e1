import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RECONNECT_DEFAULTS, ReconnectPolicy } from '../../src/core/reconnect.js';

function drain(policy: ReconnectPolicy, clock: { t: number }, connectMs = 0): number[] {
  const delays: number[] = [];
  for (let d = policy.next(); d !== undefined; d = policy.next()) {
    delays.push(d);
    clock.t += d + connectMs;
  }
  return delays;
}

test('defaults: 5 attempts, doubling delays capped at 8 s, within 30 s', () => {
  assert.deepEqual(RECONNECT_DEFAULTS, { maxAttempts: 5, initialDelayMs: 1000, multiplier: 2, maxDelayMs: 8000, jitter: 0.5, budgetMs: 30_000 });
  const cases: [random: number, connectMs: number, delays: number[]][] = [
    [0, 0, [1000, 2000, 4000, 8000, 8000]], // no jitter taken off: the ceilings
    [0.999999, 0, [500, 1000, 2000, 4000, 4000]], // the most jitter: half
    [0.5, 0, [750, 1500, 3000, 6000, 6000]],
    [0, 2000, [1000, 2000, 4000, 8000]], // slow connection attempts use up the budget first
  ];
  for (const [random, connectMs, delays] of cases) {
    const clock = { t: 1000 };
    const policy = new ReconnectPolicy({ random: () => random, now: () => clock.t });
    assert.deepEqual(drain(policy, clock, connectMs), delays, `random ${random}, connect ${connectMs} ms`);
    assert.equal(policy.next(), undefined, 'stays given up');
  }
});

test('jitter stays within [d/2, d] with a real random source', () => {
  const policy = new ReconnectPolicy({ maxAttempts: 1000, budgetMs: Number.MAX_SAFE_INTEGER, now: () => 0 });
  for (let i = 0; i < 200; i++) {
    const d = policy.next()!;
    const ceiling = Math.min(8000, 1000 * 2 ** i);
    assert.ok(d >= ceiling / 2 && d <= ceiling, `${d} in [${ceiling / 2}, ${ceiling}]`);
  }
});

test('success resets attempts and budget', () => {
  const clock = { t: 0 };
  const policy = new ReconnectPolicy({ random: () => 0, now: () => clock.t });
  assert.equal(policy.next(), 1000);
  assert.equal(policy.next(), 2000);
  assert.equal(policy.attempts, 2);
  clock.t += 60_000;
  policy.succeeded();
  assert.equal(policy.attempts, 0);
  assert.equal(policy.next(), 1000, 'first delay again, fresh budget');
  policy.reset();
  assert.deepEqual(drain(policy, clock), [1000, 2000, 4000, 8000, 8000]);
});

test('custom options and bad options', () => {
  const policy = new ReconnectPolicy({ maxAttempts: 3, initialDelayMs: 100, multiplier: 3, maxDelayMs: 500, jitter: 0, now: () => 0 });
  assert.deepEqual([policy.next(), policy.next(), policy.next(), policy.next()], [100, 300, 500, undefined]);
  assert.equal(new ReconnectPolicy({ maxAttempts: 0 }).next(), undefined);
  assert.equal(new ReconnectPolicy({ maxAttempts: undefined, random: () => 0 }).next(), 1000, 'undefined options take the default');
  assert.throws(() => new ReconnectPolicy({ jitter: 2 }), RangeError);
  assert.throws(() => new ReconnectPolicy({ maxAttempts: -1 }), /maxAttempts/);
  assert.throws(() => new ReconnectPolicy({ budgetMs: Number.NaN }), /budgetMs/);
  // A random source outside [0, 1) cannot push a delay out of range.
  assert.equal(new ReconnectPolicy({ random: () => 7, now: () => 0 }).next(), 500);
});
