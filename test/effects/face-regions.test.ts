/** Where face stickers and makeup go (face-regions.ts), on a synthetic 68-point face, upright and tilted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faceStickerQuad, makeupPlacements, MAKEUP_KINDS } from '../../src/browser/effects/face-regions.js';

/**
 * An upright face: eyes at y = 100 (centres x = 80 and 120), brows at y = 85, nose 27–35 down the
 * middle, mouth 48–59 round (100, 160), jaw 0–16 from (50, 100) round to the chin (100, 190).
 */
function face(): number[] {
  const p = new Array<number>(136).fill(0);
  const set = (i: number, x: number, y: number): void => void p.splice(2 * i, 2, x, y);
  for (let i = 0; i <= 16; i++) {
    const a = Math.PI - (Math.PI * i) / 16;
    set(i, 100 + 50 * Math.cos(a), 100 + 90 * Math.sin((Math.PI * i) / 16));
  }
  for (let k = 0; k < 5; k++) {
    set(17 + k, 64 + 8 * k, 85);
    set(22 + k, 104 + 8 * k, 85);
  }
  for (let i = 27; i <= 35; i++) set(i, 100, 100 + (i - 27) * 4);
  for (const [first, cx] of [
    [36, 80],
    [42, 120],
  ] as const) {
    for (let k = 0; k < 6; k++) set(first + k, cx + 10 * Math.cos(Math.PI + (Math.PI * k) / 3), 100 + 4 * Math.sin(Math.PI + (Math.PI * k) / 3));
  }
  for (let k = 0; k < 12; k++) set(48 + k, 100 + 20 * Math.cos(Math.PI + (Math.PI * k) / 6), 160 + 8 * Math.sin(Math.PI + (Math.PI * k) / 6));
  return p;
}

function rotate(p: number[], angle: number): number[] {
  return p.map((v, i) => {
    const x = (i % 2 ? p[i - 1]! : v) - 100;
    const y = (i % 2 ? v : p[i + 1]!) - 100;
    return 100 + (i % 2 ? x * Math.sin(angle) + y * Math.cos(angle) : x * Math.cos(angle) - y * Math.sin(angle));
  });
}

const round = (q: ArrayLike<number>): number[] => Array.from(q, (v) => Math.round(v * 100) / 100);

test('a face sticker at [0, 0, 1, 1] covers the face box; pos reaches beyond it', () => {
  // Face box in the eye frame: x −50…50 (temples), y −15 (brows)…90 (chin), origin (100, 100).
  assert.deepEqual(round(faceStickerQuad(face(), [0, 0, 1, 1])), [50, 85, 150, 85, 150, 190, 50, 190]);
  assert.deepEqual(round(faceStickerQuad(face(), [0.25, -0.5, 0.75, 0])), [75, 32.5, 125, 32.5, 125, 85, 75, 85]);
});

test('lipstick covers the mouth; paired regions come as the left one and the mirrored right one', () => {
  const p = face();
  const [lips] = makeupPlacements(p, 'lipstick');
  const [x0, y0, x1, , , y2] = lips!.quad;
  assert.ok(x0! < 80 && x1! > 120 && y0! < 152 && y2! > 168, `the quad holds the mouth: ${round(lips!.quad)}`);
  for (const kind of ['eyeShadow', 'blusher', 'eyeBrow'] as const) {
    const [left, right] = makeupPlacements(p, kind);
    assert.deepEqual([left!.mirrored, right!.mirrored], [false, true], kind);
    // Mirror images of each other about x = 100.
    assert.deepEqual(round([200 - right!.quad[2]!, right!.quad[3]!]), round([left!.quad[0]!, left!.quad[1]!]), kind);
  }
  for (const kind of MAKEUP_KINDS) assert.ok(makeupPlacements(p, kind).length >= 1, kind);
});

test('a tilted face tilts what is placed on it', () => {
  const angle = 0.3;
  const upright = faceStickerQuad(face(), [0, 0, 1, 1]);
  const tilted = faceStickerQuad(rotate(face(), angle), [0, 0, 1, 1]);
  assert.deepEqual(round(tilted), round(rotate(Array.from(upright), angle)));
});
