import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, ByteWriter, BitReader, BitWriter } from '../src/media/bytes/index.js';
import { TruncatedError } from '../src/media/errors.js';

test('ByteWriter writes each width in its named byte order', () => {
  const w = new ByteWriter(1);
  w.writeU8(0x01).writeU16BE(0x0203).writeU24BE(0x040506).writeU32BE(0x0708090a).writeU32LE(0x0d0c0b0a);
  w.writeS24BE(-2).writeF64BE(1);
  assert.deepEqual(
    [...w.toBytes()],
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 11, 12, 13, 0xff, 0xff, 0xfe, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0],
  );
});

test('ByteReader reads back what ByteWriter wrote, and throws TruncatedError past the end', () => {
  const w = new ByteWriter();
  w.writeU8(200).writeU16BE(65535).writeU24BE(0xabcdef).writeS24BE(-8388608).writeU32BE(0xdeadbeef);
  w.writeU32LE(0x12345678).writeF64BE(-3.25).writeS16BE(-300);
  const r = new ByteReader(w.toBytes());
  assert.equal(r.readU8(), 200);
  assert.equal(r.readU16BE(), 65535);
  assert.equal(r.readU24BE(), 0xabcdef);
  assert.equal(r.readS24BE(), -8388608);
  assert.equal(r.readU32BE(), 0xdeadbeef);
  assert.equal(r.readU32LE(), 0x12345678);
  assert.equal(r.readF64BE(), -3.25);
  assert.equal(r.readS16BE(), -300);
  assert.equal(r.remaining, 0);
  assert.throws(() => r.readU8(), TruncatedError);
});

test('ByteWriter refuses values that do not fit', () => {
  const w = new ByteWriter();
  assert.throws(() => w.writeU8(256), RangeError);
  assert.throws(() => w.writeU24BE(-1), RangeError);
  assert.throws(() => w.writeS24BE(0x800000), RangeError);
  assert.throws(() => w.writeU32BE(1.5), RangeError);
});

test('BitWriter and BitReader round-trip fields and Exp-Golomb codes', () => {
  const w = new BitWriter(1);
  w.writeBits(5, 3).writeFlag(true).writeBits(0xffffffff, 32).writeUE(0).writeUE(7).writeSE(-3).writeSE(4);
  w.writeBits(0x1abc, 13);
  const bytes = w.toBytes();
  const r = new BitReader(bytes);
  assert.equal(r.readBits(3), 5);
  assert.equal(r.readFlag(), true);
  assert.equal(r.readBits(32), 0xffffffff);
  assert.equal(r.readUE(), 0);
  assert.equal(r.readUE(), 7);
  assert.equal(r.readSE(), -3);
  assert.equal(r.readSE(), 4);
  assert.equal(r.readBits(13), 0x1abc);
  assert.ok(r.bitsLeft < 8);
});

test('Exp-Golomb golden bits (H.264 Table 9-2)', () => {
  // ue: 0 -> 1, 1 -> 010, 2 -> 011, 3 -> 00100
  const w = new BitWriter();
  w.writeUE(0).writeUE(1).writeUE(2).writeUE(3).byteAlign();
  assert.deepEqual([...w.toBytes()], [0b10100110, 0b01000000]);
});

test('BitReader refuses to read past the end and bounds Exp-Golomb prefixes', () => {
  assert.throws(() => new BitReader(new Uint8Array([0xff])).readBits(9), TruncatedError);
  assert.throws(() => new BitReader(new Uint8Array(8)).readUE(), /Exp-Golomb|bit/);
});
