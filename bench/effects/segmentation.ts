/**
 * bench/effects, person segmentation (spec §3 applySticker type `back`): milliseconds per mask in
 * the segmentation worker (the bundle's segmentation-worker.js, served by the studio) on the face
 * photo at the sizes the overlay pass sends it: 144×256 for a 360×640 push and 256×144 for
 * 1280×720 (the long side 256). `firstMs` is from starting the worker to the first mask (the
 * 13 MB wasm runtime and the model loaded and compiled). bench/effects/effects.ts reports it
 * under `segmentation`; alone:
 *
 *   npx tsx bench/effects/segmentation.ts [--masks 20]
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { startStudio } from '../../src/node/studio/server.js';
import { launchChromium } from '../../test/support/chromium.js';
import { fixture } from '../../test/support/fixtures.js';

export interface SegmentationTiming {
  width: number;
  height: number;
  firstMs: number;
  masks: number;
  meanMs: number;
  p95Ms: number;
}

/** Times `masks` masks of the picture at `imageUrl` scaled to each size, in a fresh worker each (a page on the studio). */
export async function timeSegmentation(page: Page, imageUrl: string, masks: number): Promise<SegmentationTiming[]> {
  const out: SegmentationTiming[] = [];
  for (const [width, height] of [
    [144, 256],
    [256, 144],
  ] as const) {
    out.push(
      await page.evaluate(
        async ([url, w, h, n]) => {
          // (No local named functions in here: tsx's keepNames would reference a __name the page lacks.)
          const canvas = new OffscreenCanvas(w, h);
          const g = canvas.getContext('2d')!;
          g.drawImage(await createImageBitmap(await (await fetch(url)).blob()), 0, 0, w, h);
          const start = performance.now();
          const worker = new Worker('/segmentation-worker.js', { type: 'module' });
          const files = new URL('/segmentation/', location.href).href;
          type Reply = { type: string; ms?: number; message?: string };
          const waiting: ((reply: Reply) => void)[] = [];
          worker.onmessage = (e) => waiting.shift()?.(e.data);
          let next = new Promise<Reply>((resolve) => waiting.push(resolve));
          worker.postMessage({ type: 'init', wasmLoaderUrl: `${files}vision_wasm_module_internal.js`, wasmBinaryUrl: `${files}vision_wasm_module_internal.wasm`, modelUrl: `${files}selfie_segmentation.tflite` });
          const ready = await next;
          if (ready.type !== 'ready') throw new Error(`segmentation worker: ${ready.message}`);
          const times: number[] = [];
          let firstMs = 0;
          for (let id = 1; id <= n + 1; id++) {
            next = new Promise<Reply>((resolve) => waiting.push(resolve));
            worker.postMessage({ type: 'segment', id, image: g.getImageData(0, 0, w, h) });
            const mask = await next;
            if (mask.type !== 'mask') throw new Error(`segmentation worker: ${mask.message}`);
            // The first mask pays the runtime's warm-up (XNNPACK packs the weights): counted in firstMs only.
            if (id === 1) firstMs = performance.now() - start;
            else times.push(mask.ms!);
          }
          worker.terminate();
          times.sort((a, b) => a - b);
          const [mean, p95] = [times.reduce((s, v) => s + v, 0) / n, times[Math.ceil(n * 0.95) - 1]!];
          return { width: w, height: h, firstMs: Math.round(firstMs), masks: n, meanMs: Math.round(mean * 10) / 10, p95Ms: Math.round(p95 * 10) / 10 };
        },
        [imageUrl, width, height, masks] as const,
      ),
    );
  }
  return out;
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
    const host = { cpus: os.cpus().length, loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100) };
    process.stdout.write(`${JSON.stringify({ bench: 'effects-segmentation', host, segmentation }, null, 2)}\n`);
  } finally {
    await browser.close();
    await studio.close();
  }
}
