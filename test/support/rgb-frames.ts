/**
 * Measures on decoded pictures: packed 8-bit RGB frames (ffmpeg's `rgb24`, or canvas pixels with
 * alpha dropped), `width` pixels a row. Shared by the picture, face and preview tests.
 */
import assert from 'node:assert/strict';
import { runTool } from './children.js';

/** The frame ffmpeg decodes from `recording` at `atSeconds`, as RGB24; it must be `width`×`height`. */
export async function decodedFrame(recording: string, atSeconds: number, width: number, height: number): Promise<Uint8Array> {
  const args = ['-hide_banner', '-loglevel', 'error', '-ss', String(atSeconds), '-i', recording, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'];
  const { stdout } = await runTool('ffmpeg', args, { timeoutMs: 30_000 });
  assert.equal(stdout.length, width * height * 3, `one ${width}×${height} frame`);
  return new Uint8Array(stdout);
}

/** Columns x0 … x1 − 1 and rows y0 … y1 − 1; fractional edges are rounded, and clamped to the frame. */
export interface PixelBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The rows and columns of `box` inside a frame of `length` bytes, `width` pixels a row (all of it without a box). */
function clamp(length: number, width: number, box?: PixelBox): PixelBox {
  const height = length / 3 / width;
  if (!box) return { x0: 0, y0: 0, x1: width, y1: height };
  const at = (v: number, max: number) => Math.min(max, Math.max(0, Math.round(v)));
  return { x0: at(box.x0, width), y0: at(box.y0, height), x1: at(box.x1, width), y1: at(box.y1, height) };
}

/** Mean absolute RGB difference, 0–255, of two frames over `box` (the whole frame without one). */
export function colourDistance(a: Uint8Array, b: Uint8Array, width: number, box?: PixelBox): number {
  const { x0, y0, x1, y1 } = clamp(Math.min(a.length, b.length), width, box);
  let sum = 0;
  for (let y = y0; y < y1; y++)
    for (let p = (y * width + x0) * 3, end = (y * width + x1) * 3; p < end; p++) sum += Math.abs(a[p]! - b[p]!);
  return sum / Math.max(1, (x1 - x0) * (y1 - y0) * 3);
}

/** Mean R, G, B over `box` (the whole frame without one). */
export function meanColour(f: Uint8Array, width: number, box?: PixelBox): [number, number, number] {
  const { x0, y0, x1, y1 } = clamp(f.length, width, box);
  const sum: [number, number, number] = [0, 0, 0];
  for (let y = y0; y < y1; y++)
    for (let p = (y * width + x0) * 3, end = (y * width + x1) * 3; p < end; p += 3) for (let c = 0; c < 3; c++) sum[c]! += f[p + c]!;
  const n = Math.max(1, (x1 - x0) * (y1 - y0));
  return sum.map((s) => s / n) as [number, number, number];
}
