/** The filter looks as data: standard is the identity, every look is distinct, lookup images parse. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PUSHER_FILTERS } from '../../src/core/attributes.js';
import { buildLut, filterLut, LUT_SIZE, lutFromImage } from '../../src/browser/effects/filters.js';

/** Mean absolute difference per channel (0–255) between two tables. */
function distance(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) sum += Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!);
  return sum / ((a.length / 4) * 3);
}

test('standard is the identity table', () => {
  const lut = filterLut('standard');
  assert.equal(lut.length, LUT_SIZE ** 3 * 4);
  for (let b = 0, i = 0; b < LUT_SIZE; b++)
    for (let g = 0; g < LUT_SIZE; g++)
      for (let r = 0; r < LUT_SIZE; r++, i += 4) {
        assert.deepEqual([lut[i], lut[i + 1], lut[i + 2]], [r, g, b].map((v) => Math.round((v / (LUT_SIZE - 1)) * 255)));
      }
});

test('the eleven looks differ from each other by at least 6/255 on average', () => {
  const tables = PUSHER_FILTERS.map((f) => [f, filterLut(f)] as const);
  for (let i = 0; i < tables.length; i++)
    for (let j = i + 1; j < tables.length; j++) {
      const d = distance(tables[i]![1], tables[j]![1]);
      assert.ok(d >= 6, `${tables[i]![0]} vs ${tables[j]![0]}: ${d.toFixed(1)}`);
    }
});

test('a 512×512 identity lookup image gives the identity 64³ table', () => {
  const px = new Uint8Array(512 * 512 * 4);
  for (let y = 0; y < 512; y++)
    for (let x = 0; x < 512; x++) {
      const b = Math.floor(y / 64) * 8 + Math.floor(x / 64);
      const p = (y * 512 + x) * 4;
      px.set([((x % 64) * 255) / 63, ((y % 64) * 255) / 63, (b * 255) / 63, 255].map(Math.round), p);
    }
  const lut = lutFromImage(px, 512, 512);
  const identity = buildLut({}, 64);
  assert.equal(distance(lut, identity), 0);
  assert.throws(() => lutFromImage(px, 256, 256), /512×512/);
});
