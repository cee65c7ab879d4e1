import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkWriter } from '../../src/rtmp/chunk-writer.js';
import { ChunkReader } from '../../src/rtmp/chunk-reader.js';
import { MessageType, setChunkSizeMessage, type OutgoingMessage, type RtmpMessage } from '../../src/rtmp/message.js';
import { FormatError } from '../../src/media/errors.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function rng(seed: number) {
  return () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

function bytes(n: number, fill: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + fill) & 0xff);
}

/** Feeds `data` to a reader in pieces whose sizes `size()` chooses; returns what it assembled. */
function readAll(data: Uint8Array, size: () => number): RtmpMessage[] {
  const out: RtmpMessage[] = [];
  const reader = new ChunkReader((m) => out.push(m));
  for (let pos = 0; pos < data.length; ) {
    const n = Math.max(1, Math.min(size(), data.length - pos));
    reader.push(data.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

test('chunk writer golden bytes: type 0 then type 1, 2 and 3 headers (RTMP §5.3.1.2)', () => {
  const w = new ChunkWriter();
  const m = (timestamp: number, len: number, typeId = MessageType.Audio): OutgoingMessage => ({
    csid: 4, typeId, streamId: 1, timestamp, payload: new Uint8Array(len),
  });
  assert.equal(hex(w.write(m(1000, 2))), '04' + '0003e8' + '000002' + '08' + '01000000' + '0000');
  assert.equal(hex(w.write(m(1020, 3))), '44' + '000014' + '000003' + '08' + '000000');
  assert.equal(hex(w.write(m(1050, 3))), '84' + '00001e' + '000000');
  assert.equal(hex(w.write(m(1080, 3))), 'c4' + '000000');
  // 2- and 3-byte chunk stream ids (§5.3.1.1): 64+b1, and 64 + b1 + b2*256
  assert.equal(hex(w.write({ ...m(0, 0), csid: 100 }).subarray(0, 2)), '0024');
  assert.equal(hex(w.write({ ...m(0, 0), csid: 400 }).subarray(0, 3)), '015001');
});

test('chunk writer splits at the chunk size and repeats the extended timestamp in type 3 chunks', () => {
  const w = new ChunkWriter();
  const out = w.write({ csid: 6, typeId: MessageType.Video, streamId: 1, timestamp: 0x1000000, payload: bytes(300, 1) });
  // type 0 header with 0xFFFFFF, extended 0x01000000, 128 bytes, then c6 + extended, 128, c6 + extended, 44
  assert.equal(hex(out.subarray(0, 16)), '06' + 'ffffff' + '00012c' + '09' + '01000000' + '01000000');
  assert.equal(hex(out.subarray(16 + 128, 16 + 128 + 5)), 'c6' + '01000000');
  assert.equal(out.length, 16 + 128 + 5 + 128 + 5 + 44);
});

test('chunk streams round-trip through the reader fed in uneven pieces', () => {
  const random = rng(7);
  const w = new ChunkWriter();
  const parts: Uint8Array[] = [];
  const sent: RtmpMessage[] = [];
  const send = (msg: OutgoingMessage) => {
    parts.push(w.write(msg));
    sent.push({ typeId: msg.typeId, streamId: msg.streamId, timestamp: msg.timestamp % 2 ** 32, payload: msg.payload });
  };
  let t = 0xfffff0; // crosses into extended timestamps on the way
  for (let i = 0; i < 400; i++) {
    if (i === 150) {
      send(setChunkSizeMessage(4096));
      w.setChunkSize(4096);
    }
    const csid = [3, 4, 6, 70, 1000][i % 5]!;
    t += Math.floor(random() * 40);
    const len = Math.floor(random() * (i % 7 === 0 ? 20000 : 300));
    const typeId = csid === 4 ? MessageType.Audio : MessageType.Video;
    send({ csid, typeId, streamId: i % 11 === 0 ? 0 : 1, timestamp: i % 50 === 0 ? t + 0x7000000 : t, payload: bytes(len, i) });
  }
  const data = concat(parts);
  for (const size of [() => 1, () => 7, () => 1 + Math.floor(random() * 5000), () => data.length]) {
    const got = readAll(data, size);
    assert.equal(got.length, sent.length);
    got.forEach((m, i) => {
      const want = sent[i]!;
      assert.equal(m.timestamp, want.timestamp, `message ${i} timestamp`);
      assert.equal(m.typeId, want.typeId);
      assert.equal(m.streamId, want.streamId);
      assert.deepEqual(m.payload, want.payload, `message ${i} payload`);
    });
  }
});

test('timestamps past 2^32 wrap, and deltas of 0xFFFFFF or more use the extended field', () => {
  const w = new ChunkWriter();
  const msgs = [0, 0xffffff, 0x1fffffe, 2 ** 32 + 5].map((timestamp) => w.write({ csid: 4, typeId: 8, streamId: 1, timestamp, payload: bytes(3, 0) }));
  const got = readAll(concat(msgs), () => 2);
  assert.deepEqual(got.map((m) => m.timestamp), [0, 0xffffff, 0x1fffffe, 5]);
});

test('abort discards the partial message of a chunk stream', () => {
  const w = new ChunkWriter();
  const big = w.write({ csid: 6, typeId: 9, streamId: 1, timestamp: 0, payload: bytes(300, 3) });
  const partial = big.subarray(0, 12 + 128); // first chunk only
  const abort = w.write({ csid: 2, typeId: MessageType.Abort, streamId: 0, timestamp: 0, payload: Uint8Array.of(0, 0, 0, 6) });
  const next = new ChunkWriter().write({ csid: 6, typeId: 9, streamId: 1, timestamp: 40, payload: bytes(10, 9) });
  const got = readAll(concat([partial, abort, next]), () => 5);
  assert.deepEqual(got.map((m) => [m.typeId, m.payload.length]), [[MessageType.Abort, 4], [9, 10]]);
});

test('the reader refuses oversized messages and headers that cannot start a stream', () => {
  const reader = new ChunkReader(() => {}, { maxMessageSize: 1000 });
  assert.throws(() => reader.push(Uint8Array.from([0x04, 0, 0, 0, 0, 0x10, 0, 8, 1, 0, 0, 0])), FormatError);
  assert.throws(() => new ChunkReader(() => {}).push(Uint8Array.of(0xc4)), FormatError);
});

test('random bytes into the chunk reader end in a FormatError or nothing, never a hang or a crash', () => {
  const random = rng(99);
  for (let i = 0; i < 3000; i++) {
    const reader = new ChunkReader(() => {}, { maxMessageSize: 1 << 16 });
    const data = Uint8Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256));
    try {
      reader.push(data);
    } catch (e) {
      assert.ok(e instanceof FormatError, String(e));
    }
  }
});

test('chunk writer with reuseOutput: the same bytes, in one array reused by every message', () => {
  const fresh = new ChunkWriter();
  const reused = new ChunkWriter({ reuseOutput: true });
  const random = rng(7);
  let previous: Uint8Array | undefined;
  for (let i = 0; i < 50; i++) {
    const msg: OutgoingMessage = { csid: 4 + (i % 3), typeId: MessageType.Video, streamId: 1, timestamp: i * 40, payload: bytes(Math.floor(random() * 10000), i) };
    const got = reused.write(msg);
    assert.equal(hex(got), hex(fresh.write(msg)));
    if (previous && got.length <= previous.buffer.byteLength) assert.equal(got.buffer, previous.buffer);
    previous = got;
  }
});
