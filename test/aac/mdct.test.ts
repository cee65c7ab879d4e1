import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mdct } from '../../src/media/aac/mdct.js';
import { LONG_HALVES, SHORT_HALVES } from '../../src/media/aac/windows.js';

/** The §4.6.11.2 definition, evaluated directly in O(N²). */
function directMdct(z: Float64Array): Float64Array {
  const N = z.length;
  const n0 = (N / 2 + 1) / 2;
  const X = new Float64Array(N / 2);
  for (let k = 0; k < N / 2; k++) {
    let s = 0;
    for (let n = 0; n < N; n++) s += z[n]! * Math.cos(((2 * Math.PI) / N) * (n + n0) * (k + 0.5));
    X[k] = 2 * s;
  }
  return X;
}

function seededNoise(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

for (const size of [2048, 256]) {
  test(`MDCT of length ${size} matches the direct O(N²) definition`, () => {
    const z = seededNoise(size, size);
    const fast = new Float64Array(size / 2);
    new Mdct(size).forward(z, fast);
    const ref = directMdct(z);
    let err = 0;
    let mag = 0;
    for (let k = 0; k < size / 2; k++) {
      err = Math.max(err, Math.abs(fast[k]! - ref[k]!));
      mag = Math.max(mag, Math.abs(ref[k]!));
    }
    assert.ok(err < mag * 1e-12, `max error ${err} against peak ${mag}`);
  });
}

test('sine and KBD windows satisfy the Princen-Bradley condition', () => {
  for (const half of [...LONG_HALVES, ...SHORT_HALVES]) {
    const n = half.length;
    for (let i = 0; i < n; i++) {
      const sum = half[i]! ** 2 + half[n - 1 - i]! ** 2;
      assert.ok(Math.abs(sum - 1) < 1e-12, `w²[${i}] + w²[${i + n}] = ${sum}`);
    }
  }
});
