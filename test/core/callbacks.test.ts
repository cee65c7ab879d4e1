import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MethodCallError,
  invoke,
  parseOptionalTimeMs,
  parseSnapshotOptions,
  parseVolume,
  parseZoom,
  requireString,
  type MethodFailure,
} from '../../src/core/callbacks.js';
import { LivePusherError, StatusCode } from '../../src/core/codes.js';

function recorder() {
  const calls: [string, unknown][] = [];
  return {
    calls,
    options: {
      success: (r: unknown) => calls.push(['success', r]),
      fail: (r: unknown) => calls.push(['fail', r]),
      complete: (r: unknown) => calls.push(['complete', r]),
    },
  };
}

test('success: success then complete with { errMsg: "<method>:ok", ...result }, and the promise resolves to it', async () => {
  const { calls, options } = recorder();
  const result = await invoke('snapshot', options, async () => ({ tempImagePath: 'blob:x', width: 360, height: 640 }));
  assert.deepEqual(result, { errMsg: 'snapshot:ok', tempImagePath: 'blob:x', width: 360, height: 640 });
  assert.deepEqual(Object.keys(result)[0], 'errMsg');
  assert.deepEqual(calls.map((c) => c[0]), ['success', 'complete']);
  assert.equal(calls[0]![1], result);
  assert.equal(calls[1]![1], result);
  // run returning nothing, synchronously
  assert.deepEqual(await invoke('pause', undefined, () => undefined), { errMsg: 'pause:ok' });
  // a field named errMsg cannot override ours
  assert.deepEqual(await invoke('getMaxZoom', null, () => ({ errMsg: 'x', maxZoom: 3 })), { errMsg: 'getMaxZoom:ok', maxZoom: 3 });
});

test('failure: fail then complete with "<method>:fail <reason>", the promise rejects with the same object', async () => {
  const cases: [thrown: unknown, errMsg: string, errCode?: number][] = [
    [new Error('not pushing'), 'resume:fail not pushing'],
    ['plain string', 'resume:fail plain string'],
    [new LivePusherError(StatusCode.ConnectFailed, 'invalid push url'), 'resume:fail invalid push url', 3002],
    [new Error(''), 'resume:fail'],
  ];
  for (const [thrown, errMsg, errCode] of cases) {
    const { calls, options } = recorder();
    const error = await invoke('resume', options, async () => {
      throw thrown;
    }).then(() => assert.fail('resolved'), (e: unknown) => e);
    assert.ok(error instanceof MethodCallError);
    assert.equal(error.message, errMsg);
    assert.equal(error.errMsg, errMsg);
    assert.equal(error.cause, thrown);
    const expected: MethodFailure = errCode === undefined ? { errMsg } : { errMsg, errCode };
    assert.deepEqual(error.result, expected);
    assert.deepEqual(calls, [['fail', error.result], ['complete', error.result]]);
  }
  // run that throws synchronously is a failure too, never a throw from invoke
  const p = invoke('start', {}, () => {
    throw new TypeError('volume must be a number');
  });
  await assert.rejects(p, { message: 'start:fail volume must be a number' });
});

test('a callback that throws breaks neither the other callbacks nor the promise', async () => {
  const reported: unknown[] = [];
  const order: string[] = [];
  const boom = new Error('app bug');
  const ok = await invoke(
    'start',
    { success: () => { order.push('success'); throw boom; }, complete: () => order.push('complete') },
    async () => undefined,
    { reportError: (e) => reported.push(e) },
  );
  assert.deepEqual(ok, { errMsg: 'start:ok' });
  assert.deepEqual(order, ['success', 'complete']);
  assert.equal(reported.length, 1);
  assert.equal(reported[0], boom);

  const failing = invoke(
    'stop',
    { fail: () => { throw boom; }, complete: () => { throw boom; } },
    async () => { throw new Error('nope'); },
    { reportError: (e) => reported.push(e) },
  );
  await assert.rejects(failing, { message: 'stop:fail nope' });
  assert.equal(reported.length, 3);
});

test('non-function callbacks and odd option objects are ignored', async () => {
  const options = { success: 'no', fail: null, complete: 42, volume: 0.5 };
  assert.deepEqual(await invoke('setBGMVolume', options, () => undefined), { errMsg: 'setBGMVolume:ok' });
});

test('callbacks without a promise consumer raise no unhandled rejection when fail or complete is given', async () => {
  let unhandled = 0;
  const onUnhandled = () => unhandled++;
  process.on('unhandledRejection', onUnhandled);
  try {
    let failed = false;
    void invoke('start', { fail: () => (failed = true) }, async () => { throw new Error('x'); });
    void invoke('start', { complete: () => undefined }, async () => { throw new Error('y'); });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(failed, true);
    assert.equal(unhandled, 0);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('default error reporting is asynchronous (a fresh task)', async () => {
  const seen: unknown[] = [];
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  const onUncaught = (e: unknown) => seen.push(e);
  process.on('uncaughtException', onUncaught);
  try {
    const boom = new Error('callback bug');
    await invoke('pause', { success: () => { throw boom; } }, () => undefined);
    assert.deepEqual(seen, [], 'not thrown synchronously');
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(seen, [boom]);
  } finally {
    process.off('uncaughtException', onUncaught);
    for (const l of listeners) process.on('uncaughtException', l);
  }
});

test('parseVolume: number or numeric string, clamped to 0–1', () => {
  const good: [unknown, number][] = [[0, 0], [1, 1], [0.25, 0.25], ['0.5', 0.5], [' 1 ', 1], [2, 1], [-1, 0], ['7', 1]];
  for (const [given, expected] of good) assert.equal(parseVolume(given), expected, String(given));
  for (const bad of [undefined, null, '', ' ', 'loud', Number.NaN, Infinity, {}, true]) {
    assert.throws(() => parseVolume(bad), (e: unknown) => e instanceof TypeError && /^volume must be a number from 0 to 1/.test(e.message), String(bad));
  }
});

test('parseZoom: clamped to 1–maxZoom', () => {
  const cases: [unknown, number, number][] = [[2, 4, 2], ['3', 4, 3], [10, 4, 4], [0, 4, 1], [0.5, 4, 1], [2, 0.5, 1], [1.5, 1, 1]];
  for (const [given, max, expected] of cases) assert.equal(parseZoom(given, max), expected, `${String(given)} max ${max}`);
  assert.throws(() => parseZoom('x', 4), /zoom must be a number from 1 to 4, got "x"/);
});

test('parseOptionalTimeMs and requireString', () => {
  assert.equal(parseOptionalTimeMs(undefined, 'startTimeMs'), undefined);
  assert.equal(parseOptionalTimeMs(1500, 'startTimeMs'), 1500);
  assert.equal(parseOptionalTimeMs('200', 'endTimeMs'), 200);
  assert.throws(() => parseOptionalTimeMs(-1, 'startTimeMs'), /startTimeMs must be/);
  assert.throws(() => parseOptionalTimeMs('soon', 'endTimeMs'), /endTimeMs must be/);
  assert.equal(requireString('https://x/bgm.mp3', 'url'), 'https://x/bgm.mp3');
  for (const bad of [undefined, '', 3]) assert.throws(() => requireString(bad, 'url'), /url must be a non-empty string/);
});

test('parseSnapshotOptions: defaults raw/stream, unknown values refused', () => {
  assert.deepEqual(parseSnapshotOptions(undefined), { quality: 'raw', sourceType: 'stream' });
  assert.deepEqual(parseSnapshotOptions({ quality: 'compressed', sourceType: 'view' }), { quality: 'compressed', sourceType: 'view' });
  assert.throws(() => parseSnapshotOptions({ quality: 'best' }), /quality must be raw or compressed, got "best"/);
  assert.throws(() => parseSnapshotOptions({ sourceType: 1 }), /sourceType must be stream or view, got 1/);
});
