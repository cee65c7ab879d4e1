/**
 * bench/effects: milliseconds per frame of the picture stage (scale/crop, then face-thinness and
 * eye-bigness 1, beauty 9 smooth, whiteness 9, the `romantic` look and an applyFilter table at
 * alpha 0.5) at 360×640 and 1280×720, all effects off, each alone, and all on, in headless
 * Chromium with software WebGL (SwiftShader, as on this machine). First, the face landmark
 * worker's milliseconds per detection on a face photo (the test fixture), with the detector and
 * tracking with the landmark net alone; its landmarks drive the face warp's timing. Each figure includes the wait for the frame to finish (a 1-pixel read
 * back), so it is the stage's share of a frame's budget (66.7 ms at 15 fps, 33.3 ms at 30 fps).
 * Then the sustained pushed frame rate with every effect on (beauty 9, whiteness 9, romantic,
 * face-thinness and eye-bigness 1: the landmark worker runs, though the fake camera shows no
 * face, so the detector runs on every picture): the element pushes the fake camera for 8 s to nginx-rtmp, and the recording's video packets
 * after the first second give the fps (target: 15 at 360×640@15, ≥ 25 at 1280×720@30).
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
import { fixture } from '../../test/support/fixtures.js';
import { probePackets } from '../../test/support/ffprobe.js';
import { startNginxRtmp } from '../../test/support/nginx-rtmp.js';
import type { LandmarkTiming, StageTiming } from './page.js';
import { timeSegmentation } from './segmentation.js';

const framesArg = process.argv.indexOf('--frames');
const FRAMES = framesArg >= 0 ? Number(process.argv[framesArg + 1]) : 60;

const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-effects-'));
const bundle = path.join(dir, 'page.js');
await bundleEntry(path.relative(process.cwd(), path.resolve(import.meta.dirname, 'page.ts')), path.relative(process.cwd(), bundle), { sourcemap: false });
const nginx = await startNginxRtmp();
const studio = await startStudio({ allow: ['rtmp://127.0.0.1:*'] });
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  // The studio's origin is http://127.0.0.1: a secure context, where VideoFrame exists.
  await page.goto(studio.url);
  await page.addScriptTag({ content: await readFile(bundle, 'utf8'), type: 'module' });
  await page.waitForFunction(() => 'timeStage' in window);
  const face = `data:image/png;base64,${(await readFile(await fixture('face-360x640.png'))).toString('base64')}`;
  const landmarks = await page.evaluate(
    ([url, n]) => (window as unknown as { timeLandmarks(url: string, n: number): Promise<LandmarkTiming> }).timeLandmarks(url, n),
    [face, 28] as const,
  );
  const segmentation = await timeSegmentation(page, face, 20);
  const results: StageTiming[] = [];
  for (const [width, height] of [
    [360, 640],
    [1280, 720],
  ] as const) {
    for (const effects of ['off', 'face', 'beauty', 'whiteness', 'filter', 'applyFilter', 'on'] as const) {
      results.push(
        await page.evaluate(([w, h, e, n]) => (window as unknown as { timeStage(w: number, h: number, e: string, n: number): Promise<StageTiming> }).timeStage(w, h, e, n), [width, height, effects, FRAMES] as const),
      );
    }
  }
  const pushed: { config: string; fps: number }[] = [];
  for (const [config, attrs] of [
    ['360x640@15', {}],
    ['1280x720@30', { mode: 'FHD', orientation: 'horizontal', fps: '30' }],
  ] as const) {
    const stream = `fx-${pushed.length}`;
    const p = await browser.newPage();
    await p.goto(studio.url);
    await p.evaluate(
      ([url, extra]) => {
        const el = document.createElement('live-pusher');
        el.id = 'bench'; // the studio page has its own (idle) pusher too
        const all = { url, autopush: '', beauty: '9', whiteness: '9', filter: 'romantic', 'custom-effect': '', 'face-thinness': '1', 'eye-bigness': '1' };
        for (const [k, v] of Object.entries({ ...all, ...extra })) el.setAttribute(k, v);
        document.body.append(el);
      },
      [nginx.url('live', stream), attrs as Record<string, string>] as const,
    );
    await p.waitForFunction(() => document.getElementById('bench')?.getAttribute('state') === 'pushing', undefined, { timeout: 20_000 });
    await p.waitForTimeout(8000);
    await p.close();
    const video = (await probePackets(await nginx.waitForRecording(stream))).filter((k) => k.codecType === 'video' && k.dtsMs! >= 1000);
    const span = (video.at(-1)!.dtsMs! - video[0]!.dtsMs!) / 1000;
    pushed.push({ config, fps: Math.round(((video.length - 1) / span) * 10) / 10 });
  }
  const info = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100), renderer: 'SwiftShader (--disable-gpu)' };
  process.stdout.write(`${JSON.stringify({ bench: 'effects', host: info, frames: FRAMES, landmarks, segmentation, results, pushedWithAllEffects: pushed }, null, 2)}\n`);
} finally {
  await browser.close();
  await studio.close();
  await nginx.stop();
  await rm(dir, { recursive: true, force: true });
}
