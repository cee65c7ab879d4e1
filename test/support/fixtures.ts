/**
 * Media fixtures generated with ffmpeg once per checkout into
 * `<repo>/.tmp/fixtures` (gitignored). A fixture is written under a temporary
 * name and renamed when complete, so an existing file is always complete and
 * concurrent test processes can race safely.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from './children.js';

/** Directory the fixtures are written to. */
export const FIXTURE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.tmp/fixtures');

const lavfiVideo = (size: string, rate: number): string[] => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`];
const lavfiAudio = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'];
const aac = ['-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-ar', '44100'];
/** A sample photo @vladmandic/face-api ships (a group of three; the middle face is frontal). */
const FACE_PHOTO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/@vladmandic/face-api/demo/sample3.jpg');
const h264Baseline = ['-c:v', 'libx264', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0'];

/**
 * Name → ffmpeg output arguments (inputs included). Every recipe has H.264
 * video + AAC audio with a keyframe every 2 s.
 */
const RECIPES: Record<string, string[]> = {
  /** 640x360 25 fps H.264 baseline (no B-frames) + AAC 44.1 kHz stereo, 5 s. */
  'testsrc-5s.flv': [...lavfiVideo('640x360', 25), ...lavfiAudio, ...h264Baseline, ...aac, '-t', '5', '-f', 'flv'],
  /** Same as testsrc-5s.flv in MP4 with the moov atom first. */
  'testsrc-5s.mp4': [...lavfiVideo('640x360', 25), ...lavfiAudio, ...h264Baseline, ...aac, '-t', '5', '-movflags', '+faststart', '-f', 'mp4'],
  /** 640x360 25 fps H.264 high profile with 3 B-frames (nonzero composition times) + AAC, 5 s. */
  'bframes-5s.flv': [
    ...lavfiVideo('640x360', 25), ...lavfiAudio,
    '-c:v', 'libx264', '-profile:v', 'high', '-bf', '3', '-pix_fmt', 'yuv420p', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
    ...aac, '-t', '5', '-f', 'flv',
  ],
  /**
   * One clear frontal face at the default pushed size, 360×640 PNG: the middle person of
   * face-api's sample3.jpg (1920×1350), cropped 9:16 around her face (about 150 px wide here).
   */
  'face-360x640.png': ['-i', FACE_PHOTO, '-vf', 'crop=560:996:887:0,scale=360:640', '-frames:v', '1', '-f', 'image2', '-c:v', 'png'],
  /** A colourful, left-right asymmetric test card at the default pushed size (preview tests). */
  'testcard-360x640.png': ['-f', 'lavfi', '-i', 'testsrc2=size=360x640:rate=1', '-frames:v', '1', '-f', 'image2', '-c:v', 'png'],
  /** Flat 64×64 PNGs: stickers and a makeup picture whose colour is easy to find in a frame. */
  'green-64.png': ['-f', 'lavfi', '-i', 'color=c=0x00c800:s=64x64', '-frames:v', '1', '-f', 'image2', '-c:v', 'png'],
  'blue-64.png': ['-f', 'lavfi', '-i', 'color=c=0x1030e0:s=64x64', '-frames:v', '1', '-f', 'image2', '-c:v', 'png'],
  'red-64.png': ['-f', 'lavfi', '-i', 'color=c=0xe01020:s=64x64', '-frames:v', '1', '-f', 'image2', '-c:v', 'png'],
  /** 1280x720 30 fps ~2.5 Mbit/s H.264 (ultrafast) + AAC, 60 s, for benchmarks. */
  '720p-60s.flv': [
    ...lavfiVideo('1280x720', 30), ...lavfiAudio,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-b:v', '2500k', '-maxrate', '2500k', '-bufsize', '5000k',
    '-g', '60', '-keyint_min', '60', '-sc_threshold', '0',
    ...aac, '-t', '60', '-f', 'flv',
  ],
};

/** Names accepted by {@link fixture}. */
export const FIXTURE_NAMES: readonly string[] = Object.keys(RECIPES);

const pending = new Map<string, Promise<string>>();

/**
 * Returns the absolute path of the named fixture, generating it with ffmpeg
 * the first time (later calls and later runs reuse the file). Throws for an
 * unknown name.
 */
export function fixture(name: string): Promise<string> {
  const recipe = RECIPES[name];
  if (recipe === undefined) {
    return Promise.reject(new Error(`unknown fixture ${JSON.stringify(name)}; known: ${FIXTURE_NAMES.join(', ')}`));
  }
  let p = pending.get(name);
  if (p === undefined) {
    p = make(name, recipe);
    pending.set(name, p);
    p.catch(() => pending.delete(name));
  }
  return p;
}

async function make(name: string, recipe: string[]): Promise<string> {
  const file = path.join(FIXTURE_DIR, name);
  if (fs.existsSync(file)) return file;
  await fsp.mkdir(FIXTURE_DIR, { recursive: true });
  const temp = path.join(FIXTURE_DIR, `.${name}.${process.pid}.${Date.now()}.tmp`);
  try {
    await runTool('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...recipe, temp], { timeoutMs: 300_000 });
    await fsp.rename(temp, file);
  } finally {
    await fsp.rm(temp, { force: true });
  }
  return file;
}
