import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Amf0EcmaArray, decodeAmf0, encodeAmf0 } from '../../src/media/amf0.js';
import { FormatError } from '../../src/media/errors.js';
import { buildAvcVideoTag, parseAvcVideoTag, parseVideoTagInfo, VideoFrameType } from '../../src/media/flv/video.js';
import { buildAacAudioTag, parseAacAudioTag, parseAudioSpecificConfigInfo, SoundRate } from '../../src/media/flv/audio.js';
import { buildOnMetaData, buildSetDataFrameOnMetaData, parseOnMetaData, stripSetDataFrame, withSetDataFrame } from '../../src/media/flv/metadata.js';
import { randomBytes, seededRandom } from '../sources/media-tools.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('AVC video tag golden bytes (§E.4.3.1): FrameType|CodecID, AVCPacketType, SI24 CompositionTime', () => {
  assert.equal(hex(buildAvcVideoTag({ kind: 'sequence-header', config: Uint8Array.of(1, 2) })), '17' + '00' + '000000' + '0102');
  assert.equal(hex(buildAvcVideoTag({ kind: 'nalu', keyframe: true, compositionTime: 80, data: Uint8Array.of(9) })), '17' + '01' + '000050' + '09');
  assert.equal(hex(buildAvcVideoTag({ kind: 'nalu', keyframe: false, compositionTime: -40, data: Uint8Array.of(9) })), '27' + '01' + 'ffffd8' + '09');
  assert.equal(hex(buildAvcVideoTag({ kind: 'end-of-sequence' })), '17' + '02' + '000000');
});

test('AVC video tag round trip, including negative and extreme CompositionTime', () => {
  for (const compositionTime of [0, 1, -1, 40, -80, 0x7fffff, -0x800000]) {
    for (const keyframe of [true, false]) {
      const tag = { kind: 'nalu' as const, keyframe, compositionTime, data: Uint8Array.of(0, 0, 0, 1, 0x65) };
      assert.deepEqual(parseAvcVideoTag(buildAvcVideoTag(tag)), tag);
    }
  }
  assert.deepEqual(parseAvcVideoTag(buildAvcVideoTag({ kind: 'end-of-sequence' })), { kind: 'end-of-sequence' });
  const seq = { kind: 'sequence-header' as const, config: Uint8Array.of(1, 0x42, 0, 0x1e) };
  assert.deepEqual(parseAvcVideoTag(buildAvcVideoTag(seq)), seq);
  assert.throws(() => buildAvcVideoTag({ kind: 'nalu', keyframe: true, compositionTime: 0x800000, data: new Uint8Array() }), RangeError);
  assert.deepEqual(parseVideoTagInfo(Uint8Array.of(0x22)), { frameType: VideoFrameType.Inter, codecId: 2 });
  assert.throws(() => parseAvcVideoTag(Uint8Array.of(0x22, 1, 0, 0, 0)), /not AVC/);
  assert.throws(() => parseAvcVideoTag(Uint8Array.of(0x17, 3, 0, 0, 0)), /AVCPacketType 3/);
  assert.throws(() => parseAvcVideoTag(Uint8Array.of(0x17, 1, 0)), { name: 'TruncatedError' });
});

test('AAC audio tag golden bytes (§E.4.2.1): 0xAF then AACPacketType', () => {
  assert.equal(hex(buildAacAudioTag({ kind: 'sequence-header', config: Uint8Array.of(0x12, 0x10) })), 'af' + '00' + '1210');
  assert.equal(hex(buildAacAudioTag({ kind: 'raw', data: Uint8Array.of(0x21, 0x00) })), 'af' + '01' + '2100');
  assert.deepEqual(parseAacAudioTag(Uint8Array.of(0xaf, 1, 7)), { kind: 'raw', data: Uint8Array.of(7), soundRate: SoundRate.Rate44k, sixteenBit: true, stereo: true });
  assert.deepEqual(parseAacAudioTag(Uint8Array.of(0xa2, 0, 0x11, 0x90)).kind, 'sequence-header');
  assert.throws(() => parseAacAudioTag(Uint8Array.of(0x2f, 1)), /not AAC/);
  assert.throws(() => parseAacAudioTag(Uint8Array.of(0xaf, 2)), /AACPacketType 2/);
});

test('AudioSpecificConfig basics (ISO/IEC 14496-3 §1.6.2.1)', () => {
  // 0x1210: AAC LC (2), index 4 (44100), 2 channels.
  assert.deepEqual(parseAudioSpecificConfigInfo(Uint8Array.of(0x12, 0x10)), { objectType: 2, samplingFrequencyIndex: 4, sampleRate: 44100, channelConfiguration: 2 });
  // 0x1188: AAC LC, index 3 (48000), 1 channel.
  assert.deepEqual(parseAudioSpecificConfigInfo(Uint8Array.of(0x11, 0x88)), { objectType: 2, samplingFrequencyIndex: 3, sampleRate: 48000, channelConfiguration: 1 });
  // Escaped object type 31 → 32 + 6 bits, explicit frequency (index 15).
  // 11111 000001 1111 <24 bits 0x00ac44 = 44100> 0010
  const bits = '11111' + '000001' + '1111' + (44100).toString(2).padStart(24, '0') + '0010';
  const bytes = Uint8Array.from(bits.padEnd(48, '0').match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  assert.deepEqual(parseAudioSpecificConfigInfo(bytes), { objectType: 33, samplingFrequencyIndex: 15, sampleRate: 44100, channelConfiguration: 2 });
  assert.throws(() => parseAudioSpecificConfigInfo(Uint8Array.of(0x16, 0x90)), /reserved samplingFrequencyIndex 13/);
});

test('onMetaData: file form and @setDataFrame form, built and parsed', () => {
  const meta = { duration: 2, width: 640, height: 360, framerate: 25, videocodecid: 7, audiocodecid: 10, audiosamplerate: 44100, stereo: true };
  const file = buildOnMetaData(meta);
  assert.deepEqual(file, encodeAmf0('onMetaData', new Amf0EcmaArray(meta)));
  const rtmp = buildSetDataFrameOnMetaData(meta);
  assert.deepEqual(rtmp, encodeAmf0('@setDataFrame', 'onMetaData', new Amf0EcmaArray(meta)));
  assert.deepEqual(parseOnMetaData(file), meta);
  assert.deepEqual(parseOnMetaData(rtmp), meta);
  assert.deepEqual(stripSetDataFrame(rtmp), file);
  assert.equal(stripSetDataFrame(file), file);
  // An AMF0 object instead of an ECMA array is accepted too; undefined properties are dropped.
  assert.deepEqual(parseOnMetaData(encodeAmf0('onMetaData', { width: 1 })), { width: 1 });
  assert.deepEqual(parseOnMetaData(buildOnMetaData({ width: 1, height: undefined })), { width: 1 });
  assert.throws(() => parseOnMetaData(encodeAmf0('onCuePoint', {})), /"onCuePoint", not onMetaData/);
  assert.throws(() => parseOnMetaData(encodeAmf0('onMetaData', 3)), FormatError);
});

test('fuzz: random bytes into the video/audio tag and AudioSpecificConfig parsers end in a FormatError', () => {
  const random = seededRandom(5);
  const parsers = [parseAvcVideoTag, parseAacAudioTag, parseAudioSpecificConfigInfo, parseOnMetaData];
  for (let i = 0; i < 5000; i++) {
    const input = randomBytes(random, Math.floor(random() * 12));
    // Bias the first byte towards the valid headers so the deeper paths run too.
    if (input.length > 0 && i % 2 === 0) input[0] = [0x17, 0x27, 0xaf, 0x02][i % 4]!;
    for (const parse of parsers) {
      try {
        parse(input);
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
      }
    }
  }
});

test('withSetDataFrame prefixes onMetaData only, and stripSetDataFrame undoes it', () => {
  const file = buildOnMetaData({ width: 360, height: 640 });
  const sent = withSetDataFrame(file);
  assert.deepEqual(decodeAmf0(sent).slice(0, 2), ['@setDataFrame', 'onMetaData']);
  assert.deepEqual(sent, buildSetDataFrameOnMetaData({ width: 360, height: 640 }));
  assert.deepEqual(stripSetDataFrame(sent), file);
  const cue = encodeAmf0('onCuePoint', { name: 'x' });
  assert.equal(withSetDataFrame(cue), cue);
  const bare = encodeAmf0('onMetaData'); // no properties: not metadata a server could store
  assert.equal(withSetDataFrame(bare), bare);
});
