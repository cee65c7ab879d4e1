import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Amf0EcmaArray, decodeAmf0, encodeAmf0 } from '../src/media/amf0.js';
import { FormatError } from '../src/media/errors.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('AMF0 golden bytes for each type (AMF0 spec §2)', () => {
  assert.equal(hex(encodeAmf0(1)), '003ff0000000000000');
  assert.equal(hex(encodeAmf0(true, false)), '01010100');
  assert.equal(hex(encodeAmf0('connect')), '0200' + '07' + hex(new TextEncoder().encode('connect')));
  assert.equal(hex(encodeAmf0(null, undefined)), '0506');
  assert.equal(hex(encodeAmf0({ a: 1 })), '03' + '0001' + '61' + '003ff0000000000000' + '000009');
  assert.equal(hex(encodeAmf0(new Amf0EcmaArray({ a: true }))), '08' + '00000001' + '000161' + '0101' + '000009');
  assert.equal(hex(encodeAmf0([1, 'x'])), '0a' + '00000002' + '003ff0000000000000' + '0200' + '0178');
  assert.equal(hex(encodeAmf0(new Date(0))), '0b' + '0000000000000000' + '0000');
  const long = 'y'.repeat(70000);
  const enc = encodeAmf0(long);
  assert.equal(hex(enc.subarray(0, 5)), '0c' + (70000).toString(16).padStart(8, '0'));
});

test('AMF0 round-trips an RTMP connect command', () => {
  const values = [
    'connect',
    1,
    { app: 'live', flashVer: 'FMLE/3.0', tcUrl: 'rtmp://h/live', fpad: false, capabilities: 15, audioCodecs: 3191, n: null },
    new Amf0EcmaArray({ duration: 0, width: 640, encoder: 'live-pusher', nested: { deep: [1, 2, { x: 'é' }] } }),
    new Date(1700000000000),
    undefined,
    'z'.repeat(65536),
  ];
  assert.deepEqual(decodeAmf0(encodeAmf0(...values)), values);
});

test('AMF0 keys named __proto__ stay ordinary data', () => {
  const bytes = Uint8Array.from([0x03, 0x00, 0x09, ...new TextEncoder().encode('__proto__'), 0x05, 0x00, 0x00, 0x09]);
  const [obj] = decodeAmf0(bytes) as [Record<string, unknown>];
  assert.equal(Object.getPrototypeOf(obj), Object.prototype);
  assert.ok(Object.hasOwn(obj, '__proto__'));
});

test('AMF0 typed errors on bad input', () => {
  assert.throws(() => decodeAmf0(Uint8Array.from([0x42])), FormatError);
  assert.throws(() => decodeAmf0(Uint8Array.from([0x00, 0x3f])), FormatError);
  assert.throws(() => decodeAmf0(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff])), FormatError);
  assert.throws(() => decodeAmf0(Uint8Array.from([0x02, 0x00, 0x02, 0xc3, 0x28])), FormatError);
  const deep = new Uint8Array(200).fill(0x0a);
  assert.throws(() => decodeAmf0(deep), FormatError);
});

test('AMF0 decoder: random bytes end in a value list or a FormatError, never anything else', () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let i = 0; i < 5000; i++) {
    const len = 1 + (rand() % 64);
    const bytes = new Uint8Array(len);
    for (let j = 0; j < len; j++) bytes[j] = i % 3 === 0 ? rand() % 16 : rand();
    try {
      decodeAmf0(bytes);
    } catch (e) {
      assert.ok(e instanceof FormatError, `input ${hex(bytes)} threw ${String(e)}`);
    }
  }
});
