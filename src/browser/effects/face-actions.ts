/**
 * The `active` triggers of applySticker (spec §3, base library 2.14.0): which face actions the
 * 68 landmarks show, frame by frame. −1 (the default) plays the sticker always; 10–17 are face
 * actions, found here; 100–112 are hand gestures, which need a hand model live-pusher does not
 * ship (they are accepted and never fire). Pure: Node-tested on landmark sets.
 *
 * Every measure is a ratio of landmark distances, so it does not depend on the face's size in
 * the picture, and uses the 68-point layout's own indices (iBUG 300-W), which name the person's
 * features whatever the picture's mirroring: 36–41 are the person's right eye, 42–47 the left.
 */

/** `active` values (spec §3 applySticker). */
export const TRIGGER_ALWAYS = -1;
export const FACE_ACTIONS = {
  10: 'mouth open',
  11: 'pout',
  12: 'left eye closed',
  13: 'right eye closed',
  14: 'both eyes closed',
  15: 'eyebrows raised',
  16: 'head shake',
  17: 'nod',
} as const;
export type FaceAction = keyof typeof FACE_ACTIONS;
/** Heart, open palm, victory, fist, one, I love you, thumbs up, OK, rock, six, eight, (unnamed), fist salute. */
export const HAND_GESTURES = { first: 100, last: 112 } as const;

/** An `active` argument: −1 (default), 10–17 or 100–112; throws a TypeError otherwise. */
export function parseTrigger(value: unknown, name: string): number {
  if (value === undefined) return TRIGGER_ALWAYS;
  const ok = value === TRIGGER_ALWAYS || (typeof value === 'number' && (value in FACE_ACTIONS || (Number.isInteger(value) && value >= HAND_GESTURES.first && value <= HAND_GESTURES.last)));
  if (!ok) throw new TypeError(`${name} must be -1 (always), 10–17 (face actions) or 100–112 (hand gestures), got ${JSON.stringify(value)}`);
  return value as number;
}

export function isFaceAction(trigger: number): trigger is FaceAction {
  return trigger in FACE_ACTIONS;
}

export function isHandGesture(trigger: number): boolean {
  return trigger >= HAND_GESTURES.first && trigger <= HAND_GESTURES.last;
}

/**
 * Mouth open: the inner lips' opening (62–66, 61–67, 63–65) over the inner mouth's width
 * (60–64). Closed lips give about 0–0.05 and a smile showing the teeth 0.1–0.25; 0.35 is a
 * mouth clearly dropped open (a spoken vowel reaches it only briefly).
 */
const MOUTH_OPEN = 0.35;
/**
 * Pout: the mouth's width (corners 48–54) over the distance between the eye centres. A relaxed
 * mouth is 0.8–1.0 of it and a smile more; pursed lips bring the corners in to 0.6–0.7.
 */
const POUT_WIDTH = 0.72;
/**
 * A closed eye: the eye aspect ratio of Soukupová and Čech (2016), the lids' two openings over
 * twice the eye's width: 0.25–0.35 open, under 0.2 closed; 0.18 leaves room for squinting.
 */
const EYE_CLOSED = 0.18;
/**
 * Raised brows: the brows' height above the eye centres (over the distance between the eye
 * centres) against this face's own usual height, since brow height varies from face to face
 * far more than raising changes it: raised is 15 % above the running baseline.
 */
const BROWS_RAISED = 1.15;
/** How fast the brow baseline follows a face that is not raising its brows (share per second). */
const BASELINE_RATE = 0.5;
/**
 * Head shake and nod: at least two swings (left-right-left, down-up-down) within the window,
 * each of at least `SWING` of the face's width (yaw: the nose tip's place between the jaw's
 * ends) or height (pitch: the nose tip's place between the eye line and the chin). Turning the
 * head 15° moves the nose tip about 0.1 of the face's width, and nodding 15° about 0.06 of its
 * height; the landmarks reach the stage smoothed, which takes some of it away.
 */
const SWING_WINDOW_MS = 1500;
const YAW_SWING = 0.06;
const PITCH_SWING = 0.04;
const SWINGS = 2;

type Points = ArrayLike<number>;
const dist = (p: Points, a: number, b: number): number => Math.hypot(p[2 * a]! - p[2 * b]!, p[2 * a + 1]! - p[2 * b + 1]!);

function centre(p: Points, first: number, count: number): [number, number] {
  let x = 0;
  let y = 0;
  for (let i = first; i < first + count; i++) [x, y] = [x + p[2 * i]! / count, y + p[2 * i + 1]! / count];
  return [x, y];
}

/** The measures of one landmark set, each a ratio (see the thresholds above). */
export interface FaceMeasures {
  mouthOpening: number;
  mouthWidth: number;
  /** Eye aspect ratios of the person's left (42–47) and right (36–41) eye. */
  leftEye: number;
  rightEye: number;
  browHeight: number;
  yaw: number;
  pitch: number;
}

const eyeAspect = (p: Points, f: number): number => (dist(p, f + 1, f + 5) + dist(p, f + 2, f + 4)) / (2 * dist(p, f, f + 3) || 1);

export function measureFace(p: Points): FaceMeasures {
  const [rx, ry] = centre(p, 36, 6);
  const [lx, ly] = centre(p, 42, 6);
  const iod = Math.hypot(lx - rx, ly - ry) || 1;
  // The brows' height above the eye line, perpendicular to it (a tilted head keeps its measure).
  const [bx, by] = centre(p, 17, 10);
  const [ex, ey] = [(lx + rx) / 2, (ly + ry) / 2];
  const [nx, ny] = [-(ly - ry) / iod, (lx - rx) / iod];
  const browHeight = -((bx - ex) * nx + (by - ey) * ny) / iod;
  // Yaw and pitch by where the nose tip (30) sits, as shares along the face's width and height.
  const along = (x: number, y: number, [ax, ay]: [number, number], [cx, cy]: [number, number]): number => {
    const [dx, dy] = [cx - ax, cy - ay];
    return ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy || 1);
  };
  const nose: [number, number] = [p[60]!, p[61]!];
  return {
    mouthOpening: (dist(p, 61, 67) + dist(p, 62, 66) + dist(p, 63, 65)) / 3 / (dist(p, 60, 64) || 1),
    mouthWidth: dist(p, 48, 54) / iod,
    leftEye: eyeAspect(p, 42),
    rightEye: eyeAspect(p, 36),
    browHeight,
    yaw: along(...nose, [p[0]!, p[1]!], [p[32]!, p[33]!]),
    pitch: along(...nose, [ex, ey], [p[16]!, p[17]!]),
  };
}

/** How many swings of at least `size` the values make (a swing: a move of `size` that turns back). */
export function countSwings(values: readonly number[], size: number): number {
  let swings = 0;
  let low = values[0] ?? 0;
  let high = low;
  let direction = 0;
  for (const v of values) {
    low = Math.min(low, v);
    high = Math.max(high, v);
    if (direction >= 0 && high - v >= size) {
      // Came down by `size` from the last peak.
      if (direction > 0) swings++;
      direction = -1;
      low = high = v;
    } else if (direction <= 0 && v - low >= size) {
      if (direction < 0) swings++;
      direction = 1;
      low = high = v;
    }
  }
  return swings;
}

/** Follows one face over time and says which actions (10–17) it shows now. */
export class FaceActionDetector {
  private browBaseline: number | undefined;
  private lastTime: number | undefined;
  private readonly history: { time: number; yaw: number; pitch: number }[] = [];

  /** The actions the landmarks `points` show at `timeMs` (any clock in ms, increasing). */
  update(points: Points, timeMs: number): Set<FaceAction> {
    const m = measureFace(points);
    const actions = new Set<FaceAction>();
    if (m.mouthOpening > MOUTH_OPEN) actions.add(10);
    else if (m.mouthWidth < POUT_WIDTH) actions.add(11);
    const left = m.leftEye < EYE_CLOSED;
    const right = m.rightEye < EYE_CLOSED;
    if (left && right) actions.add(14);
    else if (left) actions.add(12);
    else if (right) actions.add(13);

    const seconds = this.lastTime === undefined ? 0 : Math.max(0, (timeMs - this.lastTime) / 1000);
    this.lastTime = timeMs;
    this.browBaseline ??= m.browHeight;
    if (m.browHeight > this.browBaseline * BROWS_RAISED) actions.add(15);
    else this.browBaseline += (m.browHeight - this.browBaseline) * Math.min(1, seconds * BASELINE_RATE);

    this.history.push({ time: timeMs, yaw: m.yaw, pitch: m.pitch });
    while (this.history.length > 0 && this.history[0]!.time < timeMs - SWING_WINDOW_MS) this.history.shift();
    if (countSwings(this.history.map((h) => h.yaw), YAW_SWING) >= SWINGS) actions.add(16);
    if (countSwings(this.history.map((h) => h.pitch), PITCH_SWING) >= SWINGS) actions.add(17);
    return actions;
  }

  /** Forgets the face (it left the picture): the next one starts afresh. */
  reset(): void {
    this.browBaseline = this.lastTime = undefined;
    this.history.length = 0;
  }
}
