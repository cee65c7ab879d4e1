import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FormatError } from '../../src/media/errors.js';
import { encodeFlvHeader, parseFlvHeader } from '../../src/media/flv/header.js';
import { FlvReader } from '../../src/media/flv/reader.js';
import { FlvTagType, type FlvTag } from '../../src/media/flv/tag.js';
import { encodeFlvTag, FlvWriter, writeFlvFile } from '../../src/media/flv/writer.js';
import { buildAvcVideoTag } from '../../src/media/flv/video.js';
import { buildAacAudioTag } from '../../src/media/flv/audio.js';
import { buildOnMetaData } from '../../src/media/flv/metadata.js';
import { fixture } from '../support/fixtures.js';
import { md5, probePackets, randomBytes, seededRandom } from '../sources/media-tools.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('FLV header golden bytes (§E.2): signature, version 1, TypeFlags, DataOffset 9, PreviousTagSize0', () => {
  assert.equal(hex(encodeFlvHeader({ hasAudio: true, hasVideo: true })), '464c5601' + '05' + '00000009' + '00000000');
  assert.equal(hex(encodeFlvHeader({ hasAudio: false, hasVideo: true })).slice(8, 10), '01');
  assert.equal(hex(encodeFlvHeader({ hasAudio: true, hasVideo: false })).slice(8, 10), '04');
  assert.deepEqual(parseFlvHeader(encodeFlvHeader({ hasAudio: true, hasVideo: false })), {
    version: 1,
    hasAudio: true,
    hasVideo: false,
    dataOffset: 9,
  });
});

test('FLV tag golden bytes (§E.4.1): header, body, PreviousTagSize = 11 + DataSize', () => {
  const tag = encodeFlvTag({ type: FlvTagType.Video, timestamp: 0x01020304, data: Uint8Array.of(0xaa, 0xbb) });
  // TagType 9 | DataSize 2 | Timestamp low 24 bits 020304 | TimestampExtended 01 | StreamID 0 | body | 13
  assert.equal(hex(tag), '09' + '000002' + '020304' + '01' + '000000' + 'aabb' + '0000000d');
});

test('FLV header errors are typed: bad signature, version, DataOffset', () => {
  assert.throws(() => parseFlvHeader(Uint8Array.from([0x46, 0x4c, 0x58, 1, 5, 0, 0, 0, 9])), FormatError);
  assert.throws(() => parseFlvHeader(Uint8Array.from([0x46, 0x4c, 0x56, 2, 5, 0, 0, 0, 9])), /version 2/);
  assert.throws(() => parseFlvHeader(Uint8Array.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 8])), /DataOffset/);
  assert.throws(() => new FlvReader().push(new TextEncoder().encode('GIF8')), /not an FLV stream/);
});

function sampleTags(): FlvTag[] {
  const tags: FlvTag[] = [
    { type: FlvTagType.Script, timestamp: 0, data: buildOnMetaData({ width: 320, height: 240, duration: 1.5 }) },
    { type: FlvTagType.Video, timestamp: 0, data: buildAvcVideoTag({ kind: 'sequence-header', config: Uint8Array.of(1, 0x64, 0, 0x1f, 0xff, 0xe0, 0) }) },
    { type: FlvTagType.Audio, timestamp: 0, data: buildAacAudioTag({ kind: 'sequence-header', config: Uint8Array.of(0x12, 0x10) }) },
  ];
  const random = seededRandom(7);
  for (let i = 0; i < 60; i++) {
    const size = Math.floor(random() * 3000);
    tags.push({
      type: i % 3 === 0 ? FlvTagType.Audio : FlvTagType.Video,
      timestamp: i * 33,
      data: i % 3 === 0 ? buildAacAudioTag({ kind: 'raw', data: randomBytes(random, size) }) : buildAvcVideoTag({ kind: 'nalu', keyframe: i % 30 === 1, compositionTime: (i % 5) * 40 - 80, data: randomBytes(random, size) }),
    });
  }
  // Past 0xFFFFFF ms (4.66 h) the top byte moves to TimestampExtended.
  tags.push({ type: FlvTagType.Video, timestamp: 0x01000000 + 5, data: buildAvcVideoTag({ kind: 'end-of-sequence' }) });
  tags.push({ type: FlvTagType.Audio, timestamp: 0xfffffffe, data: Uint8Array.of(0xaf, 1, 2, 3) });
  return tags;
}

function readInPieces(bytes: Uint8Array, sizes: () => number): FlvTag[] {
  const reader = new FlvReader();
  const out: FlvTag[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = Math.max(1, sizes());
    out.push(...reader.push(bytes.subarray(at, at + n)));
    at += n;
  }
  reader.end();
  return out;
}

test('writer → reader round trip in uneven pieces (1 byte, 7 bytes, random sizes, all at once)', () => {
  const tags = sampleTags();
  const file = writeFlvFile({ hasAudio: true, hasVideo: true }, tags);
  const random = seededRandom(42);
  for (const sizes of [() => 1, () => 7, () => Math.floor(random() * 5000), () => file.length]) {
    const got = readInPieces(file, sizes);
    assert.equal(got.length, tags.length);
    assert.deepEqual(got, tags);
  }
});

test('reader: TimestampExtended above 0xFFFFFF ms and header flags', () => {
  const file = writeFlvFile({ hasAudio: false, hasVideo: true }, [{ type: FlvTagType.Video, timestamp: 0x12345678, data: Uint8Array.of(0x27, 2, 0, 0, 0) }]);
  assert.equal(hex(file.subarray(13 + 4, 13 + 8)), '345678' + '12');
  const reader = new FlvReader();
  const [tag] = reader.push(file);
  assert.equal(tag?.timestamp, 0x12345678);
  assert.deepEqual(reader.header, { version: 1, hasAudio: false, hasVideo: true, dataOffset: 9 });
});

test('reader: skips header bytes up to DataOffset; a missing final PreviousTagSize is tolerated', () => {
  const file = writeFlvFile({ hasAudio: true, hasVideo: false }, [{ type: FlvTagType.Audio, timestamp: 7, data: Uint8Array.of(0xaf, 1, 9) }]);
  // DataOffset 12: three extra header bytes a later version might define.
  const padded = Uint8Array.from([...file.subarray(0, 5), 0, 0, 0, 12, 0xee, 0xee, 0xee, ...file.subarray(9)]);
  const tags = readInPieces(padded, () => 1);
  assert.deepEqual(tags, [{ type: FlvTagType.Audio, timestamp: 7, data: Uint8Array.of(0xaf, 1, 9) }]);
  assert.deepEqual(readInPieces(file.subarray(0, file.length - 4), () => 5), tags);
});

test('reader: tags own their data; pieces may be reused by the caller', () => {
  const file = writeFlvFile({ hasAudio: true, hasVideo: true }, sampleTags());
  const reader = new FlvReader();
  const scratch = new Uint8Array(100);
  const got: FlvTag[] = [];
  for (let at = 0; at < file.length; at += 100) {
    const piece = file.subarray(at, at + 100);
    scratch.set(piece);
    got.push(...reader.push(scratch.subarray(0, piece.length)));
    scratch.fill(0xee);
  }
  assert.deepEqual(got, sampleTags());
});

/**
 * Reads `file` with copy: false in pieces of `size` through one scratch buffer that is scribbled
 * over after each push, as a borrowing consumer reuses its memory; each tag is copied right after
 * its push, as such a consumer must.
 */
function readBorrowing(file: Uint8Array, size: number): FlvTag[] {
  const reader = new FlvReader({ copy: false });
  const scratch = new Uint8Array(size);
  const got: FlvTag[] = [];
  for (let at = 0; at < file.length; at += size) {
    const piece = file.subarray(at, at + size);
    scratch.set(piece);
    for (const tag of reader.push(scratch.subarray(0, piece.length))) got.push({ ...tag, data: tag.data.slice() });
    scratch.fill(0xee);
  }
  return got;
}

test('reader with copy: false: views into the pieces, right until the next push', () => {
  const file = writeFlvFile({ hasAudio: true, hasVideo: true }, sampleTags());
  for (const size of [1, 7, 100, file.length]) assert.deepEqual(readBorrowing(file, size), sampleTags(), `pieces of ${size}`);
});

test("reader with copy: false: a tag completed in the reader's buffer survives the rest of its piece", () => {
  // Tags of uneven sizes, each byte telling its tag and place, in pieces that end mid-tag: the
  // tag completed from the buffer and the next partial one buffered after it in the same push
  // (the buffer compacting to make room) must not overwrite each other.
  const tags = Array.from({ length: 300 }, (_, i) => ({
    type: FlvTagType.Video,
    timestamp: i * 40,
    data: Uint8Array.from({ length: 100 + ((i * 2654435761) % 4900) }, (_, j) => (i * 7 + j) & 0xff),
  }));
  const file = writeFlvFile({ hasAudio: false, hasVideo: true }, tags);
  for (const size of [1000, 3001, 4096, 65_536]) {
    const got = readBorrowing(file, size);
    assert.equal(got.length, tags.length, `pieces of ${size}`);
    got.forEach((tag, i) => assert.deepEqual(tag, tags[i], `pieces of ${size}: tag ${i}`));
  }
});

test('reader: memory cap, PreviousTagSize check, truncation, and a failed reader stays failed', () => {
  const big = writeFlvFile({ hasAudio: false, hasVideo: true }, [{ type: FlvTagType.Video, timestamp: 0, data: new Uint8Array(2000) }]);
  const capped = new FlvReader({ maxTagSize: 1000 });
  // Refused on the tag header, before the body is buffered.
  assert.throws(() => capped.push(big.subarray(0, 13 + 11)), /exceeds the 1000-byte limit/);
  assert.throws(() => capped.push(Uint8Array.of(0)), FormatError);

  const bad = writeFlvFile({ hasAudio: false, hasVideo: true }, [{ type: FlvTagType.Video, timestamp: 0, data: Uint8Array.of(1, 2) }]).slice();
  bad[bad.length - 1]! ^= 1;
  const r = new FlvReader();
  r.push(bad.subarray(0, bad.length - 4));
  assert.throws(() => r.push(bad.subarray(bad.length - 4)), /PreviousTagSize is 12, the tag before it had 13 bytes/);

  const cut = new FlvReader();
  cut.push(big.subarray(0, 100));
  assert.throws(() => cut.end(), { name: 'TruncatedError' });

  // An encrypted (Filter) tag or reserved TagType.
  assert.throws(() => new FlvReader().push(Uint8Array.from([...encodeFlvHeader({ hasAudio: true, hasVideo: true }), 0x29, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), /Filter/);
  assert.throws(() => new FlvReader().push(Uint8Array.from([...encodeFlvHeader({ hasAudio: true, hasVideo: true }), 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), /TagType 7/);
});

test('writer refuses timestamps that go back within one tag type, oversized bodies, tags before the header', () => {
  const w = new FlvWriter({ hasAudio: true, hasVideo: true });
  assert.throws(() => w.tag({ type: FlvTagType.Video, timestamp: 0, data: new Uint8Array(1) }), /before header/);
  w.header();
  w.tag({ type: FlvTagType.Video, timestamp: 100, data: new Uint8Array(1) });
  w.tag({ type: FlvTagType.Audio, timestamp: 90, data: new Uint8Array(1) });
  assert.throws(() => w.tag({ type: FlvTagType.Video, timestamp: 99, data: new Uint8Array(1) }), RangeError);
  assert.throws(() => encodeFlvTag({ type: FlvTagType.Video, timestamp: 0, data: new Uint8Array(0x1000000) }), RangeError);
  assert.throws(() => encodeFlvTag({ type: FlvTagType.Video, timestamp: 2 ** 32, data: new Uint8Array(1) }), RangeError);
});

test('fuzz: random bytes into the FLV reader end in a FormatError or need more, never another exception or a hang', () => {
  const random = seededRandom(1234);
  const header = encodeFlvHeader({ hasAudio: true, hasVideo: true });
  const valid = writeFlvFile({ hasAudio: true, hasVideo: true }, sampleTags());
  for (let i = 0; i < 3000; i++) {
    let input: Uint8Array;
    const mode = i % 3;
    if (mode === 0) input = randomBytes(random, Math.floor(random() * 200));
    else if (mode === 1) input = Uint8Array.from([...header, ...randomBytes(random, Math.floor(random() * 200))]);
    else {
      // A valid file with a few bytes flipped.
      input = valid.slice(0, Math.floor(random() * valid.length));
      for (let k = 0; k < 3; k++) input[Math.floor(random() * input.length)] = Math.floor(random() * 256);
    }
    const reader = new FlvReader({ maxTagSize: 1 << 16 });
    try {
      for (let at = 0; at < input.length; at += 13) reader.push(input.subarray(at, at + 13));
      reader.end();
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
    }
  }
});

test('ffprobe reference: the reader yields the packets ffprobe reports for an ffmpeg-made FLV', async () => {
  for (const name of ['testsrc-5s.flv', 'bframes-5s.flv']) {
    const path = await fixture(name);
    const file = readFileSync(path);
    const random = seededRandom(99);
    const tags = readInPieces(new Uint8Array(file.buffer, file.byteOffset, file.length), () => 1 + Math.floor(random() * 4096));
    const ours: Array<{ type: string; dts: number; size: number; key: boolean; md5: string }> = [];
    for (const tag of tags) {
      if (tag.type === FlvTagType.Video) {
        const packetType = tag.data[1];
        if (packetType !== 1) continue; // sequence header → extradata; end of sequence → no packet
        const body = tag.data.subarray(5);
        ours.push({ type: 'video', dts: tag.timestamp, size: body.length, key: tag.data[0]! >> 4 === 1, md5: md5(body) });
      } else if (tag.type === FlvTagType.Audio) {
        if (tag.data[1] !== 1) continue;
        const body = tag.data.subarray(2);
        ours.push({ type: 'audio', dts: tag.timestamp, size: body.length, key: true, md5: md5(body) });
      }
    }
    const theirs = probePackets(path).map((p) => ({ type: p.codec_type, dts: p.dts!, size: Number(p.size), key: p.flags.startsWith('K'), md5: p.data_hash }));
    assert.ok(theirs.length > 50, `${name}: ffprobe saw ${theirs.length} packets`);
    assert.deepEqual(ours, theirs, name);
  }
});
