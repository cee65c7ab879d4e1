/**
 * ffprobe/ffmpeg wrappers (Debian package `ffmpeg`) for checking what a server
 * received: stream parameters, packet lists with per-packet MD5 of the data,
 * framemd5, and recording a live URL to a file.
 */
import { type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { exited, runTool, spawnTracked, tail, type ToolResult } from './children.js';

/** One stream as reported by `ffprobe -show_streams` (common fields typed, the rest kept raw). */
export interface StreamInfo {
  index: number;
  codecType: 'video' | 'audio' | 'data' | string;
  codecName: string | undefined;
  profile: string | undefined;
  width: number | undefined;
  height: number | undefined;
  /** e.g. "25/1" */
  avgFrameRate: string | undefined;
  sampleRate: number | undefined;
  channels: number | undefined;
  /** "MD5:…" of the codec extradata (AVCDecoderConfigurationRecord / AudioSpecificConfig). */
  extradataHash: string | undefined;
  /** Everything ffprobe printed for this stream. */
  raw: Record<string, unknown>;
}

/** One packet as reported by `ffprobe -show_packets -show_data_hash MD5`. */
export interface Packet {
  codecType: 'video' | 'audio' | string;
  streamIndex: number;
  /** Presentation time in milliseconds (rounded), undefined when unknown. */
  ptsMs: number | undefined;
  /** Decoding time in milliseconds (rounded), undefined when unknown. */
  dtsMs: number | undefined;
  size: number;
  /** Packet flags contain K (keyframe). */
  keyframe: boolean;
  /** "MD5:<hex>" of the packet payload (for FLV: the frame data without the FLV/AVC tag header). */
  hash: string;
}

/** One line of `ffmpeg -f framemd5` output. */
export interface FrameMd5 {
  streamIndex: number;
  dts: number;
  pts: number;
  duration: number;
  size: number;
  md5: string;
}

interface RawProbe {
  streams?: Array<Record<string, unknown>>;
  packets?: Array<Record<string, unknown>>;
  format?: Record<string, unknown>;
}

async function ffprobeJson(target: string, extra: string[], timeoutMs: number): Promise<RawProbe> {
  const { stdout } = await runTool('ffprobe', ['-v', 'error', ...extra, '-of', 'json', target], { timeoutMs });
  return JSON.parse(stdout.toString('utf8')) as RawProbe;
}

const num = (v: unknown): number | undefined => {
  if (v === undefined || v === null || v === '' || v === 'N/A') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function toStream(s: Record<string, unknown>): StreamInfo {
  return {
    index: num(s.index) ?? -1,
    codecType: str(s.codec_type) ?? 'unknown',
    codecName: str(s.codec_name),
    profile: str(s.profile),
    width: num(s.width),
    height: num(s.height),
    avgFrameRate: str(s.avg_frame_rate),
    sampleRate: num(s.sample_rate),
    channels: num(s.channels),
    extradataHash: str(s.extradata_hash),
    raw: s,
  };
}

/** Parses a time base such as "1/1000" into seconds per tick. */
function timeBase(s: Record<string, unknown> | undefined): number {
  const [n, d] = String(s?.time_base ?? '1/1000').split('/').map(Number);
  return n !== undefined && d ? n / d : 0.001;
}

/**
 * Streams of a file or URL (`ffprobe -show_streams -show_data_hash MD5`),
 * sorted by stream index.
 */
export async function probeStreams(pathOrUrl: string, opts: { timeoutMs?: number } = {}): Promise<StreamInfo[]> {
  const raw = await ffprobeJson(pathOrUrl, ['-show_streams', '-show_data_hash', 'MD5'], opts.timeoutMs ?? 30_000);
  return (raw.streams ?? []).map(toStream).sort((a, b) => a.index - b.index);
}

/**
 * All packets of a file or URL in file order, with pts/dts converted to ms
 * and an MD5 of each packet's data. Note that FLV stream indexes follow the
 * order in which the demuxer first saw each track, so compare per codecType.
 */
export async function probePackets(pathOrUrl: string, opts: { timeoutMs?: number } = {}): Promise<Packet[]> {
  const raw = await ffprobeJson(pathOrUrl, ['-show_packets', '-show_streams', '-show_data_hash', 'MD5'], opts.timeoutMs ?? 60_000);
  const streams = new Map<number, Record<string, unknown>>();
  for (const s of raw.streams ?? []) streams.set(num(s.index) ?? -1, s);
  return (raw.packets ?? []).map((p) => {
    const streamIndex = num(p.stream_index) ?? -1;
    const tb = timeBase(streams.get(streamIndex)) * 1000;
    const pts = num(p.pts);
    const dts = num(p.dts);
    return {
      codecType: str(p.codec_type) ?? 'unknown',
      streamIndex,
      ptsMs: pts === undefined ? undefined : Math.round(pts * tb),
      dtsMs: dts === undefined ? undefined : Math.round(dts * tb),
      size: num(p.size) ?? 0,
      keyframe: (str(p.flags) ?? '').includes('K'),
      hash: str(p.data_hash) ?? '',
    };
  });
}

/**
 * How many decoded video frames carry each colour description ("range,space,primaries,transfer":
 * `ffprobe -show_frames`, each frame as the sequence it belongs to describes it).
 */
export async function frameColours(pathOrUrl: string, opts: { timeoutMs?: number } = {}): Promise<Record<string, number>> {
  const raw = await ffprobeJson(pathOrUrl, ['-select_streams', 'v', '-show_frames', '-show_entries', 'frame=color_range,color_space,color_primaries,color_transfer'], opts.timeoutMs ?? 60_000);
  const counts: Record<string, number> = {};
  for (const f of (raw as { frames?: Record<string, unknown>[] }).frames ?? []) {
    const key = [f.color_range, f.color_space, f.color_primaries, f.color_transfer].map((v) => str(v) ?? '?').join();
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Packets of one kind ('video' or 'audio'), in file order. */
export function packetsOf(packets: readonly Packet[], codecType: string): Packet[] {
  return packets.filter((p) => p.codecType === codecType);
}

/**
 * `ffmpeg -i <pathOrUrl> -c copy -f framemd5 -`: one entry per packet with
 * stream timestamps (in the stream time base; 1/1000 for FLV) and data MD5.
 */
export async function frameMd5(pathOrUrl: string, opts: { timeoutMs?: number } = {}): Promise<FrameMd5[]> {
  const { stdout } = await runTool('ffmpeg', ['-hide_banner', '-v', 'error', '-i', pathOrUrl, '-c', 'copy', '-f', 'framemd5', '-'], {
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
  const frames: FrameMd5[] = [];
  for (const line of stdout.toString('utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [streamIndex, dts, pts, duration, size, md5] = line.split(',').map((f) => f.trim());
    frames.push({
      streamIndex: Number(streamIndex),
      dts: Number(dts),
      pts: Number(pts),
      duration: Number(duration),
      size: Number(size),
      md5: md5 ?? '',
    });
  }
  return frames;
}

/** A running {@link startCapture}. */
export interface Capture {
  /** Resolves with the output path when ffmpeg has finished and written the file. */
  readonly done: Promise<string>;
  /** Ends the capture gracefully (like pressing q) and waits for the file. */
  stop(): Promise<string>;
}

/** Options for {@link startCapture} / {@link captureFlv}. */
export interface CaptureOptions {
  /** Stop after this many seconds of media (ffmpeg `-t`). */
  durationS?: number;
  /**
   * End the capture when no data arrived for this long (ffmpeg `-rw_timeout`).
   * Needed for servers that keep a play session open after the publisher left
   * (node-media-server keeps HTTP-FLV players waiting). Default 2000 ms.
   */
  idleTimeoutMs?: number;
  /** Hard limit for the whole capture; the child is killed after it (default durationS + 30 s, or 120 s). */
  timeoutMs?: number;
}

/**
 * Starts recording an HTTP-FLV or RTMP URL to `outPath` with `ffmpeg -c copy
 * -f flv`. The capture ends by itself at `durationS`, when the stream goes
 * idle, or on `stop()`. `done` rejects (with ffmpeg's stderr) if ffmpeg
 * failed and wrote nothing. Packets keep their data, but ffmpeg writes its
 * own onMetaData and rewrites timestamps around discontinuities (e.g. a
 * republish that restarts at 0); for the exact bytes of an HTTP-FLV stream
 * use startHttpFlvCapture (http-flv.ts).
 */
export function startCapture(url: string, outPath: string, opts: CaptureOptions = {}): Capture {
  const idleUs = Math.round((opts.idleTimeoutMs ?? 2000) * 1000);
  const args = ['-hide_banner', '-nostats', '-v', 'error', '-y', '-rw_timeout', String(idleUs), '-i', url, '-c', 'copy'];
  if (opts.durationS !== undefined) args.push('-t', String(opts.durationS));
  args.push('-f', 'flv', outPath);
  const child: ChildProcess = spawnTracked('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin?.on('error', () => {
    // ffmpeg may exit before we write 'q'
  });
  const hardLimit = opts.timeoutMs ?? (opts.durationS !== undefined ? opts.durationS * 1000 + 30_000 : 120_000);
  const timer = setTimeout(() => child.kill('SIGKILL'), hardLimit);
  const done = new Promise<string>((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`ffmpeg failed to start: ${e.message}`)));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const size = fs.existsSync(outPath) ? fs.statSync(outPath).size : 0;
      // An idle timeout ends ffmpeg with an I/O error but a finished file.
      if (size > 13 && signal !== 'SIGKILL') resolve(outPath);
      else reject(new Error(`capture of ${url} failed (exit ${code ?? signal}, ${size} bytes)\n${tail(stderr)}`));
    });
  });
  return {
    done,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.end('q');
        const t = setTimeout(() => child.kill('SIGINT'), 3000);
        await exited(child);
        clearTimeout(t);
      }
      return done;
    },
  };
}

/**
 * Records an HTTP-FLV or RTMP URL to `outPath` for `durationS` seconds of
 * media (or until the stream goes idle) with `ffmpeg -c copy`; resolves with
 * `outPath`.
 */
export function captureFlv(url: string, durationS: number, outPath: string, opts: Omit<CaptureOptions, 'durationS'> = {}): Promise<string> {
  return startCapture(url, outPath, { ...opts, durationS }).done;
}

/**
 * Publishes a media file to an RTMP URL with `ffmpeg -c copy -f flv`
 * (as fast as possible, or at native speed with `realtime`). Never rejects
 * for a failed publish: inspect the exit code and stderr of the result.
 * Abort `signal` to kill the publisher.
 */
export function pushFile(
  input: string,
  url: string,
  opts: { realtime?: boolean; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ToolResult> {
  const args = ['-hide_banner', '-nostats', '-v', 'error', ...(opts.realtime ? ['-re'] : []), '-i', input, '-c', 'copy', '-f', 'flv', url];
  return runTool('ffmpeg', args, {
    timeoutMs: opts.timeoutMs ?? 60_000,
    allowFailure: true,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
