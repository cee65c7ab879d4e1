import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BitWriter } from '../../src/media/bytes/bit-writer.js';
import { FormatError } from '../../src/media/errors.js';
import {
  annexBToAvcc,
  avccToAnnexB,
  insertEmulationPrevention,
  nalTypeName,
  nalUnitType,
  NalUnitType,
  removeEmulationPrevention,
  splitAnnexB,
  splitAvcc,
} from '../../src/media/avc/nal.js';
import { avcCodecString, parseSps } from '../../src/media/avc/sps.js';
import { buildAvcDecoderConfigurationRecord, parseAvcDecoderConfigurationRecord } from '../../src/media/avc/config-record.js';
import { buildSeiNal, buildUserDataUnregisteredSei, findUserDataUnregistered, parseSeiNal } from '../../src/media/avc/sei.js';
import { FlvReader } from '../../src/media/flv/reader.js';
import { parseAvcVideoTag } from '../../src/media/flv/video.js';
import { fixture } from '../support/fixtures.js';
import { mediaFixture, probeStreams, randomBytes, seededRandom } from '../sources/media-tools.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));

test('Annex B ↔ AVCC conversion, 3- and 4-byte start codes, leading and trailing zeros', () => {
  const stream = bytes('00 00 00 01 67 42 | 00 00 01 68 ce | 00 00 00 01 65 88 84 00 00 00'.replace(/\|/g, ''));
  const nals = splitAnnexB(stream);
  assert.deepEqual(nals.map(hex), ['6742', '68ce', '658884']);
  const avcc = annexBToAvcc(stream);
  assert.equal(hex(avcc), '00000002' + '6742' + '00000002' + '68ce' + '00000003' + '658884');
  assert.deepEqual(splitAvcc(avcc).map(hex), ['6742', '68ce', '658884']);
  assert.equal(hex(avccToAnnexB(avcc)), '000000016742' + '0000000168ce' + '00000001658884');
  assert.equal(hex(annexBToAvcc(stream, 2)), '0002674200026' + '8ce0003658884');
  assert.throws(() => splitAvcc(bytes('00000005 6742')), FormatError);
  assert.throws(() => splitAvcc(bytes('0000')), FormatError);
  assert.equal(nalUnitType(bytes('65')), NalUnitType.IdrSlice);
  assert.deepEqual([1, 5, 6, 7, 8, 9, 17, 0, 30].map(nalTypeName), ['non-IDR slice', 'IDR slice', 'SEI', 'SPS', 'PPS', 'access unit delimiter', 'reserved (17)', 'unspecified (0)', 'unspecified (30)']);
});

test('emulation prevention (H.264 §7.4.1): 00 00 0x → 00 00 03 0x for x ≤ 3, and back', () => {
  const cases: Array<[string, string]> = [
    ['000000', '00000300'],
    ['000001', '00000301'],
    ['000002', '00000302'],
    ['000003', '00000303'],
    ['000004', '000004'],
    ['00000000', '000003000003'],
    ['0000', '000003'], // trailing 00 00 (cabac_zero_word)
    ['11000000000001', '110000030000030001'],
  ];
  for (const [rbsp, ebsp] of cases) {
    assert.equal(hex(insertEmulationPrevention(bytes(rbsp))), ebsp, rbsp);
    assert.equal(hex(removeEmulationPrevention(bytes(ebsp))), rbsp, ebsp);
  }
  const random = seededRandom(3);
  for (let i = 0; i < 500; i++) {
    const rbsp = randomBytes(random, 40).map((b) => (b < 128 ? 0 : b & 3));
    const ebsp = insertEmulationPrevention(rbsp);
    assert.ok(!containsStartCode(ebsp));
    assert.deepEqual(removeEmulationPrevention(ebsp), rbsp);
  }
});

function containsStartCode(b: Uint8Array): boolean {
  for (let i = 0; i + 2 < b.length; i++) if (b[i] === 0 && b[i + 1] === 0 && b[i + 2]! <= 2) return true;
  return false;
}

/** A hand-built SPS: Baseline, 1920x1080 (68 MB rows, cropped by 8), VUI timing 30 fps. */
function handBuiltSps(): Uint8Array {
  const w = new BitWriter();
  w.writeBits(66, 8).writeBits(0xc0, 8).writeBits(40, 8); // profile_idc, constraint flags, level_idc
  w.writeUE(0); // seq_parameter_set_id
  w.writeUE(0).writeUE(0).writeUE(2); // log2_max_frame_num_minus4, poc type 0, log2_max_poc_lsb_minus4
  w.writeUE(1).writeBits(0, 1); // max_num_ref_frames, gaps
  w.writeUE(119).writeUE(67); // 120 × 68 macroblocks = 1920 × 1088
  w.writeFlag(true).writeFlag(true); // frame_mbs_only, direct_8x8
  w.writeFlag(true).writeUE(0).writeUE(0).writeUE(0).writeUE(4); // cropping: bottom 4 × CropUnitY 2 = 8 lines
  w.writeFlag(true); // vui_parameters_present_flag
  w.writeFlag(true).writeBits(1, 8); // aspect_ratio_idc 1 (1:1)
  w.writeFlag(false).writeFlag(false).writeFlag(false); // overscan, video signal, chroma loc
  w.writeFlag(true).writeBits(1001, 32).writeBits(60000, 32).writeFlag(true); // timing: 29.97 fps
  w.writeBits(1, 1).byteAlign(); // rbsp_stop_one_bit
  return Uint8Array.from([0x67, ...insertEmulationPrevention(w.toBytes())]);
}

test('SPS parser on a hand-built SPS: cropping, VUI timing, SAR, codec string', () => {
  const sps = parseSps(handBuiltSps());
  assert.equal(sps.width, 1920);
  assert.equal(sps.height, 1080);
  assert.deepEqual(sps.crop, { left: 0, right: 0, top: 0, bottom: 8 });
  assert.equal(sps.fps, 60000 / 2002);
  assert.deepEqual(sps.sampleAspectRatio, { width: 1, height: 1 });
  assert.equal(avcCodecString(sps), 'avc1.42c028');
  assert.throws(() => parseSps(bytes('68ce3c80')), /not an SPS/);
});

/** A hand-built High 4:2:2 SPS with scaling lists (x264 puts its CQMs in the PPS, so encoders rarely make these). */
function highSpsWithScalingLists(chromaFormatIdc: number, frameMbsOnly: boolean): Uint8Array {
  const w = new BitWriter();
  w.writeBits(122, 8).writeBits(0, 8).writeBits(40, 8).writeUE(1); // High 4:2:2, level 4, sps id 1
  w.writeUE(chromaFormatIdc);
  if (chromaFormatIdc === 3) w.writeFlag(false); // separate_colour_plane_flag
  w.writeUE(2).writeUE(2).writeFlag(false); // bit depths 10/10, qpprime bypass
  w.writeFlag(true); // seq_scaling_matrix_present_flag
  const lists = chromaFormatIdc === 3 ? 12 : 8;
  for (let i = 0; i < lists; i++) {
    const present = i === 0 || i === 6 || i === lists - 1;
    w.writeFlag(present);
    if (!present) continue;
    const size = i < 6 ? 16 : 64;
    if (i === 6) {
      w.writeSE(-8); // nextScale = 0 at once: "use the default list", nothing more follows
      continue;
    }
    for (let j = 0; j < size; j++) w.writeSE(j % 2 === 0 ? 3 : -2); // delta_scale
  }
  w.writeUE(0).writeUE(1); // log2_max_frame_num_minus4, pic_order_cnt_type 1
  w.writeFlag(false).writeSE(-1).writeSE(2).writeUE(3).writeSE(1).writeSE(-1).writeSE(5); // POC type 1 cycle
  w.writeUE(4).writeFlag(false); // max_num_ref_frames, gaps
  w.writeUE(119); // 1920 wide
  w.writeUE(frameMbsOnly ? 67 : 33); // 1088 high as frames or as field pairs
  w.writeFlag(frameMbsOnly);
  if (!frameMbsOnly) w.writeFlag(true); // mb_adaptive_frame_field_flag
  w.writeFlag(true); // direct_8x8_inference_flag
  // Crop 8 lines at the bottom, in CropUnitY units: 4:2:0 → 2 (×2 for fields), 4:2:2/4:4:4 → 1 (×2 for fields).
  const cropUnitY = (chromaFormatIdc === 1 ? 2 : 1) * (frameMbsOnly ? 1 : 2);
  w.writeFlag(true).writeUE(0).writeUE(0).writeUE(0).writeUE(8 / cropUnitY);
  w.writeFlag(false); // no VUI
  w.writeBits(1, 1).byteAlign();
  return Uint8Array.from([0x67, ...insertEmulationPrevention(w.toBytes())]);
}

test('SPS parser: high-profile chroma formats with scaling lists, POC type 1, field coding, crop units', () => {
  for (const chroma of [1, 2, 3]) {
    for (const frameMbsOnly of [true, false]) {
      const sps = parseSps(highSpsWithScalingLists(chroma, frameMbsOnly));
      const label = `chroma ${chroma}, frame_mbs_only ${frameMbsOnly}`;
      assert.deepEqual([sps.width, sps.height], [1920, 1080], label);
      assert.deepEqual([sps.profileIdc, sps.spsId, sps.chromaFormatIdc, sps.bitDepthLuma, sps.bitDepthChroma], [122, 1, chroma, 10, 10], label);
      assert.equal(sps.frameMbsOnly, frameMbsOnly);
      assert.equal(sps.fps, undefined);
    }
  }
});

function firstNal(path: string, type: number): Uint8Array {
  const nal = splitAnnexB(new Uint8Array(readFileSync(path))).find((n) => nalUnitType(n) === type);
  assert.ok(nal, `no NAL type ${type} in ${path}`);
  return nal;
}

test('SPS parser agrees with ffprobe: size (with cropping), profile, level, chroma, fps, interlace', () => {
  const profileNames: Record<number, string> = { 66: 'Baseline', 77: 'Main', 100: 'High', 244: 'High 4:4:4 Predictive' };
  const chroma: Record<string, number> = { yuv420p: 1, yuv422p: 2, yuv444p: 3 };
  for (const name of ['240p-baseline.h264', '720p.h264', '1080p.h264', '444-high.h264', 'interlaced.h264']) {
    const path = mediaFixture(name);
    const sps = parseSps(firstNal(path, NalUnitType.Sps));
    const [stream] = probeStreams(path);
    assert.ok(stream);
    assert.equal(sps.width, stream.width, `${name} width`);
    assert.equal(sps.height, stream.height, `${name} height`);
    const expectedProfile = sps.profileIdc === 66 && sps.constraintFlags & 0x40 ? 'Constrained Baseline' : profileNames[sps.profileIdc];
    assert.equal(expectedProfile, stream.profile, `${name} profile`);
    assert.equal(sps.levelIdc, stream.level, `${name} level`);
    assert.equal(sps.chromaFormatIdc, chroma[String(stream.pix_fmt)], `${name} chroma`);
    assert.equal(sps.fps, 25, `${name} fps`);
    assert.equal(sps.frameMbsOnly, name !== 'interlaced.h264', `${name} frame_mbs_only`);
    if (name === '1080p.h264') assert.deepEqual(sps.crop, { left: 0, right: 0, top: 0, bottom: 8 });
  }
});

test('AVCDecoderConfigurationRecord: golden bytes, build = what FFmpeg writes, parse round trip', async () => {
  // Constrained Baseline 320x240 from x264: no high-profile extension.
  const sps = '6742c00dd90141fb011000000300100000030320f142a480';
  const pps = '68cb83cb20';
  const record = buildAvcDecoderConfigurationRecord({ sps: [bytes(sps)], pps: [bytes(pps)] });
  // version 1 | profile 42, compat c0, level 0d | ff: lengthSizeMinusOne 3 | e1: 1 SPS | len | SPS | 1 PPS | len | PPS
  assert.equal(hex(record), '01' + '42c00d' + 'ff' + 'e1' + '0018' + sps + '01' + '0005' + pps);
  const parsed = parseAvcDecoderConfigurationRecord(record);
  assert.equal(parsed.lengthSize, 4);
  assert.deepEqual(parsed.sps.map(hex), [sps]);
  assert.deepEqual(parsed.pps.map(hex), [pps]);
  assert.equal(parsed.highProfile, undefined);
  assert.deepEqual(parseSps(parsed.sps[0]!).width, 320);
  assert.equal(parseAvcDecoderConfigurationRecord(buildAvcDecoderConfigurationRecord({ sps: [bytes(sps)], pps: [bytes(pps)], lengthSize: 2 })).lengthSize, 2);

  // High profile from FFmpeg's FLV sequence header: rebuild it from its own SPS/PPS, byte for byte.
  const file = new Uint8Array(readFileSync(await fixture('bframes-5s.flv')));
  const seq = new FlvReader().push(file).find((t) => t.type === 9 && t.data[1] === 0);
  assert.ok(seq);
  const body = parseAvcVideoTag(seq.data);
  assert.equal(body.kind, 'sequence-header');
  if (body.kind !== 'sequence-header') return;
  const theirs = parseAvcDecoderConfigurationRecord(body.config);
  assert.equal(theirs.profileIndication, 100);
  const ours = buildAvcDecoderConfigurationRecord({ sps: theirs.sps, pps: theirs.pps, lengthSize: theirs.lengthSize });
  if (theirs.highProfile) assert.equal(hex(ours), hex(body.config));
  else assert.equal(hex(ours.subarray(0, body.config.length)), hex(body.config));
  assert.deepEqual(parseAvcDecoderConfigurationRecord(ours).highProfile, { chromaFormat: 1, bitDepthLuma: 8, bitDepthChroma: 8, spsExt: [] });

  assert.throws(() => parseAvcDecoderConfigurationRecord(bytes('02 42c01e ff e1')), /version 2/);
  assert.throws(() => parseAvcDecoderConfigurationRecord(bytes('01 42c01e fe e1 0001 67')), /not allowed/);
  assert.throws(() => parseAvcDecoderConfigurationRecord(bytes('01 42c01e ff e1 0004 68ce3c80 00')), /SPS #0 is NAL type 8/);
  assert.throws(() => buildAvcDecoderConfigurationRecord({ sps: [], pps: [] }), TypeError);
});

test('SEI user_data_unregistered (§D.1.6): golden bytes, size coding past 255, emulation prevention, round trip', () => {
  const uuid = bytes('dc45e9bde6d948b7962cd820d923eeef');
  const sei = buildUserDataUnregisteredSei(uuid, 'hi');
  // 06 | payloadType 5 | payloadSize 18 | uuid | 'h' 'i' | rbsp trailing 0x80
  assert.equal(hex(sei), '06' + '05' + '12' + hex(uuid) + '6869' + '80');
  const [m] = findUserDataUnregistered(sei, uuid);
  assert.equal(new TextDecoder().decode(m!.data), 'hi');

  const long = 'é'.repeat(300); // 600 bytes → payloadSize 616 = FF FF 6A
  const big = buildUserDataUnregisteredSei(uuid, long);
  assert.equal(hex(big.subarray(0, 5)), '06' + '05' + 'ffff6a');
  assert.equal(new TextDecoder().decode(findUserDataUnregistered(big)[0]!.data), long);

  // Zeros in the payload get emulation prevention bytes and come back out.
  const zeros = new Uint8Array(8);
  const withZeros = buildUserDataUnregisteredSei(uuid, zeros);
  assert.ok(!containsStartCode(withZeros));
  assert.deepEqual(findUserDataUnregistered(withZeros)[0]!.data, zeros);

  // Several messages, a payloadType past 255, and filtering by UUID.
  const multi = buildSeiNal([
    { payloadType: 300, payload: bytes('0102') },
    { payloadType: 5, payload: Uint8Array.from([...new Uint8Array(16), 0x41]) },
  ]);
  assert.deepEqual(parseSeiNal(multi).map((x) => [x.payloadType, hex(x.payload)]), [[300, '0102'], [5, '00'.repeat(16) + '41']]);
  assert.equal(findUserDataUnregistered(multi, uuid).length, 0);
  assert.throws(() => parseSeiNal(bytes('0605ff')), FormatError);
  assert.throws(() => parseSeiNal(bytes('060510')), /runs past/);
  assert.throws(() => buildUserDataUnregisteredSei(new Uint8Array(15), 'x'), TypeError);
});

test('SEI: an x264 stream\'s own SEI (its version string, user_data_unregistered) parses', () => {
  const sei = firstNal(mediaFixture('720p.h264'), NalUnitType.Sei);
  const [m] = findUserDataUnregistered(sei);
  assert.match(new TextDecoder().decode(m!.data), /^x264 - core \d+/);
});

test('fuzz: random bytes into the SPS, config record and SEI parsers end in a FormatError', () => {
  const random = seededRandom(11);
  const valids = [handBuiltSps(), highSpsWithScalingLists(2, false), highSpsWithScalingLists(3, true)];
  for (let i = 0; i < 20000; i++) {
    const valid = valids[i % valids.length]!;
    let input: Uint8Array;
    if (i % 2 === 0) {
      input = randomBytes(random, 1 + Math.floor(random() * 40));
    } else {
      // Mutations of valid input reach the deep paths.
      input = valid.slice(0, 1 + Math.floor(random() * valid.length));
      for (let k = 0; k < 2; k++) input[1 + Math.floor(random() * (input.length - 1))] = Math.floor(random() * 256);
    }
    const asSps = Uint8Array.from([0x67, ...input.subarray(1)]);
    const asSei = Uint8Array.from([0x06, ...input.subarray(1)]);
    const asRecord = Uint8Array.from([1, ...input.subarray(1)]);
    for (const run of [() => parseSps(asSps), () => parseSeiNal(asSei), () => parseAvcDecoderConfigurationRecord(asRecord), () => splitAvcc(input), () => parseSps(input)]) {
      try {
        run();
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
      }
    }
  }
});
