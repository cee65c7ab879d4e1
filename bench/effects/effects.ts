/**
 * bench/effects: milliseconds per frame of the picture stage (scale/crop, then beauty 9 smooth,
 * whiteness 9, the `romantic` look and an applyFilter table at alpha 0.5) at 360×640 and
 * 1280×720, all effects off, each alone, and all on, in headless Chromium with software WebGL (SwiftShader,
 * as on this machine). Each figure includes the wait for the frame to finish (a 1-pixel read
 * back), so it is the stage's share of a frame's budget (66.7 ms at 15 fps, 33.3 ms at 30 fps).
 * Prints JSON.
 *
 *   npx tsx bench/effects/effects.ts [--frames 60]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error scripts/bundle.mjs is plain JavaScript without declarations
import { bundleEntry } from '../../scripts/bundle.mjs';
import { startStudio } from '../../src/node/studio/server.js';
import { launchChromium } from '../../test/support/chromium.js';
import type { StageTiming } from './page.js';

const framesArg = process.argv.indexOf('--frames');
const FRAMES = framesArg >= 0 ? Number(process.argv[framesArg + 1]) : 60;

const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-effects-'));
const bundle = path.join(dir, 'page.js');
await bundleEntry(path.relative(process.cwd(), path.resolve(import.meta.dirname, 'page.ts')), path.relative(process.cwd(), bundle), { sourcemap: false });
const studio = await startStudio({});
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  // The studio's origin is http://127.0.0.1: a secure context, where VideoFrame exists.
  await page.goto(studio.url);
  await page.addScriptTag({ content: await readFile(bundle, 'utf8'), type: 'module' });
  await page.waitForFunction(() => 'timeStage' in window);
  const results: StageTiming[] = [];
  for (const [width, height] of [
    [360, 640],
    [1280, 720],
  ] as const) {
    for (const effects of ['off', 'beauty', 'whiteness', 'filter', 'applyFilter', 'on'] as const) {
      results.push(
        await page.evaluate(([w, h, e, n]) => (window as unknown as { timeStage(w: number, h: number, e: string, n: number): Promise<StageTiming> }).timeStage(w, h, e, n), [width, height, effects, FRAMES] as const),
      );
    }
  }
  const info = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100), renderer: 'SwiftShader (--disable-gpu)' };
  process.stdout.write(`${JSON.stringify({ bench: 'effects', host: info, frames: FRAMES, results }, null, 2)}\n`);
} finally {
  await browser.close();
  await studio.close();
  await rm(dir, { recursive: true, force: true });
}
