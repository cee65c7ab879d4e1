/**
 * bench/effects, person segmentation (spec §3 applySticker type `back`), on the face photo:
 * milliseconds per mask in the segmentation worker at the sizes the overlay pass sends it
 * (144×256 for a 360×640 push, 256×144 for 1280×720: the long side 256), `firstMs` from starting
 * the worker to the first mask (the 13 MB wasm runtime and the model loaded and compiled); and the
 * stage's milliseconds per frame without effects and with a `back` sticker (the read-back for
 * the model on the frames that feed it, and the composite), frames paced at 15 per second so that
 * the worker runs alongside as in a push. bench/effects/effects.ts reports it under
 * `segmentation`; alone:
 *
 *   npx tsx bench/effects/segmentation.ts [--masks 20]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
// @ts-expect-error scripts/bundle.mjs is plain JavaScript without declarations
import { bundleEntry } from '../../scripts/bundle.mjs';
import { startStudio } from '../../src/node/studio/server.js';
import { launchChromium } from '../../test/support/chromium.js';
import { fixture } from '../../test/support/fixtures.js';
import type { BackStageTiming, MaskTiming } from './segmentation-page.js';

export interface SegmentationTiming {
  masks: MaskTiming[];
  stage: BackStageTiming[];
}

type PageApi = {
  timeMasks(url: string, w: number, h: number, n: number): Promise<MaskTiming>;
  timeBackStage(url: string, w: number, h: number, n: number): Promise<BackStageTiming>;
};

/** Adds the in-page half to `page` (a page on the studio) and times `masks` masks and 2 × `masks` frames per size. */
export async function timeSegmentation(page: Page, imageUrl: string, masks: number): Promise<SegmentationTiming> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-segmentation-'));
  try {
    const bundle = path.join(dir, 'segmentation-page.js');
    await bundleEntry(path.relative(process.cwd(), path.resolve(import.meta.dirname, 'segmentation-page.ts')), path.relative(process.cwd(), bundle), { sourcemap: false });
    await page.addScriptTag({ content: await readFile(bundle, 'utf8'), type: 'module' });
    await page.waitForFunction(() => 'timeBackStage' in window);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const result: SegmentationTiming = { masks: [], stage: [] };
  for (const [w, h] of [
    [144, 256],
    [256, 144],
  ] as const) {
    result.masks.push(await page.evaluate(([url, w, h, n]) => (window as unknown as PageApi).timeMasks(url, w, h, n), [imageUrl, w, h, masks] as const));
  }
  for (const [w, h] of [
    [360, 640],
    [1280, 720],
  ] as const) {
    result.stage.push(await page.evaluate(([url, w, h, n]) => (window as unknown as PageApi).timeBackStage(url, w, h, n), [imageUrl, w, h, 2 * masks] as const));
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const masksArg = process.argv.indexOf('--masks');
  const masks = masksArg >= 0 ? Number(process.argv[masksArg + 1]) : 20;
  const studio = await startStudio({ allow: ['rtmp://127.0.0.1:*'] });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(studio.url);
    const face = `data:image/png;base64,${(await readFile(await fixture('face-360x640.png'))).toString('base64')}`;
    const segmentation = await timeSegmentation(page, face, masks);
    const host = { cpus: os.cpus().length, loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100), renderer: 'SwiftShader (--disable-gpu)' };
    process.stdout.write(`${JSON.stringify({ bench: 'effects-segmentation', host, segmentation }, null, 2)}\n`);
  } finally {
    await browser.close();
    await studio.close();
  }
}
