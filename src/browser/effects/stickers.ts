/**
 * applySticker and the apply…Makeup methods (spec §3): their arguments checked, their pictures
 * fetched (md5 checked when given) and decoded, ready for the overlay pass.
 *
 * A sticker's `path` is a folder (URL) holding `{title}_{index}.png` for index 0 … len − 1, as
 * the mini-program names its frames (the web cannot list a folder, so the frames are PNG; the
 * mini-program's zip packages are not read). Types: `2D` and `front` place it by `pos`
 * [x1, y1, x2, y2] in shares (0–1) of the pushed picture; `face` and `head` follow the face,
 * `pos` in shares of the face box (brows to chin, temple to temple; default [0, 0, 1, 1]).
 * `back` (background stickers) needs person segmentation, which this version does not have.
 */
import { requireString } from '../../core/callbacks.js';
import { fetchChecked, optionalMd5, parseAlpha } from './lookup-image.js';
import type { Sticker } from './overlay-pass.js';

const PICTURE_TYPES = ['2D', 'front'];
const FACE_TYPES = ['face', 'head'];

/** Decodes a picture for drawing over the stream (straight alpha, no colour conversion). */
async function decode(path: string, md5?: string): Promise<ImageBitmap> {
  return createImageBitmap(await fetchChecked(path, md5), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
}

function parsePos(value: unknown, required: boolean): number[] | undefined {
  if (value === undefined && !required) return undefined;
  const pos = Array.isArray(value) ? value.map(Number) : [];
  if (pos.length !== 4 || pos.some((v) => !Number.isFinite(v)) || pos[2]! <= pos[0]! || pos[3]! <= pos[1]!) {
    throw new TypeError(`pos must be [x1, y1, x2, y2] with x1 < x2 and y1 < y2, got ${JSON.stringify(value)}`);
  }
  return pos;
}

/** The stickers of one applySticker call, loaded; throws a TypeError naming a bad argument. */
export async function loadStickers(options: { type?: unknown; stickers?: unknown } | undefined): Promise<Sticker[]> {
  const type = options?.type;
  if (type === 'back') throw new Error("not supported by this version of live-pusher yet (type 'back' needs person segmentation)");
  if (typeof type !== 'string' || ![...PICTURE_TYPES, ...FACE_TYPES].includes(type)) {
    throw new TypeError(`type must be one of ${[...PICTURE_TYPES, ...FACE_TYPES].join(', ')}, got ${JSON.stringify(type)}`);
  }
  const list = options?.stickers;
  if (!Array.isArray(list) || list.length === 0) throw new TypeError('stickers must be a non-empty array');
  const anchor = FACE_TYPES.includes(type) ? 'face' : 'picture';
  return Promise.all(
    list.map(async (item: { title?: unknown; path?: unknown; len?: unknown; pos?: unknown; md5?: unknown }, i) => {
      const title = requireString(item?.title, `stickers[${i}].title`);
      const path = requireString(item.path, `stickers[${i}].path`);
      const len = item.len ?? 1;
      if (!Number.isInteger(len) || (len as number) < 1) throw new TypeError(`stickers[${i}].len must be a whole number ≥ 1, got ${String(len)}`);
      const pos = parsePos(item.pos, anchor === 'picture') ?? [0, 0, 1, 1];
      const md5 = optionalMd5(item.md5);
      const folder = path.endsWith('/') ? path : `${path}/`;
      // The md5 is of the first frame: a still sticker's one picture.
      const frames = await Promise.all(Array.from({ length: len as number }, (_, k) => decode(`${folder}${title}_${k}.png`, k === 0 ? md5 : undefined)));
      return { type, anchor, frames, pos };
    }),
  );
}

/** One apply…Makeup call's picture and alpha; throws a TypeError naming a bad argument. */
export async function loadMakeup(options: { path?: unknown; alpha?: unknown; md5?: unknown } | undefined): Promise<{ image: ImageBitmap; alpha: number }> {
  const path = requireString(options?.path, 'path');
  const alpha = parseAlpha(options?.alpha);
  return { image: await decode(path, optionalMd5(options?.md5)), alpha };
}
