import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTogether } from './start-together.js';

test('a failed start is thrown only once the other starts have finished, which keep their results', async () => {
  let slow: string | undefined;
  const started = startTogether([
    Promise.reject(new Error('studio failed')),
    new Promise((resolve) => setTimeout(resolve, 50, 'browser')).then((b) => (slow = b as string)),
  ]);
  await assert.rejects(started, /studio failed/);
  assert.equal(slow, 'browser', 'the slow start had finished when the failure was thrown');
});

test('all starts succeeding resolves', async () => {
  await startTogether([Promise.resolve(1), Promise.resolve(2)]);
});
