/**
 * bench/preview: what the preview costs (issue 6: the preview shows the stage's pictures). In
 * headless Chromium (software WebGL, the fake 640×480 camera at 20 fps), a `<live-pusher>` at its
 * defaults (360×640 at 15 fps) previews or pushes to nginx-rtmp with no effect, with the `blues`
 * look, and with beauty 9 and the look; for each, the CPU seconds per second of every Chromium
 * process together (CDP SystemInfo.getProcessInfo) and the frames per second the preview
 * `<video>` presents, over a window after a warm-up, and for a push the frames per second that
 * reached nginx-rtmp (the recording's video packets after the warm-up). Rounds are interleaved and the median kept,
 * as the machine is shared. Run it from an older checkout to compare (the figures then are for
 * that checkout's preview). Prints JSON.
 *
 *   npx tsx bench/preview/preview.ts [--rounds 3] [--seconds 6]
 */
import type { Browser } from 'playwright-core';
import os from 'node:os';
import { startStudio } from '../../src/node/studio/server.js';
import { launchChromium } from '../../test/support/chromium.js';
import { probePackets } from '../../test/support/ffprobe.js';
import { startNginxRtmp } from '../../test/support/nginx-rtmp.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('--rounds', 3);
const SECONDS = arg('--seconds', 6);
const WARM_UP_MS = 3000;

const CONFIGS: { name: string; push: boolean; attributes: Record<string, string> }[] = [
  { name: 'preview, no effect', push: false, attributes: {} },
  { name: 'preview, blues', push: false, attributes: { filter: 'blues' } },
  { name: 'preview, beauty 9 + blues', push: false, attributes: { filter: 'blues', beauty: '9' } },
  { name: 'push, no effect', push: true, attributes: {} },
  { name: 'push, blues', push: true, attributes: { filter: 'blues' } },
];

/** CPU seconds used so far by every process of the browser. */
async function browserCpuSeconds(browser: Browser): Promise<number> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { cpuTime: number }[] };
    return processInfo.reduce((sum, p) => sum + p.cpuTime, 0);
  } finally {
    await cdp.detach();
  }
}

const nginx = await startNginxRtmp();
const studio = await startStudio({ allow: ['rtmp://127.0.0.1:*'] });
const browser = await launchChromium();
const samples = new Map<string, { cpu: number; fps: number; pushedFps?: number }[]>();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const config of CONFIGS) {
      const stream = `bench-preview-${round}-${CONFIGS.indexOf(config)}`;
      const page = await browser.newPage();
      await page.goto(studio.url);
      await page.evaluate(
        async ([attrs, url]) => {
          await customElements.whenDefined('live-pusher');
          const el = document.createElement('live-pusher');
          el.id = 'bench'; // the studio page has its own (idle) pusher too
          for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
          if (url) el.setAttribute('url', url);
          document.body.append(el);
          const { createLivePusherContext } = (await import('/live-pusher.js' as string)) as { createLivePusherContext(id: string): Record<string, () => Promise<unknown>> };
          const ctx = createLivePusherContext('bench');
          await (url ? ctx.start!() : ctx.startPreview!());
        },
        [config.attributes, config.push ? nginx.url('live', stream) : ''] as const,
      );
      // A string: tsx would wrap a named function in a __name() the page does not have.
      await page.evaluate(`(() => {
        const video = document.getElementById('bench').shadowRoot.querySelector('video');
        window.presented = 0;
        const count = (now, meta) => { window.presented = meta.presentedFrames; video.requestVideoFrameCallback(count); };
        video.requestVideoFrameCallback(count);
      })()`);
      await page.waitForTimeout(WARM_UP_MS);
      const [cpu0, frames0, t0] = [await browserCpuSeconds(browser), (await page.evaluate('window.presented')) as number, performance.now()];
      await page.waitForTimeout(SECONDS * 1000);
      const [cpu1, frames1, t1] = [await browserCpuSeconds(browser), (await page.evaluate('window.presented')) as number, performance.now()];
      const seconds = (t1 - t0) / 1000;
      await page.close();
      const list = samples.get(config.name) ?? [];
      let pushedFps: number | undefined;
      if (config.push) {
        const video = (await probePackets(await nginx.waitForRecording(stream))).filter((p) => p.codecType === 'video' && p.dtsMs! >= WARM_UP_MS);
        pushedFps = (video.length - 1) / ((video.at(-1)!.dtsMs! - video[0]!.dtsMs!) / 1000);
      }
      list.push({ cpu: (cpu1 - cpu0) / seconds, fps: (frames1 - frames0) / seconds, ...(pushedFps !== undefined ? { pushedFps } : {}) });
      samples.set(config.name, list);
    }
  }
} finally {
  await browser.close();
  await studio.close();
  await nginx.stop();
}
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(
  JSON.stringify(
    {
      loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))),
      rounds: ROUNDS,
      seconds: SECONDS,
      results: [...samples].map(([name, list]) => ({
        config: name,
        cpuSecondsPerSecond: Number(median(list.map((s) => s.cpu)).toFixed(3)),
        previewFps: Number(median(list.map((s) => s.fps)).toFixed(1)),
        ...(list[0]!.pushedFps !== undefined ? { pushedFps: Number(median(list.map((s) => s.pushedFps!)).toFixed(1)) } : {}),
      })),
    },
    null,
    2,
  ),
);
