/**
 * Test helpers for the media-format tests: small fixtures made with ffmpeg (cached beside the
 * shared ones of test/support/fixtures.ts) and ffprobe's view of a file as the independent
 * reference.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_DIR } from '../support/fixtures.js';

/** Next to the shared fixtures (gitignored), in a folder of their own. */
const dir = join(FIXTURE_DIR, 'media-formats');

/** ffmpeg input arguments for a synthetic picture (testsrc2) and tone (sine). */
export function lavfi(size: string, rate = 25): string[] {
  return ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'];
}

/** Recipes for fixtures beyond the shared ones of test/support/fixtures.ts. */
const recipes: Record<string, string[]> = {
  'bframes-2s.mp4': [...lavfi('640x360'), '-c:v', 'libx264', '-profile:v', 'high', '-bf', '3', '-g', '50', '-c:a', 'aac', '-ac', '2', '-t', '2'],
  'opus-audio-1s.mp4': [...lavfi('320x240'), '-c:v', 'libx264', '-c:a', 'libopus', '-t', '1'],
  'hevc-1s.mp4': [...lavfi('320x240').slice(0, 4), '-c:v', 'libx265', '-x265-params', 'log-level=error', '-t', '1'],
  'video-only-1s.mp4': [...lavfi('320x240').slice(0, 4), '-c:v', 'libx264', '-t', '1'],
  '720p.h264': [...lavfi('1280x720').slice(0, 4), '-c:v', 'libx264', '-profile:v', 'main', '-t', '0.2', '-f', 'h264'],
  '1080p.h264': [...lavfi('1920x1080').slice(0, 4), '-c:v', 'libx264', '-profile:v', 'high', '-t', '0.2', '-f', 'h264'],
  '240p-baseline.h264': [...lavfi('320x240').slice(0, 4), '-c:v', 'libx264', '-profile:v', 'baseline', '-t', '0.2', '-f', 'h264'],
  '444-high.h264': [...lavfi('352x288').slice(0, 4), '-c:v', 'libx264', '-profile:v', 'high444', '-pix_fmt', 'yuv444p', '-t', '0.2', '-f', 'h264'],
  'interlaced.h264': [...lavfi('720x576').slice(0, 4), '-c:v', 'libx264', '-flags', '+ildct+ilme', '-x264-params', 'tff=1', '-t', '0.2', '-f', 'h264'],
};

/** Path of a named fixture, made on first use. */
export function mediaFixture(name: string): string {
  const recipe = recipes[name];
  if (!recipe) throw new Error(`no recipe for fixture ${name}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  if (!existsSync(path)) {
    // Write under a temporary name and rename, so concurrent test files never see half a file.
    const partial = join(dir, `${process.pid}-${name}`);
    const format = name.endsWith('.h264') ? [] : ['-f', name.split('.').pop()!];
    execFileSync('ffmpeg', ['-v', 'error', '-y', ...recipe, ...format, partial], { stdio: 'pipe' });
    renameSync(partial, path);
  }
  return path;
}

/** A temp path for an output file. */
export function tempPath(name: string): string {
  mkdirSync(dir, { recursive: true });
  return join(dir, `${process.pid}-${Date.now()}-${name}`);
}

/** One packet as ffprobe reports it. */
export interface ProbePacket {
  codec_type: 'video' | 'audio';
  stream_index: number;
  pts?: number;
  dts?: number;
  pts_time?: string;
  dts_time?: string;
  size: string;
  flags: string;
  data_hash: string;
}

/** ffprobe's packets of a file, with MD5 of each payload. */
export function probePackets(path: string): ProbePacket[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_packets', '-show_data_hash', 'MD5', '-of', 'json', path], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return (JSON.parse(out.toString()) as { packets: ProbePacket[] }).packets;
}

/** ffprobe's streams of a file. */
export function probeStreams(path: string): Array<Record<string, string | number>> {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', path]);
  return (JSON.parse(out.toString()) as { streams: Array<Record<string, string | number>> }).streams;
}

/** ffmpeg's complaints (stderr at level error) on decoding a whole file; '' when clean. */
export function decodeErrors(path: string): string {
  try {
    execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { stdio: 'pipe' });
    return '';
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e);
  }
}

/** MD5 in ffprobe's `MD5:hex` notation. */
export function md5(bytes: Uint8Array): string {
  return 'MD5:' + createHash('md5').update(bytes).digest('hex');
}

/** A small seeded PRNG (mulberry32), so fuzz failures reproduce. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` seeded random bytes. */
export function randomBytes(random: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256);
  return out;
}
