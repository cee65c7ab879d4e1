/**
 * Sticker packages (spec §3 applySticker, base library 2.14.0): a sticker's `path` names a folder
 * or a zip package holding its frames `{title}_{index}.{ext}`, index 0 … len − 1, any image type.
 * A zip is unpacked in the browser with fflate, and its frames are looked up by name wherever
 * they sit in it (packages often wrap them in a folder). Pure: Node-tested.
 */
import { unzipSync } from 'fflate';

/** A zip file starts with a local file header, "PK\3\4" (APPNOTE 4.3.7). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Image types a frame may be, by extension, with the type its bytes are decoded as. */
const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  bmp: 'image/bmp',
};

/** The media type of an image file by its name, or undefined for a name that is no image. */
export function imageType(name: string): string | undefined {
  return IMAGE_TYPES[name.slice(name.lastIndexOf('.') + 1).toLowerCase()];
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The entry names of frames 0 … len − 1 of `title` among a package's `names`: `{title}_{index}.{ext}`
 * in any folder (the shallowest wins where two folders have one). Throws naming the missing frames.
 */
export function frameEntries(names: readonly string[], title: string, len: number): string[] {
  const pattern = new RegExp(`(?:^|/)${escapeRegExp(title)}_(\\d+)\\.([a-z]+)$`, 'i');
  const found = new Map<number, string>();
  const depth = (name: string): number => name.split('/').length;
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match || !imageType(name)) continue;
    const index = Number(match[1]);
    const before = found.get(index);
    if (index < len && (before === undefined || depth(name) < depth(before))) found.set(index, name);
  }
  const missing = Array.from({ length: len }, (_, i) => i).filter((i) => !found.has(i));
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).map((i) => `${title}_${i}`).join(', ');
    throw new Error(`the package has no frame ${shown}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''} (.png, .jpg, .webp, .gif or .bmp)`);
  }
  return Array.from({ length: len }, (_, i) => found.get(i)!);
}

/** The files of a zip package by name; throws with a clear message for a corrupt one. */
export function unzipPackage(bytes: Uint8Array, path: string): Map<string, Uint8Array> {
  if (!isZip(bytes)) throw new Error(`${path} is not a zip package`);
  try {
    // Only pictures are inflated: a package may carry other files the sticker does not use.
    const files = unzipSync(bytes, { filter: (file) => imageType(file.name) !== undefined });
    return new Map(Object.entries(files));
  } catch (e) {
    throw new Error(`${path} is not a readable zip package: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** The frames of `title` (0 … len − 1) from the unpacked package `files`, with their media types. */
export function packageFrames(files: ReadonlyMap<string, Uint8Array>, title: string, len: number, path: string): { bytes: Uint8Array; type: string }[] {
  let names: string[];
  try {
    names = frameEntries([...files.keys()], title, len);
  } catch (e) {
    throw new Error(`${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return names.map((name) => ({ bytes: files.get(name)!, type: imageType(name)! }));
}
