/**
 * Lip sync measured on a recording of Chromium's fake devices (`--use-fake-device-for-media-stream`).
 *
 * The fake camera counts frames n at 20 fps and draws a "pacman" whose sweep is
 * fmod(0.6°/ms × 50n ms, 361°), centred in the 640×480 picture with radius 120; every 500 ms of
 * that frame clock (n ≡ 0 mod 10) it makes the fake microphone beep (a 20 ms, 400 Hz tone). So a
 * beep's audio timestamp minus the video timestamp of frame n = 10j is the A/V offset of the
 * pipeline (plus the fake microphone's own buffering of ≤ 10 ms).
 *
 * Steps: read the sweep of every decoded frame on a ring around the pacman's centre; number the
 * frames (the first from the camera's start time within ±300 ms, the rest from their timestamps,
 * each checked against its sweep); video offset = median(PTS − 50n); then each beep onset in the
 * decoded audio, placed by the timestamp of the AAC packet that holds it, against the nearest
 * 500 ms mark.
 */
import { runTool } from '../support/children.js';
import { packetsOf, probePackets } from '../support/ffprobe.js';

/** Where the pacman sits in a pushed picture, for the cover crop of 640×480 into `width`×`height`. */
function pacmanRing(width: number, height: number): { cx: number; cy: number; r: number } {
  const scale = Math.max(width / 640, height / 480);
  return { cx: width / 2, cy: height / 2, r: 120 * scale * 0.6 };
}

/** The pacman's sweep in degrees, 0–360, for frame counter n. */
const sweepOf = (n: number) => (30 * n) % 361;

export interface AvSyncResult {
  /** Audio onset minus its video beep mark, ms (positive: audio late), one per beep. */
  errorsMs: number[];
  /** Median of PTS − 50n over the video frames, ms. */
  videoOffsetMs: number;
  /** Frame counter of the first pushed frame. */
  firstFrame: number;
  /** Frames whose sweep did not match their number (should be none). */
  mismatches: number;
}

/**
 * Measures lip sync in an FLV of the fake devices. `cameraStartMs`: when the camera started,
 * in the FLV's own timeline (ms, usually negative: before the first pushed frame).
 */
export async function measureAvSync(file: string, width: number, height: number, cameraStartMs: number): Promise<AvSyncResult> {
  const packets = await probePackets(file);
  const video = packetsOf(packets, 'video').map((p) => p.ptsMs!);
  const audio = packetsOf(packets, 'audio').map((p) => p.ptsMs!);

  const { stdout: gray } = await runTool('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v', '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], {
    timeoutMs: 60_000,
  });
  const frameBytes = width * height;
  const { cx, cy, r } = pacmanRing(width, height);
  const sweeps: number[] = [];
  for (let f = 0; f * frameBytes < gray.length; f++) {
    let bright = 0;
    for (let a = 0; a < 360; a++) {
      const rad = ((a + 0.5) * Math.PI) / 180;
      const x = Math.round(cx + r * Math.cos(rad));
      const y = Math.round(cy + r * Math.sin(rad));
      if (gray[f * frameBytes + y * width + x]! > 150) bright++;
    }
    sweeps.push(bright);
  }
  if (sweeps.length !== video.length) throw new Error(`decoded ${sweeps.length} frames for ${video.length} packets`);

  // First frame: the counter value with this sweep closest to the camera's start estimate.
  const estimate = (video[0]! - cameraStartMs) / 50;
  let first = -1;
  for (let n = 0; n < estimate + 40; n++) {
    if (Math.abs(sweepOf(n) - sweeps[0]!) <= 3 && (first < 0 || Math.abs(n - estimate) < Math.abs(first - estimate))) first = n;
  }
  if (first < 0) throw new Error(`no frame number has sweep ${sweeps[0]}°`);
  const numbers = [first];
  let mismatches = 0;
  for (let i = 1; i < video.length; i++) {
    const n = numbers[i - 1]! + Math.max(1, Math.round((video[i]! - video[i - 1]!) / 50));
    numbers.push(n);
    if (Math.abs(sweepOf(n) - sweeps[i]!) > 3) mismatches++;
  }
  const offsets = video.map((pts, i) => pts - 50 * numbers[i]!).sort((a, b) => a - b);
  const videoOffsetMs = offsets[Math.floor(offsets.length / 2)]!;

  const { stdout: pcm } = await runTool('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a', '-ac', '1', '-f', 'f32le', '-'], { timeoutMs: 60_000 });
  const samples = new Float32Array(pcm.buffer, pcm.byteOffset, pcm.length / 4);
  const rate = 48_000; // ffmpeg decodes to the stream's rate; the caller records at 48 kHz
  const errorsMs: number[] = [];
  let quiet = 0;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) <= 0.05) {
      quiet++;
      continue;
    }
    if (quiet > rate / 10) {
      // Each AAC packet decodes to 1024 samples; the onset's time is its packet's PTS plus its place in it.
      const packet = audio[Math.floor(i / 1024)];
      if (packet !== undefined) {
        const t = packet + ((i % 1024) * 1000) / rate;
        const j = Math.round((t - videoOffsetMs) / 500);
        errorsMs.push(Math.round((t - videoOffsetMs - 500 * j) * 10) / 10);
      }
    }
    quiet = 0;
  }
  return { errorsMs, videoOffsetMs, firstFrame: first, mismatches };
}
