/**
 * The stage's two routes for the picture effects give the same picture (issue 6): the GPU route
 * (WebGL2, `picture-pass.ts`) and the CPU route over the camera's I420 (`yuv-picture.ts`, taken
 * where WebGL is software), on one face photo, each effect alone and all together. The CPU route
 * keeps the GLSL's formulas as JavaScript, blends chroma per 2×2 block and reads its tables over
 * Y′CbCr codes, so the two may differ by rounding, not by look: each case checks the effect is
 * there (the GPU picture moved from the camera's) and that the CPU picture is far nearer the
 * GPU's than the camera's is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fixture } from '../support/fixtures.js';
import { sharedTestPage } from './harness.js';
import type { InputFormat, RouteCase } from './picture-routes.page.js';

const tp = sharedTestPage('test/browser/picture-routes.page.ts', { '/picture-worker.js': 'src/browser/effects/picture-worker.ts' });

interface Diff {
  mean: number;
  p99: number;
  max: number;
}

const CASES: RouteCase[] = ['beauty', 'nature', 'whiteness', 'filter', 'applyFilter', 'warp', 'all'];

/** The routes on the photo as a frame of `format`, each of `cases`. */
async function compare(format: InputFormat, cases: RouteCase[]): Promise<Record<RouteCase, { format: string; effect: Diff; routes: Diff }>> {
  const png = [...(await readFile(await fixture('face-360x640.png')))];
  return (await tp().page.evaluate(
    ([bytes, list, f]) => (globalThis as unknown as { compareRoutes(png: number[], cases: string[], format: string): Promise<unknown> }).compareRoutes(bytes, list, f),
    [png, cases, format] as const,
  )) as Record<RouteCase, { format: string; effect: Diff; routes: Diff }>;
}

test('the CPU route gives the GPU route’s picture: each effect alone and all together, on a face photo', async () => {
  const results = await compare('I420', CASES);
  for (const which of CASES) {
    const { effect, routes } = results[which];
    console.log(`# ${which}: effect mean ${effect.mean.toFixed(2)} p99 ${effect.p99}; GPU vs CPU mean ${routes.mean.toFixed(2)} p99 ${routes.p99} max ${routes.max}`);
  }
  for (const which of CASES) {
    const { format, effect, routes } = results[which];
    assert.equal(format, 'I420', `${which}: the CPU route's picture stays I420`);
    assert.ok(effect.mean > 0.5, `${which}: the effect moved the picture (mean ${effect.mean})`);
    // A CPU route that did nothing would differ from the GPU's picture by the effect itself.
    // Measured: the smoothing's pictures differ by a quarter to two fifths of its (small, skin-only)
    // effect, the colour steps' and the warp's by a twentieth or less, about one level in 255.
    assert.ok(routes.mean < effect.mean / 2, `${which}: the routes differ by ${routes.mean}, the effect is ${effect.mean}`);
    if (effect.mean > 5) assert.ok(routes.mean < 2, `${which}: the routes differ by ${routes.mean} levels on average`);
    assert.ok(routes.p99 <= 8, `${which}: 1 % of the channels differ by more than ${routes.p99}`);
  }
});

for (const format of ['I420-601', 'NV12', 'RGBA'] as const)
  test(`the CPU route takes ${format} frames (cameras, a canvas): every effect on, and beauty alone (no colour table)`, async () => {
    const { all, beauty } = await compare(format, ['all', 'beauty']);
    for (const [which, r] of Object.entries({ all, beauty }))
      console.log(`# ${format} ${which}: effect mean ${r.effect.mean.toFixed(2)}; GPU vs CPU mean ${r.routes.mean.toFixed(2)} p99 ${r.routes.p99} max ${r.routes.max}`);
    assert.equal(all.format, 'I420');
    assert.ok(all.effect.mean > 5, `the effects moved the picture (mean ${all.effect.mean})`);
    assert.ok(all.routes.mean < 2 && all.routes.p99 <= 8, JSON.stringify(all.routes));
    // Beauty alone: the camera's codes converted without a table, as the I420 case measured them.
    assert.ok(beauty.routes.mean < beauty.effect.mean / 2 && beauty.routes.p99 <= 8, JSON.stringify(beauty));
  });

test('a picture worker that cannot load is reported once, and the frame it was offered is released', async () => {
  const r = await tp().page.evaluate(() => (globalThis as unknown as { missingWorker(): Promise<{ failed: string; pictures: number; frameClosed: boolean }> }).missingWorker());
  assert.match(r.failed, /picture worker \/no-such-picture-worker\.js failed/);
  assert.equal(r.pictures, 0);
  assert.ok(r.frameClosed);
});
