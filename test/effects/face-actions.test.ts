/**
 * The applySticker `active` triggers (face-actions.ts): which face actions a landmark set shows.
 * The neutral face is the landmark model's answer on the e2e tests' face photo (face-api's
 * sample3.jpg cropped: a smile showing the teeth, eyes open, head turned a little); each action
 * is that face with the feature moved as the action moves it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countSwings, FaceActionDetector, measureFace, parseTrigger } from '../../src/browser/effects/face-actions.js';

// prettier-ignore
const PHOTO = [
  108.6,196.7,106.2,217.2,106.4,236.8,108.4,253.7,112.6,273.3,120.7,288.8,130.1,300.8,141.6,313.4,162.5,323.7,187,323.2,207.5,318.3,226.2,311.9,
  241.8,299.5,254.3,282.9,260.2,265.5,266.7,246.2,272,225.1,122.7,180.9,131.5,177.6,142.4,178.2,151.5,181.6,160.8,187,195.6,195.6,207.2,194.6,
  219.8,195.2,233.1,200,243.4,207.5,174.3,212.3,170.2,225.3,165.9,237,162.7,248.5,154.4,252.9,159,256.4,165.3,259.3,173.1,258.6,180.2,258.5,
  134.9,199.7,140.9,199.1,150.8,200.7,158.7,207.5,150.6,209,140.7,206,196.7,215.8,205.5,212.3,215.8,214.6,223.7,219.7,214.9,222,204.5,219.8,
  141.2,272.6,148.4,270.2,158.5,270.5,164.5,272.8,170.7,272.7,184.2,278.7,197.1,284.9,183,290,172.3,292.6,162.4,292,154.6,288.6,147.5,283.1,
  143.4,272.9,156.4,275.9,164,277.9,172.9,280.1,193.7,284.2,172.8,283.5,164.3,282.3,156.8,280.2,
];

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);
/** The photo's landmarks with `indices` moved by (dx, dy), or by `move(x, y)`. */
function moved(indices: readonly number[], move: (x: number, y: number) => [number, number], base = PHOTO): number[] {
  const p = [...base];
  for (const i of indices) [p[2 * i], p[2 * i + 1]] = move(p[2 * i]!, p[2 * i + 1]!);
  return p;
}
const iod = 63; // about the distance between the photo's eye centres, px

function actionsOf(points: number[]): number[] {
  return [...new FaceActionDetector().update(points, 0)].sort();
}

test('the photo shows no action: a smile is not an open mouth', () => {
  const m = measureFace(PHOTO);
  assert.ok(m.mouthOpening > 0.05 && m.mouthOpening < 0.2, `the smile opens the lips a little: ${m.mouthOpening}`);
  assert.deepEqual(actionsOf(PHOTO), []);
});

test('a dropped jaw is mouth open (10); pursed lips are a pout (11)', () => {
  const open = moved([...range(55, 59), ...range(65, 67), ...range(5, 11)], (x, y) => [x, y + 0.45 * iod]);
  assert.ok(measureFace(open).mouthOpening > 0.35, `${measureFace(open).mouthOpening}`);
  assert.deepEqual(actionsOf(open), [10]);
  const [cx, cy] = [(PHOTO[2 * 48]! + PHOTO[2 * 54]!) / 2, (PHOTO[2 * 48 + 1]! + PHOTO[2 * 54 + 1]!) / 2];
  const pout = moved(range(48, 67), (x, y) => [cx + (x - cx) * 0.7, cy + (y - cy) * 0.7]);
  assert.deepEqual(actionsOf(pout), [11]);
});

test('a closed eye: the left (12), the right (13), both (14); the layout names the person’s eyes', () => {
  const close = (first: number, base = PHOTO): number[] => {
    const mid = (PHOTO[2 * first + 1]! + PHOTO[2 * (first + 3) + 1]!) / 2;
    return moved([first + 1, first + 2, first + 4, first + 5], (x) => [x, mid + 0.5], base);
  };
  assert.deepEqual(actionsOf(close(42)), [12], 'points 42–47 are the left eye');
  assert.deepEqual(actionsOf(close(36)), [13], 'points 36–41 are the right eye');
  assert.deepEqual(actionsOf(close(36, close(42))), [14]);
});

test('raised brows (15) are measured against the face’s own brows', () => {
  const detector = new FaceActionDetector();
  for (let t = 0; t < 1000; t += 100) assert.deepEqual([...detector.update(PHOTO, t)], []);
  const raised = moved(range(17, 26), (x, y) => [x, y - 0.1 * iod]);
  assert.deepEqual([...detector.update(raised, 1100)], [15]);
  // A face whose brows sit that high anyway: no action once the baseline knows it.
  const high = new FaceActionDetector();
  for (let t = 0; t < 10_000; t += 100) high.update(raised, t);
  assert.deepEqual([...high.update(raised, 10_000)], []);
});

test('a head shake (16) and a nod (17) are swings over time; a head held turned is neither', () => {
  const nose = range(27, 35);
  const sway = (axis: 0 | 1, amplitude: number, periodMs: number) => (t: number): number[] =>
    moved(nose, (x, y) => {
      const d = amplitude * Math.sin((2 * Math.PI * t) / periodMs);
      return axis === 0 ? [x + d, y] : [x, y + d];
    });
  const run = (frames: (t: number) => number[], ms: number): Set<number> => {
    const detector = new FaceActionDetector();
    let seen = new Set<number>();
    for (let t = 0; t <= ms; t += 33) seen = new Set([...seen, ...detector.update(frames(t), t)]);
    return seen;
  };
  const faceWidth = 165;
  const faceHeight = 120;
  assert.deepEqual([...run(sway(0, 0.08 * faceWidth, 700), 1500)], [16]);
  assert.deepEqual([...run(sway(1, 0.06 * faceHeight, 700), 1500)], [17]);
  assert.deepEqual([...run(() => moved(nose, (x, y) => [x + 0.1 * faceWidth, y]), 1500)], [], 'turned and held');
  assert.deepEqual([...run(sway(0, 0.01 * faceWidth, 700), 1500)], [], 'the model’s jitter');
  assert.deepEqual([...run(sway(0, 0.08 * faceWidth, 6000), 1500)], [], 'one slow turn');
});

test('swings are counted with hysteresis', () => {
  assert.equal(countSwings([0, 0.1, 0, 0.1], 0.06), 2);
  assert.equal(countSwings([0, 0.1, 0.05, 0.1, 0], 0.06), 1);
  assert.equal(countSwings([0, 0.03, 0, 0.03, 0], 0.06), 0);
  assert.equal(countSwings([], 0.06), 0);
});

test('active: −1 by default, 10–17 and 100–112; anything else is a TypeError', () => {
  assert.equal(parseTrigger(undefined, 'active'), -1);
  for (const v of [-1, 10, 17, 100, 112]) assert.equal(parseTrigger(v, 'active'), v);
  for (const v of [0, 9, 18, 99, 113, 10.5, '10', null]) assert.throws(() => parseTrigger(v, 'stickers[0].active'), /^TypeError: stickers\[0\]\.active must be -1/);
});
