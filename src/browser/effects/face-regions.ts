/**
 * Where face-anchored pictures go (spec §3 applySticker with a face type, the apply…Makeup
 * methods), from the 68 landmarks in pushed-picture pixels. Pure: the overlay pass draws the
 * quads, the Node tests check them.
 *
 * Everything is placed in the face's own frame: origin between the eye centres, x along the eye
 * line (so a tilted head tilts what is placed on it), y perpendicular, downwards. A region is the
 * box of its landmarks in that frame, grown by its margins, as a quad back in picture pixels.
 */

/** Four corners in picture pixels: top-left, top-right, bottom-right, bottom-left (8 numbers). */
export type Quad = Float32Array;

/** The makeup methods of spec §3, by what they colour. */
export type MakeupKind = 'lipstick' | 'eyeShadow' | 'blusher' | 'faceContour' | 'eyeBrow';

export const MAKEUP_KINDS: readonly MakeupKind[] = ['lipstick', 'eyeShadow', 'blusher', 'faceContour', 'eyeBrow'];

/** A quad and whether the image is drawn mirrored in it (the second of a pair of regions). */
export interface Placement {
  quad: Quad;
  mirrored: boolean;
}

interface FaceFrame {
  ox: number;
  oy: number;
  /** Unit x axis (along the eye line) and y axis (down the face). */
  ux: number;
  uy: number;
  vx: number;
  vy: number;
}

/** The centre of the eye whose six points start at `first` (36: the picture's left eye, 42: its right). */
export function eyeCentre(p: ArrayLike<number>, first: 36 | 42): [number, number] {
  let x = 0;
  let y = 0;
  for (let i = first; i < first + 6; i++) [x, y] = [x + p[2 * i]! / 6, y + p[2 * i + 1]! / 6];
  return [x, y];
}

function frameOf(p: ArrayLike<number>): FaceFrame {
  const [lx, ly] = eyeCentre(p, 36);
  const [rx, ry] = eyeCentre(p, 42);
  const len = Math.hypot(rx - lx, ry - ly) || 1;
  const ux = (rx - lx) / len;
  const uy = (ry - ly) / len;
  return { ox: (lx + rx) / 2, oy: (ly + ry) / 2, ux, uy, vx: -uy, vy: ux };
}

type Box = { x0: number; y0: number; x1: number; y1: number };

/** The box of landmarks `indices` in the face frame. */
function boxOf(p: ArrayLike<number>, f: FaceFrame, indices: readonly number[]): Box {
  const box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  for (const i of indices) {
    const dx = p[2 * i]! - f.ox;
    const dy = p[2 * i + 1]! - f.oy;
    const x = dx * f.ux + dy * f.uy;
    const y = dx * f.vx + dy * f.vy;
    box.x0 = Math.min(box.x0, x);
    box.x1 = Math.max(box.x1, x);
    box.y0 = Math.min(box.y0, y);
    box.y1 = Math.max(box.y1, y);
  }
  return box;
}

/** `box` grown by shares of its width (`mx`) and height (top `mt`, bottom `mb`). */
function grow(box: Box, mx: number, mt: number, mb = mt): Box {
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  return { x0: box.x0 - w * mx, x1: box.x1 + w * mx, y0: box.y0 - h * mt, y1: box.y1 + h * mb };
}

/** The part [x1, y1, x2, y2] (shares of the box, 0–1; beyond reaches outside) of `box`. */
function part(box: Box, [a, b, c, d]: readonly number[]): Box {
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  return { x0: box.x0 + a! * w, y0: box.y0 + b! * h, x1: box.x0 + c! * w, y1: box.y0 + d! * h };
}

/** A face-frame box as a picture quad. */
function quadOf(f: FaceFrame, b: Box): Quad {
  const at = (x: number, y: number): [number, number] => [f.ox + x * f.ux + y * f.vx, f.oy + x * f.uy + y * f.vy];
  return Float32Array.from([...at(b.x0, b.y0), ...at(b.x1, b.y0), ...at(b.x1, b.y1), ...at(b.x0, b.y1)]);
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);

/** Temple to temple, brows to chin: the face box. */
const FACE = [...range(0, 16), ...range(17, 26)];

/**
 * A face sticker's quad: `pos` [x1, y1, x2, y2] in shares of the face box (brows to chin, temple
 * to temple; [0, 0, 1, 1] covers it, [0, −0.8, 1, 0] sits above it like a hat).
 */
export function faceStickerQuad(points: ArrayLike<number>, pos: readonly number[]): Quad {
  const f = frameOf(points);
  return quadOf(f, part(boxOf(points, f, FACE), pos));
}

/**
 * Where a makeup image goes. Paired regions (eye shadow, blusher, eyebrows) get the image on
 * the picture's left one as given and mirrored on the right one.
 */
export function makeupPlacements(points: ArrayLike<number>, kind: MakeupKind): Placement[] {
  const f = frameOf(points);
  const pair = (left: readonly number[], right: readonly number[], shape: (b: Box) => Box): Placement[] => [
    { quad: quadOf(f, shape(boxOf(points, f, left))), mirrored: false },
    { quad: quadOf(f, shape(boxOf(points, f, right))), mirrored: true },
  ];
  switch (kind) {
    case 'lipstick':
      return [{ quad: quadOf(f, grow(boxOf(points, f, range(48, 59)), 0.08, 0.15)), mirrored: false }];
    case 'faceContour':
      return [{ quad: quadOf(f, grow(boxOf(points, f, FACE), 0.04, 0.1, 0.04)), mirrored: false }];
    case 'eyeShadow':
      // From the brow's underside to the lower lid, corner to corner and a little beyond.
      return pair([...range(36, 41), 18, 19, 20], [...range(42, 47), 23, 24, 25], (b) => grow(b, 0.12, 0, 0.1));
    case 'eyeBrow':
      return pair(range(17, 21), range(22, 26), (b) => grow(b, 0.1, 0.6));
    case 'blusher':
      // Between the jaw side, the nostril, the lower lid and the mouth corner.
      return pair([2, 3, 31, 41, 48], [14, 13, 35, 46, 54], (b) => grow(b, -0.1, -0.1));
    default: {
      const never: never = kind;
      return never;
    }
  }
}
