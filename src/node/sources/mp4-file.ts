/**
 * MP4 files (H.264 and/or AAC) as a tag source. mediabunny demuxes the file; this module turns its
 * tracks into what an FLV file or an RTMP publisher sends: onMetaData, the AVC and AAC sequence
 * headers, then the samples of both tracks interleaved by decode time.
 */
import { ALL_FORMATS, EncodedPacketSink, FilePathSource, Input, type InputAudioTrack, type InputVideoTrack } from 'mediabunny';
import { parseAvcDecoderConfigurationRecord } from '../../media/avc/config-record.js';
import { parseSps } from '../../media/avc/sps.js';
import { FormatError } from '../../media/errors.js';
import { buildAacAudioTag, parseAudioSpecificConfigInfo, SoundFormat } from '../../media/flv/audio.js';
import { buildOnMetaData, type FlvMetadata } from '../../media/flv/metadata.js';
import { FlvTagType, type FlvTag } from '../../media/flv/tag.js';
import { buildAvcVideoTag, VideoCodecId } from '../../media/flv/video.js';
import type { MediaFileSource } from './open-media-file.js';

/** An opened MP4 file: a {@link MediaFileSource} plus the onMetaData it will send. */
export interface Mp4FileSource extends MediaFileSource {
  kind: 'mp4';
  metadata: FlvMetadata;
}

/** What one pass over the file's tracks learns before any sample is sent. */
interface Plan {
  metadata: FlvMetadata;
  video?: { track: InputVideoTrack; avcC: Uint8Array; dts: number[] };
  audio?: { track: InputAudioTrack; asc: Uint8Array };
  /** Seconds added to every timestamp so the earliest DTS becomes 0 (FLV timestamps are unsigned). */
  shift: number;
}

/**
 * Opens an MP4 file with an H.264 and/or an AAC track (the primary track of each kind). Throws
 * {@link FormatError} when there is neither or a track uses another codec.
 */
export async function openMp4File(path: string): Promise<Mp4FileSource> {
  const input = openInput(path);
  let plan: Plan;
  try {
    plan = await makePlan(input, path);
  } finally {
    input.dispose();
  }
  const durationMs = plan.metadata.duration !== undefined ? Math.round(plan.metadata.duration * 1000) : undefined;
  return { kind: 'mp4', durationMs, metadata: plan.metadata, tags: () => mp4Tags(path), tagGroups: () => oneByOne(mp4Tags(path)) };
}

/** The FLV tags of an MP4 file; see {@link openMp4File}. */
export async function* mp4Tags(path: string): AsyncGenerator<FlvTag, void, undefined> {
  const input = openInput(path);
  try {
    const plan = await makePlan(input, path);
    yield { type: FlvTagType.Script, timestamp: 0, data: buildOnMetaData(plan.metadata) };
    if (plan.video) yield { type: FlvTagType.Video, timestamp: 0, data: buildAvcVideoTag({ kind: 'sequence-header', config: plan.video.avcC }) };
    if (plan.audio) yield { type: FlvTagType.Audio, timestamp: 0, data: buildAacAudioTag({ kind: 'sequence-header', config: plan.audio.asc }) };
    yield* interleave(plan.video ? videoTags(plan.video, plan.shift) : empty(), plan.audio ? audioTags(plan.audio.track, plan.shift) : empty());
  } finally {
    input.dispose();
  }
}

function openInput(path: string): Input {
  return new Input({ source: new FilePathSource(path), formats: ALL_FORMATS });
}

async function makePlan(input: Input, path: string): Promise<Plan> {
  const videoTrack = await input.getPrimaryVideoTrack();
  const audioTrack = await input.getPrimaryAudioTrack();
  if (!videoTrack && !audioTrack) throw new FormatError(`${path}: no video or audio track`);
  const metadata: FlvMetadata = {};
  const plan: Plan = { metadata, shift: 0 };
  const starts: number[] = [];

  if (videoTrack) {
    const codec = await videoTrack.getCodec();
    if (codec !== 'avc') throw new FormatError(`${path}: video codec ${codec ?? 'unknown'} is not H.264; RTMP/FLV carries H.264 here`);
    const avcC = descriptionBytes((await videoTrack.getDecoderConfig())?.description);
    // No avcC means Annex B samples with in-band parameter sets, which FLV cannot carry as is.
    if (!avcC) throw new FormatError(`${path}: H.264 track has no avcC decoder configuration`);
    const record = parseAvcDecoderConfigurationRecord(avcC);
    if (record.lengthSize !== 4) throw new FormatError(`${path}: H.264 NAL length size ${record.lengthSize} is not supported (FLV players expect 4)`);
    const dts = await decodeTimestamps(videoTrack);
    plan.video = { track: videoTrack, avcC, dts };
    const sps = record.sps[0] ? parseSps(record.sps[0]) : undefined;
    metadata.width = sps?.width ?? videoTrack.displayWidth;
    metadata.height = sps?.height ?? videoTrack.displayHeight;
    // The container's timing is what plays; the SPS VUI rate (absent in many streams) is the fallback.
    metadata.framerate = averageRate(dts) ?? sps?.fps;
    metadata.videocodecid = VideoCodecId.Avc;
    if (dts[0] !== undefined) starts.push(dts[0]);
  }
  if (audioTrack) {
    const codec = await audioTrack.getCodec();
    if (codec !== 'aac') throw new FormatError(`${path}: audio codec ${codec ?? 'unknown'} is not AAC; RTMP/FLV carries AAC here`);
    const asc = descriptionBytes((await audioTrack.getDecoderConfig())?.description);
    if (!asc) throw new FormatError(`${path}: AAC track has no AudioSpecificConfig`);
    const info = parseAudioSpecificConfigInfo(asc);
    plan.audio = { track: audioTrack, asc };
    metadata.audiocodecid = SoundFormat.Aac;
    metadata.audiosamplerate = info.sampleRate;
    metadata.audiosamplesize = 16;
    metadata.stereo = (info.channelConfiguration || audioTrack.numberOfChannels) === 2;
    starts.push(await audioTrack.getFirstTimestamp());
  }
  const tracks = [videoTrack, audioTrack].filter((t) => t !== null);
  metadata.duration = await input.computeDuration(tracks);
  const first = Math.min(...starts);
  plan.shift = Number.isFinite(first) ? -first : 0;
  return plan;
}

/**
 * Decode timestamps (seconds) of the video samples, in decode order. mediabunny gives presentation
 * times only; an MP4 stores DTS as the running sum of sample durations (stts), which for the
 * constant-rate streams encoders write equals the sorted PTS shifted back by the reordering delay.
 * So: DTS[i] = sortedPTS[i] − delay, with the smallest delay that keeps every DTS ≤ its PTS
 * (for x264 with B-frames this reproduces FFmpeg's DTS exactly, e.g. two frames before PTS 0).
 */
async function decodeTimestamps(track: InputVideoTrack): Promise<number[]> {
  const pts: number[] = [];
  for await (const packet of new EncodedPacketSink(track).packets(undefined, undefined, { metadataOnly: true })) pts.push(packet.timestamp);
  const sorted = [...pts].sort((a, b) => a - b);
  let delay = 0;
  for (let i = 0; i < pts.length; i++) delay = Math.max(delay, sorted[i]! - pts[i]!);
  return sorted.map((t) => t - delay);
}

/** Frames per second over the whole track, to 3 decimals; undefined for fewer than 2 frames. */
function averageRate(dts: readonly number[]): number | undefined {
  const span = dts.length >= 2 ? dts[dts.length - 1]! - dts[0]! : 0;
  return span > 0 ? Math.round(((dts.length - 1) / span) * 1000) / 1000 : undefined;
}

/** A tag with the time it sorts by. */
interface Timed {
  dtsMs: number;
  tag: FlvTag;
}

async function* videoTags(video: NonNullable<Plan['video']>, shift: number): AsyncGenerator<Timed> {
  let i = 0;
  for await (const packet of new EncodedPacketSink(video.track).packets()) {
    const dts = video.dts[i++];
    if (dts === undefined) throw new FormatError('MP4 video track yielded more samples than its sample table lists');
    // Round DTS and PTS on the same shifted timeline and take the difference, so CompositionTime
    // is never negative and DTS + CompositionTime lands exactly on the rounded PTS.
    const dtsMs = Math.round((dts + shift) * 1000);
    const ptsMs = Math.round((packet.timestamp + shift) * 1000);
    const data = buildAvcVideoTag({ kind: 'nalu', keyframe: packet.type === 'key', compositionTime: ptsMs - dtsMs, data: packet.data });
    yield { dtsMs, tag: { type: FlvTagType.Video, timestamp: dtsMs, data } };
  }
}

async function* audioTags(track: InputAudioTrack, shift: number): AsyncGenerator<Timed> {
  for await (const packet of new EncodedPacketSink(track).packets()) {
    const dtsMs = Math.round((packet.timestamp + shift) * 1000);
    yield { dtsMs, tag: { type: FlvTagType.Audio, timestamp: dtsMs, data: buildAacAudioTag({ kind: 'raw', data: packet.data }) } };
  }
}

async function* empty(): AsyncGenerator<Timed> {}

async function* oneByOne(tags: AsyncIterable<FlvTag>): AsyncGenerator<FlvTag[]> {
  for await (const tag of tags) yield [tag];
}

/** Merges two DTS-ordered streams by DTS; on a tie video goes first. */
async function* interleave(video: AsyncGenerator<Timed>, audio: AsyncGenerator<Timed>): AsyncGenerator<FlvTag> {
  let v = await video.next();
  let a = await audio.next();
  try {
    while (!v.done || !a.done) {
      if (!v.done && (a.done || v.value.dtsMs <= a.value.dtsMs)) {
        yield v.value.tag;
        v = await video.next();
      } else if (!a.done) {
        yield a.value.tag;
        a = await audio.next();
      }
    }
  } finally {
    await video.return(undefined);
    await audio.return(undefined);
  }
}

function descriptionBytes(description: AllowSharedBufferSource | undefined): Uint8Array | undefined {
  if (!description) return undefined;
  if (description instanceof Uint8Array) return description;
  if (ArrayBuffer.isView(description)) return new Uint8Array(description.buffer, description.byteOffset, description.byteLength);
  return new Uint8Array(description);
}
