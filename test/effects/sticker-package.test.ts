/** Sticker zip packages (sticker-package.ts): frames found by name, corrupt packages and missing frames named. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync } from 'fflate';
import { frameEntries, imageType, isZip, packageFrames, unzipPackage } from '../../src/browser/effects/sticker-package.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

test('frames are {title}_{index}.{ext} in any folder and any image type; the shallowest wins', () => {
  const names = ['cat/cat_0.png', 'cat/cat_1.JPG', 'cat_1.webp', 'cat/cat_2.gif', 'cat/cat_3.txt', 'dog_0.png', 'cat/xcat_0.png', 'readme.md'];
  assert.deepEqual(frameEntries(names, 'cat', 3), ['cat/cat_0.png', 'cat_1.webp', 'cat/cat_2.gif']);
  // A title with regular-expression characters is a plain name.
  assert.deepEqual(frameEntries(['a.b+c_0.png'], 'a.b+c', 1), ['a.b+c_0.png']);
  assert.throws(() => frameEntries(['ab+c_0.png'], 'a.b+c', 1), /no frame a\.b\+c_0/);
});

test('missing frames are named', () => {
  assert.throws(() => frameEntries(['cat_0.png', 'cat_2.png', 'cat_3.txt'], 'cat', 4), /^Error: the package has no frame cat_1, cat_3 \(/);
  assert.throws(() => frameEntries([], 'cat', 9), /no frame cat_0, cat_1, cat_2, cat_3, cat_4 \(and 4 more\)/);
});

test('a zip package unpacks to its pictures, looked up with their media types', () => {
  const zip = zipSync({ 'pkg/cat_0.png': bytes(1, 2, 3), 'pkg/cat_1.jpeg': bytes(4, 5), 'pkg/notes.txt': bytes(9) });
  assert.ok(isZip(zip));
  const files = unzipPackage(zip, 'https://x/cat.zip');
  assert.deepEqual([...files.keys()].sort(), ['pkg/cat_0.png', 'pkg/cat_1.jpeg'], 'only pictures are inflated');
  const frames = packageFrames(files, 'cat', 2, 'https://x/cat.zip');
  assert.deepEqual(
    frames.map((f) => [Array.from(f.bytes), f.type]),
    [
      [[1, 2, 3], 'image/png'],
      [[4, 5], 'image/jpeg'],
    ],
  );
  assert.throws(() => packageFrames(files, 'cat', 3, 'https://x/cat.zip'), /^Error: https:\/\/x\/cat\.zip: the package has no frame cat_2/);
});

test('bytes that are no zip, or a corrupt zip, say so', () => {
  assert.ok(!isZip(bytes(0x89, 0x50, 0x4e, 0x47)));
  assert.throws(() => unzipPackage(bytes(0x89, 0x50, 0x4e, 0x47), 'a.zip'), /^Error: a\.zip is not a zip package$/);
  const zip = zipSync({ 'cat_0.png': new Uint8Array(1000).fill(7) });
  // Cut short: the central directory is gone.
  assert.throws(() => unzipPackage(zip.subarray(0, 60), 'cut.zip'), /^Error: cut\.zip is not a readable zip package: /);
  assert.equal(imageType('x/a_0.PNG'), 'image/png');
  assert.equal(imageType('a_0.svg'), undefined);
});
