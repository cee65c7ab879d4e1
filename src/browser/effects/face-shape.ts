/**
 * The geometry of face-thinness and eye-bigness (spec §1 custom-effect), from the 68 landmarks
 * (iBUG 300-W layout: jaw 0–16 from the picture's left, nose bridge 27–30, eyes 36–41 and 42–47
 * with their corners at 36/39 and 42/45) in pushed-picture pixels. Pure: the warp pass
 * (`face-warp-pass.ts`) turns it into uniforms, the Node tests check it directly.
 *
 * Thinness: each jaw point moves towards the face's centre line (nose bridge 27 → chin 8), by a
 * share of its distance to it that peaks at the jaw's sides and fades to nothing at the temples
 * (points 0 and 16) and the chin (which sits on the line). Eyes: a radial magnification centred on
 * each eye, over a disc of the eye's width in radius.
 */
import { eyeCentre } from './face-regions.js';

/**
 * The jaw points that steer the pull: every other one of 2–14 (0, 1, 15, 16 are at the temples
 * and would not move visibly). The pass blends neighbouring pulls smoothly, so seven carry the
 * contour as well as thirteen, at about half the cost per pixel.
 */
export const JAW_POINTS: readonly number[] = [2, 4, 6, 8, 10, 12, 14];
export const JAW_CONTROLS = JAW_POINTS.length;
/** At thinness 1, the share of its distance to the centre line a jaw side point moves. */
const MAX_PULL = 0.3;
/** Reach of each jaw point's pull, as a share of the face width (temple to temple). */
const JAW_REACH = 0.3;
/** At eye-bigness 1, how much the eye's centre is magnified: 1 / (1 − 0.3) ≈ 1.43×. */
const MAX_MAGNIFY = 0.3;
/** The magnified disc's radius, as multiples of the eye's width (corner to corner). */
const EYE_REACH = 1.0;

export interface FaceWarp {
  /** {@link JAW_POINTS} in order, each (x, y, dx, dy): where the jaw point is and how far it moves, pixels. */
  jaw: Float32Array;
  /** Reach of each jaw point's pull, pixels. */
  jawRadius: number;
  /** 2 × (x, y, radius, strength): each eye's centre, magnified disc radius, strength 0–{@link MAX_MAGNIFY}. */
  eyes: Float32Array;
  /** x0, y0, x1, y1: no pixel outside moves (the pass copies them). */
  bounds: Box;
}

type Box = [number, number, number, number];

/** The box round (x, y) pairs, grown by `margin` on every side. */
function boxAround(xy: ArrayLike<number>, margin: number): Box {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    x0 = Math.min(x0, xy[i]!);
    x1 = Math.max(x1, xy[i]!);
    y0 = Math.min(y0, xy[i + 1]!);
    y1 = Math.max(y1, xy[i + 1]!);
  }
  return [x0 - margin, y0 - margin, x1 + margin, y1 + margin];
}

/**
 * The warp for landmarks `points` (68 × (x, y), pixels) at `thinness` and `eyeBigness` (0–1,
 * already scaled by how present the face is).
 */
export function faceWarp(points: ArrayLike<number>, thinness: number, eyeBigness: number): FaceWarp {
  const at = (i: number): [number, number] => [points[2 * i]!, points[2 * i + 1]!];
  const [ax, ay] = at(27);
  const [bx, by] = at(8);
  const len = Math.hypot(bx - ax, by - ay) || 1;
  const dx = (bx - ax) / len;
  const dy = (by - ay) / len;
  const [lx, ly] = at(0);
  const [rx, ry] = at(16);
  const faceWidth = Math.hypot(rx - lx, ry - ly);

  const jaw = new Float32Array(JAW_CONTROLS * 4);
  JAW_POINTS.forEach((i, k) => {
    const [cx, cy] = at(i);
    // The foot of the perpendicular from the jaw point to the centre line.
    const t = (cx - ax) * dx + (cy - ay) * dy;
    const px = ax + dx * t;
    const py = ay + dy * t;
    const share = MAX_PULL * thinness * Math.sin((Math.PI * i) / 16);
    jaw.set([cx, cy, (px - cx) * share, (py - cy) * share], k * 4);
  });
  const jawRadius = JAW_REACH * faceWidth;

  const eyes = new Float32Array(8);
  ([36, 42] as const).forEach((first, k) => {
    const [x, y] = eyeCentre(points, first);
    const [ox, oy] = at(first);
    const [ex, ey] = at(first + 3);
    eyes.set([x, y, EYE_REACH * Math.hypot(ex - ox, ey - oy), MAX_MAGNIFY * eyeBigness], k * 4);
  });

  return {
    jaw,
    jawRadius,
    eyes,
    bounds: boxAround(points, jawRadius + Math.max(eyes[2]!, eyes[6]!)),
  };
}
