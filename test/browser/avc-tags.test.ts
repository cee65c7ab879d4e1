/**
 * FLV NALU tag bodies from encoder chunks (src/browser/media/avc-tags.ts), in Node: the splice
 * places SEI after leading non-VCL NAL units and before the first slice (H.264 §7.4.1.2.3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNaluTagBody } from '../../src/browser/media/avc-tags.js';
import { nalUnitsToAvcc, splitAvcc } from '../../src/media/avc/nal.js';
import { buildUserDataUnregisteredSei, findUserDataUnregistered } from '../../src/media/avc/sei.js';
import { parseAvcVideoTag } from '../../src/media/flv/video.js';

const chunkOf = (bytes: Uint8Array) => ({ byteLength: bytes.length, copyTo: (d: Uint8Array) => d.set(bytes) });
const types = (sample: Uint8Array, lengthSize: 1 | 2 | 4 = 4) => splitAvcc(sample, lengthSize).map((n) => n[0]! & 0x1f);
const uuid = new Uint8Array(16).fill(7);

test('NALU tag body without SEI is the header and the chunk unchanged', () => {
  const au = nalUnitsToAvcc([Uint8Array.of(0x65, 1, 2, 3)]);
  const body = buildNaluTagBody(chunkOf(au), true, [], 4);
  assert.deepEqual([...body.subarray(0, 5)], [0x17, 1, 0, 0, 0]);
  const tag = parseAvcVideoTag(body);
  assert.ok(tag.kind === 'nalu' && tag.keyframe && tag.compositionTime === 0);
  assert.deepEqual(tag.data, au);
  assert.equal(buildNaluTagBody(chunkOf(au), false, [], 4)[0], 0x27);
});

test('SEI goes before the first slice, after an AUD/SPS/PPS prefix, with 4- and 2-byte lengths', () => {
  const sei = [buildUserDataUnregisteredSei(uuid, 'one'), buildUserDataUnregisteredSei(uuid, 'two')];
  for (const lengthSize of [4, 2] as const) {
    const plain = nalUnitsToAvcc([Uint8Array.of(0x41, 9, 9)], lengthSize);
    const tag1 = parseAvcVideoTag(buildNaluTagBody(chunkOf(plain), false, sei, lengthSize));
    assert.ok(tag1.kind === 'nalu');
    assert.deepEqual(types(tag1.data, lengthSize), [6, 6, 1]);
    const prefixed = nalUnitsToAvcc([Uint8Array.of(0x09, 0xf0), Uint8Array.of(0x67, 0x42, 0, 0x1f), Uint8Array.of(0x68, 0xce), Uint8Array.of(0x65, 8, 8)], lengthSize);
    const tag2 = parseAvcVideoTag(buildNaluTagBody(chunkOf(prefixed), true, sei, lengthSize));
    assert.ok(tag2.kind === 'nalu');
    assert.deepEqual(types(tag2.data, lengthSize), [9, 7, 8, 6, 6, 5]);
    const texts = splitAvcc(tag2.data, lengthSize)
      .filter((n) => (n[0]! & 0x1f) === 6)
      .flatMap((n) => findUserDataUnregistered(n, uuid).map((m) => new TextDecoder().decode(m.data)));
    assert.deepEqual(texts, ['one', 'two']);
    assert.deepEqual(splitAvcc(tag2.data, lengthSize).at(-1), Uint8Array.of(0x65, 8, 8));
  }
});
