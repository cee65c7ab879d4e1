import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { fixture } from '../support/fixtures.js';
import { FormatError } from '../../src/media/errors.js';
import { FlvReader } from '../../src/media/flv/reader.js';
import { FlvTagType, type FlvTag } from '../../src/media/flv/tag.js';
import { FlvWriter } from '../../src/media/flv/writer.js';
import { parseOnMetaData } from '../../src/media/flv/metadata.js';
import { parseAvcVideoTag } from '../../src/media/flv/video.js';
import { parseAacAudioTag } from '../../src/media/flv/audio.js';
import { parseAvcDecoderConfigurationRecord } from '../../src/media/avc/config-record.js';
import { parseSps } from '../../src/media/avc/sps.js';
import { openFlvFile, readFlvFile } from '../../src/node/sources/flv-file.js';
import { openMp4File } from '../../src/node/sources/mp4-file.js';
import { openMediaFile } from '../../src/node/sources/open-media-file.js';
import { decodeErrors, md5, mediaFixture, probePackets, tempPath, type ProbePacket } from './media-tools.js';

async function collect(tags: AsyncIterable<FlvTag>): Promise<FlvTag[]> {
  const out: FlvTag[] = [];
  for await (const tag of tags) out.push(tag);
  return out;
}

test('FLV file source: streamed in small chunks = the whole file read at once; duration from onMetaData', async () => {
  const path = await fixture('testsrc-5s.flv');
  const whole = new FlvReader().push(new Uint8Array(readFileSync(path)));
  assert.deepEqual(await collect(readFlvFile(path, { chunkSize: 1000 })), whole);
  const source = await openFlvFile(path);
  assert.equal(source.kind, 'flv');
  assert.ok(source.durationMs !== undefined && Math.abs(source.durationMs - 5000) <= 50, `durationMs ${source.durationMs}`);
  // Breaking out early closes the file; the source can be read again.
  for await (const tag of source.tags()) {
    assert.equal(tag.type, FlvTagType.Script);
    break;
  }
  assert.equal((await collect(source.tags())).length, whole.length);
});

test('FLV file source: a truncated or corrupt file throws a FormatError naming the file', async () => {
  const path = await fixture('testsrc-5s.flv');
  const cut = tempPath('cut.flv');
  writeFileSync(cut, readFileSync(path).subarray(0, 5000));
  await assert.rejects(collect(readFlvFile(cut)), (e: unknown) => e instanceof FormatError && e.name === 'TruncatedError' && e.message.includes(cut));
  rmSync(cut);
});

test('openMediaFile chooses by magic bytes and names what it cannot read', async () => {
  assert.equal((await openMediaFile(await fixture('testsrc-5s.flv'))).kind, 'flv');
  const mp4 = await openMediaFile(await fixture('testsrc-5s.mp4'));
  assert.equal(mp4.kind, 'mp4');
  assert.ok(mp4.durationMs !== undefined && Math.abs(mp4.durationMs - 5000) <= 50, `durationMs ${mp4.durationMs}`);
  const text = tempPath('notes.mp4');
  writeFileSync(text, 'hello, this is not a video');
  await assert.rejects(openMediaFile(text), (e: unknown) => e instanceof FormatError && /not an FLV or MP4 file \(starts with 68 65 6c 6c/.test(e.message));
  writeFileSync(text, '');
  await assert.rejects(openMediaFile(text), /empty/);
  rmSync(text);
});

/** Packets ffprobe reports, split by stream type. */
function probeByType(path: string): { video: ProbePacket[]; audio: ProbePacket[] } {
  const packets = probePackets(path);
  return { video: packets.filter((p) => p.codec_type === 'video'), audio: packets.filter((p) => p.codec_type === 'audio') };
}

interface Sample {
  dts: number;
  pts: number;
  size: number;
  key: boolean;
  md5: string;
}

/** The media samples in a tag list, with FLV's view of timing (PTS = DTS + CompositionTime). */
function samplesOf(tags: FlvTag[]): { video: Sample[]; audio: Sample[] } {
  const video: Sample[] = [];
  const audio: Sample[] = [];
  for (const tag of tags) {
    if (tag.type === FlvTagType.Video) {
      const body = parseAvcVideoTag(tag.data);
      if (body.kind === 'nalu') video.push({ dts: tag.timestamp, pts: tag.timestamp + body.compositionTime, size: body.data.length, key: body.keyframe, md5: md5(body.data) });
    } else if (tag.type === FlvTagType.Audio) {
      const body = parseAacAudioTag(tag.data);
      if (body.kind === 'raw') audio.push({ dts: tag.timestamp, pts: tag.timestamp, size: body.data.length, key: true, md5: md5(body.data) });
    }
  }
  return { video, audio };
}

for (const [label, getPath] of [
  ['B-frame high-profile MP4', async () => mediaFixture('bframes-2s.mp4')],
  ['baseline MP4 (shared fixture)', () => fixture('testsrc-5s.mp4')],
] as const) {
  test(`MP4 source (${label}): onMetaData, sequence headers, then ffprobe's samples with its timing`, async () => {
    const path = await getPath();
    const source = await openMp4File(path);
    const tags = await collect(source.tags());
    const ref = probeByType(path);

    // 1. onMetaData, AVC sequence header, AAC sequence header, all at 0.
    assert.deepEqual(tags.slice(0, 3).map((t) => [t.type, t.timestamp]), [[18, 0], [9, 0], [8, 0]]);
    const meta = parseOnMetaData(tags[0]!.data);
    assert.deepEqual(meta, source.metadata);
    const seq = parseAvcVideoTag(tags[1]!.data);
    assert.equal(seq.kind, 'sequence-header');
    const sps = parseSps(parseAvcDecoderConfigurationRecord(seq.kind === 'sequence-header' ? seq.config : new Uint8Array()).sps[0]!);
    assert.deepEqual([meta.width, meta.height, sps.width, sps.height], [640, 360, 640, 360]);
    assert.equal(meta.framerate, 25);
    assert.equal(meta.videocodecid, 7);
    assert.equal(meta.audiocodecid, 10);
    assert.equal(meta.audiosamplerate, 44100);
    assert.equal(meta.stereo, true);
    assert.ok(typeof meta.duration === 'number' && meta.duration > 1.9);
    assert.equal(parseAacAudioTag(tags[2]!.data).kind, 'sequence-header');

    // 2. Samples: ffprobe's sizes, payload MD5s, key flags, and its DTS/PTS on our shifted ms timeline.
    const shift = -Math.min(Number(ref.video[0]!.dts_time), Number(ref.audio[0]!.dts_time));
    const toMs = (t: string | undefined) => Math.round((Number(t) + shift) * 1000);
    const ours = samplesOf(tags);
    for (const kind of ['video', 'audio'] as const) {
      const theirs = ref[kind].map((p) => ({ dts: toMs(p.dts_time), pts: toMs(p.pts_time), size: Number(p.size), key: p.flags.startsWith('K'), md5: p.data_hash }));
      assert.equal(ours[kind].length, theirs.length, `${kind} count`);
      assert.deepEqual(ours[kind], theirs, kind);
    }
    if (label.startsWith('B')) assert.ok(ours.video.some((s) => s.pts - s.dts >= 80), 'B-frames give composition times');

    // 3. Interleaved by timestamp.
    for (let i = 1; i < tags.length; i++) assert.ok(tags[i]!.timestamp >= tags[i - 1]!.timestamp, `tag ${i} goes back in time`);
  });
}

test('MP4 source → our FLV writer → a file ffmpeg decodes without errors, with the same packets', async () => {
  const path = mediaFixture('bframes-2s.mp4');
  const source = await openMediaFile(path);
  const tags = await collect(source.tags());
  const writer = new FlvWriter({ hasAudio: true, hasVideo: true });
  const parts = [writer.header(), ...tags.map((t) => writer.tag(t))];
  const out = tempPath('remuxed.flv');
  writeFileSync(out, Buffer.concat(parts));
  try {
    assert.equal(decodeErrors(out), '');
    const mp4 = probeByType(path);
    const flv = probeByType(out);
    for (const kind of ['video', 'audio'] as const) {
      assert.deepEqual(flv[kind].map((p) => p.data_hash), mp4[kind].map((p) => p.data_hash), `${kind} MD5s`);
      assert.deepEqual(flv[kind].map((p) => p.flags[0]), mp4[kind].map((p) => p.flags[0]), `${kind} key flags`);
    }
    // ffmpeg reads back exactly the timing we wrote (FLV timestamps are ms already).
    const ours = samplesOf(tags);
    assert.deepEqual(flv.video.map((p) => [p.dts, p.pts]), ours.video.map((s) => [s.dts, s.pts]));
  } finally {
    rmSync(out, { force: true });
  }
});

test('MP4 source = FFmpeg\'s own remux (ffmpeg -i x.mp4 -c copy -f flv): same samples, same ms timing', async () => {
  const path = mediaFixture('bframes-2s.mp4');
  const remux = tempPath('ffmpeg-remux.flv');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', path, '-c', 'copy', '-f', 'flv', remux]);
  try {
    const theirs = samplesOf(new FlvReader().push(new Uint8Array(readFileSync(remux))));
    const ours = samplesOf(await collect((await openMp4File(path)).tags()));
    assert.deepEqual(ours, theirs);
  } finally {
    rmSync(remux, { force: true });
  }
});

test('MP4 source: a video-only file gives onMetaData and the AVC sequence header, no audio', async () => {
  const path = mediaFixture('video-only-1s.mp4');
  const source = await openMp4File(path);
  const tags = await collect(source.tags());
  assert.deepEqual(tags.slice(0, 2).map((t) => t.type), [18, 9]);
  assert.ok(tags.every((t) => t.type !== FlvTagType.Audio));
  assert.equal(source.metadata.audiocodecid, undefined);
  assert.equal(samplesOf(tags).video.length, probePackets(path).length);
});

test('MP4 source: codecs RTMP/FLV does not carry here are refused by name', async () => {
  await assert.rejects(openMp4File(mediaFixture('opus-audio-1s.mp4')), (e: unknown) => e instanceof FormatError && /audio codec opus is not AAC/.test(e.message));
  await assert.rejects(openMediaFile(mediaFixture('hevc-1s.mp4')), (e: unknown) => e instanceof FormatError && /video codec hevc is not H.264/.test(e.message));
});

test('MP4 source: stopping early releases the file; the source can be read again', async () => {
  const source = await openMp4File(mediaFixture('bframes-2s.mp4'));
  let n = 0;
  for await (const tag of source.tags()) {
    void tag;
    if (++n === 10) break;
  }
  assert.equal(n, 10);
  const all = await collect(source.tags());
  assert.ok(all.length > 100);
});
