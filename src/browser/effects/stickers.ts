/**
 * applySticker and the apply…Makeup methods (spec §3): their arguments checked, their pictures
 * fetched (md5 checked when given) and decoded, ready for the overlay pass.
 *
 * A sticker's `path` is a folder (URL) holding `{title}_{index}.png` for index 0 … len − 1 (the
 * web cannot list a folder, so a folder's frames are PNG), or a zip package holding
 * `{title}_{index}.{ext}` in any image type (sticker-package.ts): a path ending in `.zip`, or one
 * whose folder has no first frame but whose own bytes are a zip. A package is fetched once per
 * call and its `md5` checks the package's bytes; a folder's checks its first frame. Types: `2D`
 * and `front` place it by `pos` [x1, y1, x2, y2] in shares (0–1) of the pushed picture; `face`
 * and `head` follow the face, `pos` in shares of the face box (brows to chin, temple to temple;
 * default [0, 0, 1, 1]); `back` lies behind the person (`segtype` 0) or only inside them
 * (`segtype` 1), `pos` in shares of the picture (default all of it). `active` (face-actions.ts)
 * says when it plays.
 */
import { requireString } from '../../core/callbacks.js';
import { parseBlendMode } from './blend-modes.js';
import { parseTrigger } from './face-actions.js';
import { fetchChecked, optionalMd5, parseAlpha } from './lookup-image.js';
import type { Makeup, Sticker } from './overlay-pass.js';
import { isZip, packageFrames, unzipPackage } from './sticker-package.js';

const PICTURE_TYPES = ['2D', 'front'];
const FACE_TYPES = ['face', 'head'];
const BACK_TYPE = 'back';
const TYPES = [...PICTURE_TYPES, ...FACE_TYPES, BACK_TYPE];

/** Decodes a picture for drawing over the stream (straight alpha, no colour conversion). */
function decode(blob: Blob): Promise<ImageBitmap> {
  return createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
}

function parsePos(value: unknown, required: boolean): number[] | undefined {
  if (value === undefined && !required) return undefined;
  const pos = Array.isArray(value) ? value.map(Number) : [];
  if (pos.length !== 4 || pos.some((v) => !Number.isFinite(v)) || pos[2]! <= pos[0]! || pos[3]! <= pos[1]!) {
    throw new TypeError(`pos must be [x1, y1, x2, y2] with x1 < x2 and y1 < y2, got ${JSON.stringify(value)}`);
  }
  return pos;
}

function parseSegtype(value: unknown, name: string): 0 | 1 {
  if (value === undefined) return 0;
  if (value !== 0 && value !== 1) throw new TypeError(`${name} must be 0 (behind the person) or 1 (inside the person), got ${JSON.stringify(value)}`);
  return value;
}

/** The unpacked zip packages of one call, by path: each fetched once however many stickers share it. */
type Packages = Map<string, Promise<Map<string, Uint8Array>>>;

function unpacked(packages: Packages, path: string, md5: string | undefined, fetched?: Uint8Array): Promise<Map<string, Uint8Array>> {
  let files = packages.get(path);
  if (!files) {
    files = (async () => unzipPackage(fetched ?? new Uint8Array(await (await fetchChecked(path, md5)).arrayBuffer()), path))();
    packages.set(path, files);
  }
  return files;
}

async function fromPackage(files: Promise<Map<string, Uint8Array>>, title: string, len: number, path: string): Promise<ImageBitmap[]> {
  const frames = packageFrames(await files, title, len, path);
  return Promise.all(frames.map(({ bytes, type }) => decode(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }))));
}

/** A sticker's frames from its folder or package (see the module comment). */
async function loadFrames(packages: Packages, path: string, title: string, len: number, md5: string | undefined): Promise<ImageBitmap[]> {
  if (/\.zip$/i.test(new URL(path, location.href).pathname)) return fromPackage(unpacked(packages, path, md5), title, len, path);
  const folder = path.endsWith('/') ? path : `${path}/`;
  let first: Blob;
  try {
    first = await fetchChecked(`${folder}${title}_0.png`, md5);
  } catch (folderError) {
    // No first frame there: the path may still be a package without the .zip name.
    const bytes = await fetchChecked(path).then(
      async (blob) => new Uint8Array(await blob.arrayBuffer()),
      () => undefined,
    );
    if (!bytes || !isZip(bytes)) throw folderError;
    return fromPackage(unpacked(packages, path, md5, bytes), title, len, path);
  }
  const rest = Array.from({ length: len - 1 }, (_, k) => fetchChecked(`${folder}${title}_${k + 1}.png`));
  return Promise.all([first, ...rest].map(async (blob) => decode(await blob)));
}

/** The stickers of one applySticker call, loaded; throws a TypeError naming a bad argument. */
export async function loadStickers(options: { type?: unknown; stickers?: unknown } | undefined): Promise<Sticker[]> {
  const type = options?.type;
  if (typeof type !== 'string' || !TYPES.includes(type)) throw new TypeError(`type must be one of ${TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  const list = options?.stickers;
  if (!Array.isArray(list) || list.length === 0) throw new TypeError('stickers must be a non-empty array');
  const anchor = FACE_TYPES.includes(type) ? 'face' : type === BACK_TYPE ? 'background' : 'picture';
  const packages: Packages = new Map();
  return Promise.all(
    list.map(async (item: { title?: unknown; path?: unknown; len?: unknown; pos?: unknown; md5?: unknown; active?: unknown; segtype?: unknown }, i) => {
      const title = requireString(item?.title, `stickers[${i}].title`);
      const path = requireString(item.path, `stickers[${i}].path`);
      const len = item.len ?? 1;
      if (!Number.isInteger(len) || (len as number) < 1) throw new TypeError(`stickers[${i}].len must be a whole number ≥ 1, got ${String(len)}`);
      const pos = parsePos(item.pos, anchor === 'picture') ?? [0, 0, 1, 1];
      const md5 = optionalMd5(item.md5);
      const trigger = parseTrigger(item.active, `stickers[${i}].active`);
      // segtype means something for background stickers only (spec §3); elsewhere it is ignored.
      const segtype = anchor === 'background' ? parseSegtype(item.segtype, `stickers[${i}].segtype`) : 0;
      const frames = await loadFrames(packages, path, title, len as number, md5);
      return { type, anchor, frames, pos, trigger, segtype } satisfies Sticker;
    }),
  );
}

/** One apply…Makeup call's picture, alpha and blend mode; throws a TypeError naming a bad argument. */
export async function loadMakeup(options: { path?: unknown; alpha?: unknown; md5?: unknown; blendMode?: unknown } | undefined): Promise<Makeup> {
  const path = requireString(options?.path, 'path');
  const alpha = parseAlpha(options?.alpha);
  const blend = parseBlendMode(options?.blendMode);
  return { image: await decode(await fetchChecked(path, optionalMd5(options?.md5))), alpha, blend };
}
