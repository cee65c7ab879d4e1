/**
 * Loads an `applyFilter` lookup image (spec §3): fetches the bytes, checks their MD5 when the app
 * gave one, decodes the image and turns its 8×8 tiles into a 64³ table.
 */
import { md5Hex } from '../../core/md5.js';
import { lutFromImage } from './filters.js';

export interface LookupTable {
  table: Uint8Array;
  size: number;
}

/** An optional `md5` argument (spec §3 applyFilter, applySticker, makeup): 32 hex digits. */
export function optionalMd5(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[0-9a-f]{32}$/i.test(value)) throw new TypeError('md5 must be 32 hex digits');
  return value;
}

/** An `alpha` argument (spec §3 applyFilter, makeup): 0–1, default 1. */
export function parseAlpha(value: unknown): number {
  const alpha = value ?? 1;
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) throw new TypeError(`alpha must be a number within 0–1, got ${String(alpha)}`);
  return alpha;
}

/** Fetches `path` (any URL the page may fetch) and checks `md5` against its bytes when given. */
export async function fetchChecked(path: string, md5?: string): Promise<Blob> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`could not load ${path}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (md5) {
    const actual = md5Hex(bytes);
    if (actual !== md5.toLowerCase()) throw new Error(`${path}: md5 is ${actual}, expected ${md5.toLowerCase()}`);
  }
  return new Blob([bytes], { type: response.headers.get('content-type') ?? '' });
}

export async function loadLookupImage(path: string, md5?: string): Promise<LookupTable> {
  const bitmap = await createImageBitmap(await fetchChecked(path, md5), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    g.drawImage(bitmap, 0, 0);
    const { data } = g.getImageData(0, 0, bitmap.width, bitmap.height);
    return { table: lutFromImage(data, bitmap.width, bitmap.height), size: 64 };
  } finally {
    bitmap.close();
  }
}
