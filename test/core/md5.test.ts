import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { md5Hex } from '../../src/core/md5.js';

test('md5Hex matches node:crypto across padding boundaries', () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_003]) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 255);
    assert.equal(md5Hex(bytes), createHash('md5').update(bytes).digest('hex'), `${n} bytes`);
  }
  assert.equal(md5Hex(new TextEncoder().encode('abc')), '900150983cd24fb0d6963f7d28e17f72');
});
