/**
 * PreviewTrack in headless Chromium, both ways of making the preview's track: the frames shown
 * reach a <video> playing its stream, camera frames are cut as the stage cuts them (cover,
 * centred), and every frame handed over is closed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedTestPage } from './harness.js';

const tp = sharedTestPage('test/browser/preview-track.page.ts');

interface Presented {
  width: number;
  height: number;
  left: number[];
  right: number[];
}

for (const kind of ['generator', 'canvas'] as const) {
  test(`${kind}: frames reach the <video>; camera frames are cut to the picture's aspect, centred; all closed`, async () => {
    const r = await tp().page.evaluate(
      (k) => (globalThis as unknown as { previewTrack(k: string): Promise<{ kind: string; stream: number; whole: Presented; cropped: Presented; shown: number; stillOpen: number }> }).previewTrack(k),
      kind,
    );
    console.log(`# ${kind}: ${JSON.stringify(r)}`);
    assert.equal(r.kind, kind);
    assert.equal(r.stream, 1, 'one video track');
    // Whole frames: red at the left edge, blue at the right.
    assert.deepEqual([r.whole.width, r.whole.height], [320, 180]);
    assert.ok(r.whole.left[0]! > 200 && r.whole.right[2]! > 200, JSON.stringify(r.whole));
    // 640×360 cut to 9:16: the middle 202×360 (rounded to even), all of it the green third.
    assert.deepEqual([r.cropped.width, r.cropped.height], [202, 360]);
    for (const side of [r.cropped.left, r.cropped.right]) assert.ok(side[1]! > 200 && side[0]! < 40 && side[2]! < 40, JSON.stringify(r.cropped));
    assert.equal(r.stillOpen, 0, `${r.stillOpen} of ${r.shown} frames left open`);
  });
}
