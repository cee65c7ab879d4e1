/** The picture measures the picture, face and preview tests read their verdicts from. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colourDistance, meanColour } from './rgb-frames.js';

/** A 4×2 frame: every pixel `rgb`, with pixel (x, y) set to `at` when given. */
function frame(rgb: [number, number, number], at?: { x: number; y: number; rgb: [number, number, number] }): Uint8Array {
  const f = new Uint8Array(4 * 2 * 3);
  for (let p = 0; p < 8; p++) f.set(rgb, p * 3);
  if (at) f.set(at.rgb, (at.y * 4 + at.x) * 3);
  return f;
}

test('colourDistance: the mean absolute RGB difference over the frame or a box, edges rounded and clamped', () => {
  const grey = frame([100, 100, 100]);
  const spot = frame([100, 100, 100], { x: 3, y: 1, rgb: [130, 70, 100] });
  assert.equal(colourDistance(grey, grey, 4), 0);
  assert.equal(colourDistance(grey, spot, 4), 60 / 24);
  assert.equal(colourDistance(grey, spot, 4, { x0: 2, y0: 1, x1: 4, y1: 2 }), 60 / 6);
  assert.equal(colourDistance(grey, spot, 4, { x0: 0, y0: 0, x1: 3, y1: 2 }), 0, 'column 3 is outside x1 = 3');
  assert.equal(colourDistance(grey, spot, 4, { x0: 2.6, y0: -5, x1: 9, y1: 1.6 }), 60 / 6, 'x0 rounds to 3, the rest clamps');
});

test('meanColour: per channel over the frame or a box', () => {
  const spot = frame([0, 0, 0], { x: 0, y: 0, rgb: [80, 160, 240] });
  assert.deepEqual(meanColour(spot, 4), [10, 20, 30]);
  assert.deepEqual(meanColour(spot, 4, { x0: 0, y0: 0, x1: 2, y1: 1 }), [40, 80, 120]);
  assert.deepEqual(meanColour(spot, 4, { x0: 1, y0: 0, x1: 4, y1: 2 }), [0, 0, 0]);
});
