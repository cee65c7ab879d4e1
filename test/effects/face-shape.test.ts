/** The face warp's geometry from 68 landmarks (face-shape.ts): directions, symmetry, strengths. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faceWarp, JAW_POINTS } from '../../src/browser/effects/face-shape.js';

/**
 * A symmetric face in the 68-point layout, centred on x = 100: the jaw a half ellipse from the
 * left temple (0) through the chin (8) to the right temple (16), the nose bridge 27–30 on the
 * centre line, eyes 36–41 and 42–47 as hexagons 24 px wide. Other points sit on the centre line.
 */
function face(): number[] {
  const p = new Array<number>(136).fill(0);
  const set = (i: number, x: number, y: number): void => void p.splice(2 * i, 2, x, y);
  for (let i = 0; i < 68; i++) set(i, 100, 110);
  for (let i = 0; i <= 16; i++) {
    const a = Math.PI - (Math.PI * i) / 16;
    set(i, 100 + 60 * Math.cos(a), 80 + 70 * Math.sin((Math.PI * i) / 16));
  }
  for (let i = 27; i <= 30; i++) set(i, 100, 70 + (i - 27) * 10);
  for (const [first, cx] of [
    [36, 76],
    [42, 124],
  ] as const) {
    for (let k = 0; k < 6; k++) {
      const a = Math.PI + (Math.PI * k) / 3;
      set(first + k, cx + 12 * Math.cos(a), 75 + 5 * Math.sin(a));
    }
  }
  return p;
}

/** The same points turned by `angle` round (100, 100). */
function rotate(p: number[], angle: number): number[] {
  const out = [...p];
  for (let i = 0; i < p.length; i += 2) {
    const x = p[i]! - 100;
    const y = p[i + 1]! - 100;
    out[i] = 100 + x * Math.cos(angle) - y * Math.sin(angle);
    out[i + 1] = 100 + x * Math.sin(angle) + y * Math.cos(angle);
  }
  return out;
}

/** The pull of jaw point `i` (one of {@link JAW_POINTS}). */
const pull = (w: ReturnType<typeof faceWarp>, i: number): [number, number] => {
  const k = JAW_POINTS.indexOf(i) * 4;
  assert.ok(k >= 0, `jaw point ${i} steers the pull`);
  return [w.jaw[k + 2]!, w.jaw[k + 3]!];
};

test('at 0 nothing moves', () => {
  const w = faceWarp(face(), 0, 0);
  for (const i of JAW_POINTS) assert.ok(pull(w, i)[0] === 0 && pull(w, i)[1] === 0, `jaw point ${i} stays`);
  assert.ok(w.eyes[3] === 0 && w.eyes[7] === 0, 'the eyes stay');
});

test('thinness pulls each jaw point straight towards the centre line, most at the jaw sides, symmetrically', () => {
  const p = face();
  const w = faceWarp(p, 1, 0);
  for (const i of JAW_POINTS.filter((j) => j < 8)) {
    const [dx, dy] = pull(w, i);
    const [mx, my] = pull(w, 16 - i);
    assert.ok(dx > 0 && Math.abs(dy) < 1e-9, `point ${i} moves right, horizontally: ${dx}, ${dy}`);
    assert.ok(Math.abs(dx + mx) < 1e-9 && Math.abs(dy - my) < 1e-9, `point ${16 - i} mirrors point ${i}`);
  }
  assert.ok(Math.hypot(...pull(w, 8)) < 1e-9, 'the chin, on the centre line, stays');
  assert.ok(pull(w, 4)[0] > pull(w, 2)[0], 'the jaw side moves more than near the temple');
  // Half the strength, half the pull.
  assert.ok(Math.abs(pull(faceWarp(p, 0.5, 0), 4)[0] - pull(w, 4)[0] / 2) < 1e-9);
});

test('a tilted face is pulled across its own centre line', () => {
  const angle = 0.35;
  const w = faceWarp(rotate(face(), angle), 1, 0);
  const axis = [-Math.sin(angle), Math.cos(angle)]; // the centre line's direction, turned
  for (const i of JAW_POINTS) {
    const [dx, dy] = pull(w, i);
    assert.ok(Math.abs(dx * axis[0]! + dy * axis[1]!) < 1e-6, `point ${i}'s pull is across the line`);
  }
});

test('eye-bigness magnifies a disc of the eye width round each eye centre', () => {
  const w = faceWarp(face(), 0, 1);
  assert.deepEqual(
    Array.from(w.eyes, (v) => Math.round(v * 1000) / 1000),
    [76, 75, 24, 0.3, 124, 75, 24, 0.3],
  );
  assert.ok(Math.abs(faceWarp(face(), 0, 0.5).eyes[3]! - 0.15) < 1e-6);
});

test('the bounds hold every landmark with the reach of the pulls around them', () => {
  const p = face();
  const w = faceWarp(p, 1, 1);
  const [x0, y0, x1, y1] = w.bounds;
  for (let i = 0; i < p.length; i += 2) {
    assert.ok(p[i]! - w.jawRadius >= x0 && p[i]! + w.jawRadius <= x1);
    assert.ok(p[i + 1]! - w.jawRadius >= y0 && p[i + 1]! + w.jawRadius <= y1);
  }
});
