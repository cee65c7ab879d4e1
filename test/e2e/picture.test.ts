/**
 * The picture effects end to end (issue 6): the element in headless Chromium pushes a known test
 * card (through its `captureSource`) via the studio's gateway to nginx-rtmp; frames decoded from
 * the recording with ffmpeg are measured. The card is static, so any frame of a push shows the
 * same picture and pushes can be compared frame against frame.
 *
 * The card is the pushed size, so where WebGL is software (as here and in CI) the element works
 * the picture pass on its CPU route (the effects README's "Two routes");
 * test/browser/picture-routes.test.ts ties that route to the GPU one.
 *
 * The card (360×640, the default pushed size, so the stage does not rescale):
 *   rows   0–159  skin tone with 2×2-pixel noise (texture for the smoothing to remove)
 *   rows 160–319  grey bars 8 px wide (hard edges, not skin: must keep their detail)
 *   rows 320–479  a horizontal grey ramp 0–255 (mid-tones for whiteness)
 *   rows 480–559  six saturated patches (for the filter looks)
 *   rows 560–639  white 255 on the left, 235 on the right (highlights that must not clip)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { PUSHER_FILTERS } from '../../src/core/attributes.js';
import { startStudio, type Studio } from '../../src/node/studio/server.js';
import { runTool } from '../support/children.js';
import { launchChromium } from '../support/chromium.js';
import { startNginxRtmp, type NginxRtmp } from '../support/nginx-rtmp.js';
import { colourDistance, decodedFrame, meanColour, type PixelBox } from '../support/rgb-frames.js';
import { frameColours } from '../support/ffprobe.js';
import { call, openPusher as openCameraPusher, waitForEvent, type PusherEvent } from './pusher-page.js';
import { startTogether } from '../support/start-together.js';

const W = 360;
const H = 640;

let nginx: NginxRtmp;
let studio: Studio;
let browser: Browser;

before(async () => {
  nginx = await startNginxRtmp();
  await startTogether([startStudio({ allow: ['rtmp://127.0.0.1:*'] }).then((s) => (studio = s)), launchChromium().then((b) => (browser = b))]);
});
after(async () => {
  await browser?.close();
  await studio?.close();
  await nginx?.stop();
});

/** Opens the studio page with a `<live-pusher>` whose camera is the test card. */
async function openPusher(attributes: Record<string, string>): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(studio.url);
  await page.evaluate(
    async ([attrs, w, h]) => {
      await customElements.whenDefined('live-pusher');
      const events: unknown[] = [];
      (window as unknown as { events: unknown[] }).events = events;
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const g = canvas.getContext('2d')!;
      const img = g.createImageData(w, h);
      // (No local named functions in here: tsx's keepNames would reference a __name the page lacks.)
      const patches = [
        [220, 40, 40],
        [40, 200, 60],
        [40, 60, 220],
        [230, 210, 40],
        [40, 200, 210],
        [200, 50, 200],
      ];
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          if (y < 160) {
            // Deterministic noise per 2×2 block, ±14 levels around a light skin tone.
            const n = ((Math.imul((x >> 1) * 73856093 ^ (y >> 1) * 19349663, 2654435761) >>> 24) / 255 - 0.5) * 28;
            img.data.set([224 + n, 172 + n, 140 + n, 255], (y * w + x) * 4);
          } else if (y < 320) {
            const v = (x >> 3) % 2 ? 200 : 50;
            img.data.set([v, v, v, 255], (y * w + x) * 4);
          } else if (y < 480) {
            const v = Math.round((x / (w - 1)) * 255);
            img.data.set([v, v, v, 255], (y * w + x) * 4);
          } else if (y < 560) {
            const [r, gr, b] = patches[Math.min(5, Math.floor(x / 60))]!;
            img.data.set([r!, gr!, b!, 255], (y * w + x) * 4);
          } else {
            const v = x < w / 2 ? 255 : 235;
            img.data.set([v, v, v, 255], (y * w + x) * 4);
          }
        }
      // Repainted on a timer: captureStream only sends a frame when the canvas changed.
      setInterval(() => g.putImageData(img, 0, 0), 1000 / 20);
      g.putImageData(img, 0, 0);
      const el = document.createElement('live-pusher') as HTMLElement & { captureSource: unknown };
      el.id = 'under-test';
      el.captureSource = async (c: MediaStreamConstraints) => {
        const stream = new MediaStream();
        if (c.video) for (const t of canvas.captureStream(20).getVideoTracks()) stream.addTrack(t);
        if (c.audio) for (const t of (await navigator.mediaDevices.getUserMedia({ audio: c.audio })).getAudioTracks()) stream.addTrack(t);
        return stream;
      };
      for (const type of ['statechange', 'error', 'enterpictureinpicture', 'leavepictureinpicture']) el.addEventListener(type, (e) => events.push({ type, detail: (e as CustomEvent).detail, at: performance.now() }));
      for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
      document.body.append(el);
    },
    [attributes, W, H] as const,
  );
  return page;
}

/** One RGB24 frame decoded from the recording at `atSeconds`. */
const frameAt = (recording: string, atSeconds: number): Promise<Uint8Array> => decodedFrame(recording, atSeconds, W, H);

/** Pushes the card with `attributes` for ~1.5 s and returns a frame from the middle of the recording. */
async function pushFrame(name: string, attributes: Record<string, string>, during?: (page: Page) => Promise<void>): Promise<Uint8Array> {
  await rm(nginx.recordingPath(name), { force: true });
  const page = await openPusher({ url: nginx.url('live', name), autopush: '', ...attributes });
  try {
    await waitForEvent(page, 'e.detail.code === 1002');
    if (during) await during(page);
    await page.waitForTimeout(1500);
    assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  } finally {
    await page.close();
  }
  return frameAt(await nginx.waitForRecording(name), 1);
}

/** Pushes several variants, two at a time (one Chromium; the card is static, so load does not matter). */
async function pushAll(variants: [string, Record<string, string>][]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < variants.length; i += 2) {
    const batch = variants.slice(i, i + 2);
    const frames = await Promise.all(batch.map(([name, attrs]) => pushFrame(name, attrs)));
    batch.forEach(([name], j) => out.set(name, frames[j]!));
  }
  return out;
}

const SKIN: PixelBox = { x0: 8, y0: 8, x1: W - 8, y1: 152 };
const BARS: PixelBox = { x0: 8, y0: 168, x1: W - 8, y1: 312 };
const RAMP_MID: PixelBox = { x0: Math.round(W * 0.3), y0: 336, x1: Math.round(W * 0.7), y1: 464 };
const PATCHES: PixelBox = { x0: 4, y0: 488, x1: W - 4, y1: 552 };
const WHITE: PixelBox = { x0: 16, y0: 576, x1: W / 2 - 16, y1: 632 };
const NEAR_WHITE: PixelBox = { x0: W / 2 + 16, y0: 576, x1: W - 16, y1: 632 };

const luma = (f: Uint8Array, x: number, y: number): number => {
  const p = (y * W + x) * 3;
  return 0.2126 * f[p]! + 0.7152 * f[p + 1]! + 0.0722 * f[p + 2]!;
};

/** Mean luma over a box. */
function meanLuma(f: Uint8Array, b: PixelBox): number {
  let sum = 0;
  for (let y = b.y0; y < b.y1; y++) for (let x = b.x0; x < b.x1; x++) sum += luma(f, x, y);
  return sum / ((b.x1 - b.x0) * (b.y1 - b.y0));
}

/** High-frequency energy: mean |Laplacian| of luma (neighbours 2 px away, the noise's block size). */
function hfEnergy(f: Uint8Array, b: PixelBox): number {
  let sum = 0;
  for (let y = b.y0; y < b.y1; y++)
    for (let x = b.x0; x < b.x1; x++) {
      sum += Math.abs(4 * luma(f, x, y) - luma(f, x - 2, y) - luma(f, x + 2, y) - luma(f, x, y - 2) - luma(f, x, y + 2));
    }
  return sum / ((b.x1 - b.x0) * (b.y1 - b.y0));
}


let reference: Uint8Array;

test('default attributes, filter standard and beauty/whiteness 0 push the same picture', async () => {
  const frames = await pushAll([
    ['pic-default', {}],
    ['pic-zero', { filter: 'standard', beauty: '0', whiteness: '0', 'beauty-style': 'nature' }],
  ]);
  reference = frames.get('pic-default')!;
  const d = colourDistance(reference, frames.get('pic-zero')!, W);
  console.log(`# standard/0 vs default: ${d.toFixed(2)} levels`);
  assert.ok(d < 1, `standard and zeros differ from the default push by ${d.toFixed(2)} levels`);
  // The card went through unchanged (up to H.264): the patches and the ramp are where they were drawn.
  assert.ok(Math.abs(meanLuma(reference, WHITE) - 255) < 4);
  assert.ok(Math.abs(meanLuma(reference, NEAR_WHITE) - 235) < 4);
});

test('the eleven filters differ from standard and from each other by a measured colour distance', async () => {
  const looks = PUSHER_FILTERS.filter((f) => f !== 'standard');
  const frames = await pushAll(looks.map((f) => [`pic-filter-${f}`, { filter: f }]));
  const report: string[] = [];
  for (const f of looks) {
    const d = colourDistance(reference, frames.get(`pic-filter-${f}`)!, W);
    report.push(`${f} ${d.toFixed(1)}`);
    assert.ok(d >= 4, `${f} differs from standard by only ${d.toFixed(2)} levels`);
  }
  let closest = Infinity;
  let pair = '';
  for (let i = 0; i < looks.length; i++)
    for (let j = i + 1; j < looks.length; j++) {
      const d = colourDistance(frames.get(`pic-filter-${looks[i]}`)!, frames.get(`pic-filter-${looks[j]}`)!, W);
      if (d < closest) [closest, pair] = [d, `${looks[i]}/${looks[j]}`];
    }
  console.log(`# vs standard: ${report.join(', ')}; closest pair ${pair} ${closest.toFixed(1)}`);
  assert.ok(closest >= 3, `the closest looks (${pair}) differ by only ${closest.toFixed(2)} levels`);
});

test('beauty smooths skin more than edges; nature is lighter than smooth', async () => {
  const frames = await pushAll([
    ['pic-beauty-5', { beauty: '5' }],
    ['pic-beauty-9', { beauty: '9' }],
    ['pic-nature-9', { beauty: '9', 'beauty-style': 'nature' }],
  ]);
  const skin0 = hfEnergy(reference, SKIN);
  const edge0 = hfEnergy(reference, BARS);
  const ratios = Object.fromEntries(
    ['pic-beauty-5', 'pic-beauty-9', 'pic-nature-9'].map((n) => [n, { skin: hfEnergy(frames.get(n)!, SKIN) / skin0, edge: hfEnergy(frames.get(n)!, BARS) / edge0 }]),
  );
  console.log(`# high-frequency energy kept (skin, edges): ${JSON.stringify(ratios)}`);
  const s9 = ratios['pic-beauty-9']!;
  const s5 = ratios['pic-beauty-5']!;
  const n9 = ratios['pic-nature-9']!;
  assert.ok(s9.skin < 0.6, `beauty 9 keeps ${(s9.skin * 100).toFixed(0)} % of the skin texture`);
  assert.ok(s9.edge > 0.9, `beauty 9 keeps only ${(s9.edge * 100).toFixed(0)} % of the edges`);
  assert.ok(s5.skin > s9.skin && s5.skin < 0.9, 'beauty 5 smooths less than 9');
  assert.ok(n9.skin > s9.skin && n9.skin < 0.95, 'nature smooths, lighter than smooth');
  // Smoothing does not shift the skin's colour.
  assert.ok(colourDistance(reference, frames.get('pic-beauty-9')!, W, PATCHES) < 1.5, 'non-skin patches untouched');
});

test('whiteness lifts mid-tones and skin without clipping highlights', async () => {
  const frames = await pushAll([
    ['pic-white-5', { whiteness: '5' }],
    ['pic-white-9', { whiteness: '9' }],
  ]);
  const mid = [reference, frames.get('pic-white-5')!, frames.get('pic-white-9')!].map((f) => meanLuma(f, RAMP_MID));
  const skin = [reference, frames.get('pic-white-5')!, frames.get('pic-white-9')!].map((f) => meanLuma(f, SKIN));
  const near = [reference, frames.get('pic-white-5')!, frames.get('pic-white-9')!].map((f) => meanLuma(f, NEAR_WHITE));
  console.log(`# whiteness 0/5/9: mid-tones ${mid.map((v) => v.toFixed(1))}, skin ${skin.map((v) => v.toFixed(1))}, 235-patch ${near.map((v) => v.toFixed(1))}`);
  assert.ok(mid[1]! > mid[0]! + 3 && mid[2]! > mid[1]! + 2, 'mid-tones rise with whiteness');
  assert.ok(skin[2]! - skin[0]! > mid[2]! - mid[0]!, 'skin is lifted more than grey');
  assert.ok(near[2]! < 250, `the 235 highlight stays below white (${near[2]!.toFixed(1)})`);
  assert.ok(near[2]! - near[0]! < mid[2]! - mid[0]!, 'highlights move less than mid-tones');
});

test('filter switches live; applyFilter mixes a lookup image, checks md5; clearFilters removes it', async () => {
  // An inverting 512×512 lookup image, made in the page.
  const page = await openPusher({ url: nginx.url('live', 'pic-live'), autopush: '' });
  const lut = await page.evaluate(async () => {
    const c = new OffscreenCanvas(512, 512);
    const g = c.getContext('2d')!;
    const img = g.createImageData(512, 512);
    for (let y = 0; y < 512; y++)
      for (let x = 0; x < 512; x++) {
        const b = Math.floor(y / 64) * 8 + Math.floor(x / 64);
        img.data.set([255 - Math.round(((x % 64) * 255) / 63), 255 - Math.round(((y % 64) * 255) / 63), 255 - Math.round((b * 255) / 63), 255], (y * 512 + x) * 4);
      }
    g.putImageData(img, 0, 0);
    const blob = await c.convertToBlob({ type: 'image/png' });
    return { url: URL.createObjectURL(blob), bytes: Array.from(new Uint8Array(await blob.arrayBuffer())) };
  });
  await page.close();
  const md5 = createHash('md5').update(Uint8Array.from(lut.bytes)).digest('hex');
  // The blob URL belongs to the closed page: serve it again from the new page's origin instead.
  const install = async (p: Page) =>
    p.evaluate((bytes) => URL.createObjectURL(new Blob([Uint8Array.from(bytes)], { type: 'image/png' })), lut.bytes);

  let badMd5: Record<string, unknown> = {};
  const inverted = await pushFrame('pic-apply', {}, async (p) => {
    const url = await install(p);
    badMd5 = await call(p, 'applyFilter', { path: url, alpha: 1, md5: '0'.repeat(32) });
    assert.equal((await call(p, 'applyFilter', { path: url, alpha: 1, md5 })).errMsg, 'applyFilter:ok');
  });
  assert.match(String(badMd5.errMsg), /^applyFilter:fail .*md5/);
  assert.ok(meanLuma(inverted, WHITE) < 10, `white became black (${meanLuma(inverted, WHITE).toFixed(1)})`);

  const cleared = await pushFrame('pic-clear', {}, async (p) => {
    const url = await install(p);
    assert.equal((await call(p, 'applyFilter', { path: url, alpha: 0.5 })).errMsg, 'applyFilter:ok');
    assert.equal((await call(p, 'clearFilters')).errMsg, 'clearFilters:ok');
  });
  assert.ok(colourDistance(reference, cleared, W) < 1, 'clearFilters restores the picture');

  const live = await pushFrame('pic-live-switch', {}, async (p) => {
    await p.evaluate(() => document.getElementById('under-test')!.setAttribute('filter', 'nostalgia'));
  });
  assert.ok(colourDistance(reference, live, W) >= 4, 'the filter set during the push is in the pushed picture');
});

/** Makes a 64×48 PNG of one colour in the page; returns its blob URL and its bytes' MD5. */
async function solidPng(page: Page, rgb: [number, number, number]): Promise<{ url: string; md5: string }> {
  const { url, bytes } = await page.evaluate(async (c) => {
    const canvas = new OffscreenCanvas(64, 48);
    const g = canvas.getContext('2d')!;
    g.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
    g.fillRect(0, 0, 64, 48);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return { url: URL.createObjectURL(blob), bytes: Array.from(new Uint8Array(await blob.arrayBuffer())) };
  }, rgb);
  return { url, md5: createHash('md5').update(Uint8Array.from(bytes)).digest('hex') };
}


async function maxVolumeDb(recording: string, fromS: number, forS: number): Promise<number> {
  const { stderr } = await runTool('ffmpeg', ['-hide_banner', '-ss', String(fromS), '-t', String(forS), '-i', recording, '-vn', '-af', 'volumedetect', '-f', 'null', '-'], { timeoutMs: 30_000 });
  const m = /max_volume: (-?[\d.]+|-inf) dB/.exec(stderr);
  return m ? (m[1] === '-inf' ? -Infinity : Number(m[1])) : NaN;
}

test('waiting-image with a wrong hash gives statechange and error 10004', async () => {
  const page = await openPusher({ url: nginx.url('live', 'pic-wait-bad'), autopush: '' });
  try {
    await waitForEvent(page, 'e.detail.code === 1002');
    const { url } = await solidPng(page, [255, 0, 255]);
    await page.evaluate((u) => {
      const el = document.getElementById('under-test')!;
      el.setAttribute('waiting-image-hash', '0123456789abcdef0123456789abcdef');
      el.setAttribute('waiting-image', u);
    }, url);
    await waitForEvent(page, 'e.type === "error" && e.detail.errCode === 10004', 5000);
    await waitForEvent(page, 'e.type === "statechange" && e.detail.code === 10004', 1000);
    // A load failure (no such file) is 10004 too.
    await page.evaluate(() => document.getElementById('under-test')!.setAttribute('waiting-image', '/no-such-waiting-image.png'));
    await page.waitForFunction(() => (window as unknown as { events: PusherEvent[] }).events.filter((e) => e.type === 'error' && e.detail.errCode === 10004).length >= 2, undefined, { timeout: 5000 });
    assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  } finally {
    await page.close();
  }
});

test('while paused, and while the page is hidden (sound muted), the waiting image is pushed', async () => {
  const names = ['pic-wait-paused', 'pic-wait-hidden'];
  for (const name of names) await rm(nginx.recordingPath(name), { force: true });
  const run = async (name: string, hold: (page: Page) => Promise<void>) => {
    const page = await openPusher({ url: nginx.url('live', name), autopush: '' });
    try {
      await waitForEvent(page, 'e.detail.code === 1002');
      const { url, md5 } = await solidPng(page, [230, 30, 200]);
      await page.evaluate(
        ([u, h]) => {
          const el = document.getElementById('under-test')!;
          el.setAttribute('waiting-image-hash', h);
          el.setAttribute('waiting-image', u);
        },
        [url, md5] as const,
      );
      await page.waitForTimeout(1000);
      await hold(page);
      await page.waitForTimeout(2000);
      assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
      const list = await page.evaluate(() => (window as unknown as { events: PusherEvent[] }).events);
      assert.ok(!list.some((e) => e.detail.code === 10004 || e.detail.errCode === 10004), 'the right hash loads');
    } finally {
      await page.close();
    }
    return nginx.waitForRecording(name);
  };
  const [paused, hidden] = await Promise.all([
    run(names[0]!, async (p) => assert.equal((await call(p, 'pause')).errMsg, 'pause:ok')),
    run(names[1]!, (p) =>
      // A string, not a function: tsx would wrap the getter in a __name() the page does not have.
      p.evaluate(`Object.defineProperty(document, 'visibilityState', { configurable: true, get() { return 'hidden'; } });
        document.dispatchEvent(new Event('visibilitychange'));`),
    ),
  ]);
  for (const [what, recording] of [['paused', paused], ['hidden', hidden]] as const) {
    const before = meanColour(await frameAt(recording, 0.5), W);
    const during = meanColour(await frameAt(recording, 2.4), W);
    console.log(`# ${what}: mean colour before ${before.map((v) => v.toFixed(0))}, during ${during.map((v) => v.toFixed(0))}`);
    assert.ok(Math.abs(during[0] - 230) < 8 && Math.abs(during[1] - 30) < 8 && Math.abs(during[2] - 200) < 8, `${what}: the waiting image's colour is pushed`);
    assert.ok(Math.abs(before[1] - 30) > 40, `${what}: the card before`);
  }
  const loud = await maxVolumeDb(paused, 0.2, 0.8);
  const quiet = await maxVolumeDb(hidden, 1.8, 1.0);
  console.log(`# sound before ${loud} dB, while hidden ${quiet} dB`);
  assert.ok(quiet < -50 && quiet < loud - 20, `the sound is muted while hidden (${quiet} dB vs ${loud} dB)`);
});

test('snapshot stream is the pushed picture; view is the preview as shown (its size, local mirror)', async () => {
  const page = await openPusher({ url: nginx.url('live', 'pic-snapshot'), autopush: '', filter: 'blues', style: 'width: 180px; height: 320px', 'local-mirror': 'enable' });
  try {
    await waitForEvent(page, 'e.detail.code === 1002');
    await page.waitForTimeout(800);
    const stream = await call(page, 'snapshot', { quality: 'raw', sourceType: 'stream' });
    const view = await call(page, 'snapshot', { quality: 'raw', sourceType: 'view' });
    assert.deepEqual([stream.errMsg, stream.width, stream.height], ['snapshot:ok', 360, 640]);
    assert.deepEqual([view.errMsg, view.width, view.height], ['snapshot:ok', 180, 320]);
    // In the page: the stream snapshot flipped and scaled to the view vs the view snapshot.
    const [flipped, straight] = (await page.evaluate(
      `(async () => {
        const load = async (u) => createImageBitmap(await (await fetch(u)).blob());
        const s = await load(${JSON.stringify(stream.tempImagePath)});
        const v = await load(${JSON.stringify(view.tempImagePath)});
        const pixels = (bitmap, flip) => {
          const c = new OffscreenCanvas(180, 320);
          const g = c.getContext('2d');
          if (flip) { g.translate(180, 0); g.scale(-1, 1); }
          g.drawImage(bitmap, 0, 0, 180, 320);
          return g.getImageData(0, 0, 180, 320).data;
        };
        const vp = pixels(v, false);
        const diff = (a) => { let d = 0; for (let i = 0; i < a.length; i += 4) d += Math.abs(a[i] - vp[i]) + Math.abs(a[i + 1] - vp[i + 1]) + Math.abs(a[i + 2] - vp[i + 2]); return d / (a.length / 4 * 3); };
        return [diff(pixels(s, true)), diff(pixels(s, false))];
      })()`,
    )) as [number, number];
    console.log(`# view vs flipped stream ${flipped.toFixed(2)}, vs unflipped ${straight.toFixed(2)}`);
    assert.ok(flipped < 3, `the view is the mirrored pushed picture (${flipped.toFixed(2)})`);
    assert.ok(straight > flipped + 10, 'and not the unmirrored one');
    assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  } finally {
    await page.close();
  }
});

test('custom render: what the app draws on createOffscreenCanvas is pushed; update gives the size', async () => {
  let updates: unknown;
  const frame = await pushFrame('pic-custom', { 'enable-video-custom-render': '' }, async (page) => {
    // A string: tsx would wrap these arrow functions in a __name() the page does not have.
    await page.evaluate(`(async () => {
      const { createLivePusherContext } = await import('/live-pusher.js');
      const ctx = createLivePusherContext('under-test');
      const canvas = ctx.createOffscreenCanvas();
      const g = canvas.getContext('2d');
      window.updates = [];
      ctx.onCustomRendererEvent('update', (info) => window.updates.push([info.width, info.height]));
      ctx.onCustomRendererEvent('frame', (info) => {
        g.fillStyle = 'rgb(20, 220, 240)';
        g.fillRect(0, 0, info.width, info.height / 2);
      });
    })()`);
    await page.waitForTimeout(500);
    updates = await page.evaluate('window.updates');
  });
  assert.deepEqual(updates, [[W, H]], 'one update with the pushed size');
  const top = meanColour(frame, W, { x0: 0, y0: 0, x1: W, y1: H / 2 - 8 });
  const bottomWhite = meanLuma(frame, WHITE);
  console.log(`# custom render: top ${top.map((v) => v.toFixed(0))}, bottom white patch ${bottomWhite.toFixed(0)}`);
  assert.ok(Math.abs(top[0] - 20) < 8 && Math.abs(top[1] - 220) < 8 && Math.abs(top[2] - 240) < 8, 'the app drew the top half');
  assert.ok(Math.abs(bottomWhite - 255) < 5, 'the picture is under what the app did not cover');
});

test('picture-in-picture-mode: a hidden page asks for picture-in-picture; exitPictureInPicture', async () => {
  const page = await openPusher({ url: nginx.url('live', 'pic-pip'), autopush: '', 'picture-in-picture-mode': 'push' });
  const warnings: string[] = [];
  page.on('console', (m) => warnings.push(m.text()));
  try {
    await waitForEvent(page, 'e.detail.code === 1002');
    const notIn = await call(page, 'exitPictureInPicture');
    assert.match(String(notIn.errMsg), /^exitPictureInPicture:fail .*not in picture-in-picture/);
    await page.evaluate(`Object.defineProperty(document, 'visibilityState', { configurable: true, get() { return 'hidden'; } });
      document.dispatchEvent(new Event('visibilitychange'));`);
    await page.waitForTimeout(1000);
    const entered = await page.evaluate(() => (window as unknown as { events: PusherEvent[] }).events.some((e) => e.type === 'enterpictureinpicture'));
    const asked = await page.evaluate('document.pictureInPictureEnabled');
    // Headless Chromium refuses without a user gesture (or has no PiP): then the element says so once.
    if (entered) {
      assert.equal((await call(page, 'exitPictureInPicture')).errMsg, 'exitPictureInPicture:ok');
      await waitForEvent(page, 'e.type === "leavepictureinpicture"', 3000);
    }
    else if (asked) assert.ok(warnings.some((w) => w.includes('picture-in-picture refused')), warnings.join('\n'));
    console.log(`# picture-in-picture: enabled ${asked}, entered ${entered}`);
    assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  } finally {
    await page.close();
  }
});

test('a camera push keeps one colour description while effects and the GPU route come and go', async () => {
  // The fake camera's 1280×720 I420 frames are the pushed picture: without effects they go to the
  // encoder themselves, with beauty through the CPU route, with the remote mirror through WebGL.
  // Chromium's encoder starts a new colour description when its frames' space changes, which
  // players may ignore: every route must give it the pushed one (yuv-colour.ts PUSHED_COLOUR).
  const name = 'pic-colours';
  await rm(nginx.recordingPath(name), { force: true });
  const page = await openCameraPusher(browser, studio.url, { url: nginx.url('live', name), autopush: '', mode: 'FHD', orientation: 'horizontal' });
  let cpuRoute = false;
  try {
    await waitForEvent(page, 'e.detail.code === 1002');
    for (const attributes of [{}, { beauty: '5' }, { 'remote-mirror': 'true' }, { beauty: '0', 'remote-mirror': 'false' }]) {
      await page.evaluate((a) => {
        for (const [k, v] of Object.entries(a)) document.getElementById('under-test')!.setAttribute(k, v);
      }, attributes);
      await page.waitForTimeout(800);
      cpuRoute ||= await page.evaluate(() => Boolean((document.getElementById('under-test') as unknown as { session?: { cpuPicture?: unknown } }).session?.cpuPicture));
    }
    assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  } finally {
    await page.close();
  }
  const colours = await frameColours(await nginx.waitForRecording(name));
  console.log(`# frames by colour description: ${JSON.stringify(colours)}`);
  assert.ok(cpuRoute, 'the CPU route ran (software WebGL, a camera of the pushed size)');
  assert.equal(Object.keys(colours).length, 1, JSON.stringify(colours));
});
