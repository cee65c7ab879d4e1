/**
 * face-thinness and eye-bigness end to end (issue 6, spec §1 custom-effect): the element in
 * headless Chromium pushes a photo of a face (one of @vladmandic/face-api's samples, cropped once
 * per checkout with ffmpeg: test/support/fixtures.ts) through its `captureSource`, via the
 * studio's gateway, to nginx-rtmp; the last frame of each recording is decoded with ffmpeg and
 * the same landmark model (the bundle's face-worker.js, in a Chromium page) measures the face in
 * it. The photo is static, so pushes compare frame against frame. Stickers and makeup (spec §3)
 * are measured by colour where they must be: flat-coloured pictures over the person, behind them
 * (background stickers, through the bundle's segmentation worker), from a zip package, or
 * multiplied with the lips.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { zipSync } from 'fflate';
import { startStudio, type Studio } from '../../src/node/studio/server.js';
import { runTool } from '../support/children.js';
import { launchChromium } from '../support/chromium.js';
import { fixture } from '../support/fixtures.js';
import { startNginxRtmp, type NginxRtmp } from '../support/nginx-rtmp.js';
import { md5Hex } from '../../src/core/md5.js';
import { faceStickerQuad, makeupPlacements } from '../../src/browser/effects/face-regions.js';
import { detectSize } from '../../src/browser/effects/face-tracker.js';
import { colourDistance, decodedFrame, type PixelBox } from '../support/rgb-frames.js';
import { call, events, openPusherWithPicture, waitForEvent } from './pusher-page.js';
import { startTogether } from '../support/start-together.js';

const W = 360;
const H = 640;
/** How long each variant pushes once publishing: the model loads, finds the face, the warp fades in. */
const PUSH_MS = 5000;

let nginx: NginxRtmp;
let studio: Studio;
let browser: Browser;
let face: string;

before(async () => {
  nginx = await startNginxRtmp();
  const photo = await fixture('face-360x640.png');
  face = `data:image/png;base64,${(await readFile(photo)).toString('base64')}`;
  await startTogether([startStudio({ allow: ['rtmp://127.0.0.1:*'] }).then((s) => (studio = s)), launchChromium().then((b) => (browser = b))]);
});
after(async () => {
  await browser?.close();
  await studio?.close();
  await nginx?.stop();
});

/** The frame of a recording at `seconds` (default: half a second before a {@link pushFace} push stopped), RGB24. */
const frameAt = (recording: string, seconds = PUSH_MS / 1000 - 0.5): Promise<Uint8Array> => decodedFrame(recording, seconds, W, H);

/**
 * Pushes the face with `attributes` and returns the recording; `page` may be prepared (routes,
 * listeners); `during` runs once the push is publishing, before the {@link PUSH_MS} wait.
 */
async function pushFace(name: string, attributes: Record<string, string>, page?: Page, during?: (page: Page) => Promise<void>): Promise<{ recording: string; page: Page }> {
  await rm(nginx.recordingPath(name), { force: true });
  page = await openPusherWithPicture(browser, studio.url, { url: nginx.url('live', name), autopush: '', ...attributes }, face, page);
  await waitForEvent(page, 'e.detail.code === 1002');
  await during?.(page);
  await page.waitForTimeout(PUSH_MS);
  assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  return { recording: await nginx.waitForRecording(name), page };
}

/**
 * What the bundle's worker answers for `frame` in a fresh page (no tracking state), or in `page`
 * (prepared with routes): the tfjs backend it runs on and the 68 landmarks, or why there are none;
 * and whether the page was cross-origin isolated. `frame` is RGB24, `width`×`height`.
 */
async function workerLandmarks(frame: Uint8Array, page?: Page, width = W, height = H): Promise<{ backend: string | undefined; points: number[] | string; isolated: boolean }> {
  page ??= await browser.newPage();
  try {
    await page.goto(studio.url);
    return await page.evaluate(
      async ([b64, w, h]) => {
        const rgb = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const rgba = new Uint8ClampedArray(w * h * 4);
        for (let i = 0; i < w * h; i++) rgba.set([rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!, 255], i * 4);
        const bitmap = await createImageBitmap(new ImageData(rgba, w, h));
        // (No local named functions in here: tsx's keepNames would reference a __name the page lacks.)
        const worker = new Worker('/face-worker.js', { type: 'module' });
        const replies: { type: string; backend?: string; points?: Float32Array | null; message?: string }[] = [];
        const wakers: (() => void)[] = [];
        const answered = [0, 1].map((i) => new Promise<void>((resolve) => (wakers[i] = resolve)));
        worker.onmessage = (e) => wakers[replies.push(e.data) - 1]?.();
        worker.postMessage({ type: 'init', modelUrl: new URL('/face-models/', location.href).href });
        await answered[0];
        worker.postMessage({ type: 'detect', id: 1, bitmap }, [bitmap]);
        await answered[1];
        worker.terminate();
        const reply = replies[1]!;
        return {
          backend: replies[0]!.backend,
          points: reply.points ? Array.from(reply.points) : `${replies[0]!.type} ${replies[0]!.message ?? ''}; no face`,
          isolated: crossOriginIsolated,
        };
      },
      [Buffer.from(frame).toString('base64'), width, height] as const,
    );
  } finally {
    await page.close();
  }
}

/** The 68 landmarks of the face in `frame`, by the bundle's worker in a fresh page (no tracking state). */
async function landmarks(frame: Uint8Array): Promise<number[]> {
  const { points } = await workerLandmarks(frame);
  assert.ok(Array.isArray(points), `the model finds the face: ${String(points)}`);
  return points;
}

/**
 * What the two settings change, measured with the 68-point layout. The landmark net places the
 * eyes mostly from the face's overall shape (an eye magnified 1.4× moves its corners by under
 * 1 %, and a narrower jaw draws the eye centres 5 % closer), so the eyes' size is measured in the
 * picture itself, at the places the model gives in the unchanged picture (the warp keeps the eye
 * centres where they were): the dark pixels (iris, lashes, lid line) round each eye centre.
 */
interface Geometry {
  /** Jaw width at points 4–12 over the face width at the temples (0–16). */
  jaw: number;
  /** Mean eye width (corners 36–39, 42–45) over the distance between the eye centres. */
  eyeWidth: number;
  /** Dark pixels round both eye centres over the squared distance between the eye centres. */
  eyeArea: number;
}

const luma = (f: Uint8Array, x: number, y: number): number => {
  const p = (Math.round(y) * W + Math.round(x)) * 3;
  return 0.2126 * f[p]! + 0.7152 * f[p + 1]! + 0.0722 * f[p + 2]!;
};

/** The landmarks' eye centres (means of 36–41 and 42–47) and the distance between them. */
function eyeCentres(p: number[]): { centres: [number, number][]; iod: number } {
  const centres = [36, 42].map((first): [number, number] => {
    let x = 0;
    let y = 0;
    for (let i = first; i < first + 6; i++) [x, y] = [x + p[2 * i]! / 6, y + p[2 * i + 1]! / 6];
    return [x, y];
  });
  return { centres, iod: Math.hypot(centres[1]![0] - centres[0]![0], centres[1]![1] - centres[0]![1]) };
}

/**
 * The eye window: 0.35 of the inter-ocular distance either side of the centre, 0.18 above and
 * below (the eye, not the brow). `dark` is the luma below which a pixel counts as eye.
 */
function darkPixels(frame: Uint8Array, p: number[], dark: number): number {
  const { centres, iod } = eyeCentres(p);
  let count = 0;
  for (const [cx, cy] of centres)
    for (let y = cy - 0.18 * iod; y <= cy + 0.18 * iod; y++)
      for (let x = cx - 0.35 * iod; x <= cx + 0.35 * iod; x++) if (luma(frame, x, y) < dark) count++;
  return count;
}

/** The dark threshold, from the unchanged picture: half-way between its eye windows' 5th and 60th luma percentiles. */
function darkThreshold(frame: Uint8Array, p: number[]): number {
  const { centres, iod } = eyeCentres(p);
  const values: number[] = [];
  for (const [cx, cy] of centres)
    for (let y = cy - 0.18 * iod; y <= cy + 0.18 * iod; y++) for (let x = cx - 0.35 * iod; x <= cx + 0.35 * iod; x++) values.push(luma(frame, x, y));
  values.sort((a, b) => a - b);
  return (values[Math.floor(values.length * 0.05)]! + values[Math.floor(values.length * 0.6)]!) / 2;
}

const distance = (p: number[], a: number, b: number): number => Math.hypot(p[2 * a]! - p[2 * b]!, p[2 * a + 1]! - p[2 * b + 1]!);

/** {@link Geometry} `jaw`. */
const jawRatio = (p: number[]): number => distance(p, 4, 12) / distance(p, 0, 16);

/** `frame`'s geometry from its landmarks `p`; the eye area in the windows of the unchanged picture's landmarks `reference`. */
function geometry(frame: Uint8Array, p: number[], reference: number[], dark: number): Geometry {
  const dist = (a: number, b: number): number => distance(p, a, b);
  const iod = eyeCentres(reference).iod;
  return {
    jaw: jawRatio(p),
    eyeWidth: (dist(36, 39) + dist(42, 45)) / 2 / eyeCentres(p).iod,
    eyeArea: darkPixels(frame, reference, dark) / (iod * iod),
  };
}

/** The lower face in `p`: from the nose's base (33) to below the chin (8), jaw point 4 to 12. */
function lowerFace(p: number[]): PixelBox {
  return { x0: p[2 * 4]! - 10, y0: p[2 * 33 + 1]!, x1: p[2 * 12]! + 11, y1: p[2 * 8 + 1]! + 11 };
}

/** The plain push's frame and its landmarks (the first test sets them; later tests compare with them). */
let plainFrame: Uint8Array;
let plainPoints: number[];

const round = (g: Geometry): Geometry => ({ jaw: +g.jaw.toFixed(4), eyeWidth: +g.eyeWidth.toFixed(4), eyeArea: +g.eyeArea.toFixed(4) });

test('face-thinness narrows the jaw, eye-bigness enlarges the eyes, both 0 leave the picture alone', async () => {
  const frames = new Map<string, Uint8Array>();
  for (const [name, attrs] of [
    ['face-plain', {}],
    ['face-zero', { 'custom-effect': '', 'face-thinness': '0', 'eye-bigness': '0' }],
    ['face-thin', { 'custom-effect': '', 'face-thinness': '1' }],
    ['face-eyes', { 'custom-effect': '', 'eye-bigness': '1' }],
  ] as const) {
    const { recording, page } = await pushFace(name, attrs);
    await page.close();
    frames.set(name, await frameAt(recording));
  }
  const zero = colourDistance(frames.get('face-plain')!, frames.get('face-zero')!, W);
  const found = new Map<string, number[]>();
  for (const name of ['face-plain', 'face-thin', 'face-eyes']) found.set(name, await landmarks(frames.get(name)!));
  const reference = found.get('face-plain')!;
  [plainFrame, plainPoints] = [frames.get('face-plain')!, reference];
  const dark = darkThreshold(frames.get('face-plain')!, reference);
  const [plain, thin, eyes] = ['face-plain', 'face-thin', 'face-eyes'].map((name) => geometry(frames.get(name)!, found.get(name)!, reference, dark)) as [Geometry, Geometry, Geometry];
  console.log(`# both 0 vs plain: ${zero.toFixed(2)} levels; plain ${JSON.stringify(round(plain))}; thinness 1 ${JSON.stringify(round(thin))}; eye-bigness 1 ${JSON.stringify(round(eyes))}`);
  assert.ok(zero < 1, `face-thinness 0 and eye-bigness 0 change the picture by ${zero.toFixed(2)} levels`);
  assert.ok(thin.jaw < plain.jaw * 0.985, `jaw/face width ${thin.jaw.toFixed(3)} with thinness 1 vs ${plain.jaw.toFixed(3)}`);
  assert.ok(Math.abs(thin.eyeArea - plain.eyeArea) < plain.eyeArea * 0.05, `thinness leaves the eyes alone (eye area ${thin.eyeArea.toFixed(3)})`);
  assert.ok(eyes.eyeArea > plain.eyeArea * 1.3, `eye area ${eyes.eyeArea.toFixed(3)} with eye-bigness 1 vs ${plain.eyeArea.toFixed(3)}`);
  // (In the picture: the model's jaw points follow the eyes a little, as its face-shape prior expects.)
  // What changes there is the encoder's noise, far below what thinness does.
  const [byEyes, byThinness] = ['face-eyes', 'face-thin'].map((name) => colourDistance(frames.get('face-plain')!, frames.get(name)!, W, lowerFace(reference))) as [number, number];
  console.log(`# lower face changed by ${byEyes.toFixed(2)} levels with eye-bigness 1, ${byThinness.toFixed(2)} with face-thinness 1`);
  assert.ok(byEyes < byThinness / 4, `eye-bigness leaves the lower face alone (it changed by ${byEyes.toFixed(2)} levels)`);
});

test('a landmark model that cannot load is said once, and the push and the other effects go on', async () => {
  const page = await browser.newPage();
  await page.route('**/face-models/**', (route) => route.abort());
  const warnings: string[] = [];
  const fixed: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() !== 'warning') return;
    if (m.text().includes('face-thinness, eye-bigness, face stickers and makeup are off')) warnings.push(m.text());
    if (m.text().includes('fixed once the pusher started')) fixed.push(m.text());
  });
  const plain = await pushFace('face-nomodel-plain', {});
  await plain.page.close();
  const unwhitened = await frameAt(plain.recording);
  // skin-whiteness set to 0 while pushing: fixed once the pusher started (spec §1), so it stays 1.
  const { recording } = await pushFace('face-nomodel', { 'custom-effect': '', 'face-thinness': '1', 'eye-bigness': '1', 'skin-whiteness': '1' }, page, (p) =>
    p.evaluate(() => document.getElementById('under-test')!.setAttribute('skin-whiteness', '0')),
  );
  const frame = await frameAt(recording);
  try {
    const list = await events(page);
    assert.deepEqual(
      list.filter((e) => e.type === 'error'),
      [],
      'no error event',
    );
    assert.equal(warnings.length, 1, `one warning: ${JSON.stringify(warnings)}`);
    assert.equal(fixed.length, 1, `the change while pushing is said once: ${JSON.stringify(fixed)}`);
    // The push went on, whitened (skin-whiteness still applies, at the value it started with).
    const mean = (f: Uint8Array): number => f.reduce((s, v) => s + v, 0) / f.length;
    console.log(`# without the model: ${warnings[0]}; mean level ${mean(frame).toFixed(1)} vs ${mean(unwhitened).toFixed(1)} unwhitened`);
    assert.ok(mean(frame) > mean(unwhitened) + 3, 'skin-whiteness still brightens the picture');
  } finally {
    await page.close();
  }
});

test('the landmark models run on tfjs wasm; without its binaries or under a CSP without wasm on the cpu backend, with the same landmarks, and face-thinness goes on', async () => {
  const { stdout } = await runTool('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', await fixture('face-360x640.png'), '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { timeoutMs: 30_000 });
  const rgb = new Uint8Array(stdout);
  const onWasm = await workerLandmarks(rgb);
  // A server without the binaries (a CSP without wasm-unsafe-eval fails the same way: no wasm compiles).
  const noWasm = async (): Promise<Page> => {
    const page = await browser.newPage();
    await page.route('**/face-models/*.wasm', (route) => route.fulfill({ status: 404 }));
    return page;
  };
  const onCpu = await workerLandmarks(rgb, await noWasm());
  // A cross-origin isolated page, where tfjs would pick its multi-threaded build, which is not shipped.
  const isolated = await browser.newPage();
  await isolated.route(`${studio.url}**`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } });
  });
  const onIsolated = await workerLandmarks(rgb, isolated);
  // A worker whose CSP does not allow wasm ('wasm-unsafe-eval').
  const strict = await browser.newPage();
  await strict.route('**/face-worker.js', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': "script-src 'self'" } });
  });
  const underCsp = await workerLandmarks(rgb, strict);
  assert.ok(Array.isArray(onWasm.points) && Array.isArray(onCpu.points), `both find the face: ${String(onWasm.points)}; ${String(onCpu.points)}`);
  const apart = Math.max(...onWasm.points.map((v, i) => Math.abs(v - (onCpu.points as number[])[i]!)));
  console.log(`# backends: ${onWasm.backend}, without the binaries ${onCpu.backend}, under a CSP without wasm ${underCsp.backend}, cross-origin isolated ${onIsolated.backend}; landmarks at most ${apart.toFixed(3)} px apart`);
  assert.equal(onWasm.backend, 'wasm', 'software WebGL: the wasm backend');
  assert.equal(onCpu.backend, 'cpu', 'no wasm binary: the JavaScript backend');
  assert.equal(underCsp.backend, 'cpu', 'no wasm allowed: the JavaScript backend');
  assert.ok(Array.isArray(underCsp.points), `under the CSP the model finds the face: ${String(underCsp.points)}`);
  assert.ok(onIsolated.isolated, 'the page is cross-origin isolated');
  assert.equal(onIsolated.backend, 'wasm', 'cross-origin isolated: the single-threaded wasm build');
  assert.ok(apart < 0.5, `the two backends' landmarks are ${apart.toFixed(3)} px apart`);

  // The element on the JavaScript backend: no warning, and the warp follows the face.
  const page = await noWasm();
  const off: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'warning' && m.text().includes('face-thinness, eye-bigness, face stickers and makeup are off')) off.push(m.text());
  });
  const { recording } = await pushFace('face-nowasm', { 'custom-effect': '', 'face-thinness': '1' }, page);
  await page.close();
  const thin = jawRatio(await landmarks(await frameAt(recording)));
  const plain = jawRatio(onWasm.points);
  console.log(`# on the cpu backend: jaw/face width ${thin.toFixed(4)} with thinness 1 vs ${plain.toFixed(4)} in the photo`);
  assert.deepEqual(off, [], 'the effects stay on');
  assert.ok(thin < plain * 0.985, `jaw/face width ${thin.toFixed(3)} with thinness 1 vs ${plain.toFixed(3)}`);
});

test('a face a sixth of a 1280×720 picture\'s width is found in the picture the tracker sends the worker', async () => {
  // The photo 720 px high in a 1280×720 frame (its face 17 % of the width, temple to temple), scaled as the tracker scales it.
  const { width, height } = detectSize(1280, 720);
  const pad = `scale=-2:${height},pad=${width}:${height}:(ow-iw)/2:0`;
  const { stdout } = await runTool('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', await fixture('face-360x640.png'), '-vf', pad, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { timeoutMs: 30_000 });
  const { points } = await workerLandmarks(new Uint8Array(stdout), undefined, width, height);
  assert.ok(Array.isArray(points), `the face is found in the ${width}×${height} picture: ${String(points)}`);
  const faceWidth = distance(points, 0, 16);
  console.log(`# ${width}×${height}: face ${faceWidth.toFixed(1)} px wide (${((100 * faceWidth) / width).toFixed(1)} %)`);
});

/** Mean R, G, B inside the quad `q` (picture pixels, corners clockwise), shrunk a quarter towards its centre. */
function meanInQuad(f: Uint8Array, q: ArrayLike<number>): [number, number, number] {
  const cx = (q[0]! + q[2]! + q[4]! + q[6]!) / 4;
  const cy = (q[1]! + q[3]! + q[5]! + q[7]!) / 4;
  const sum = [0, 0, 0];
  let n = 0;
  // Sample the quad on a 16×16 grid of its own coordinates.
  for (let i = 0; i < 16; i++)
    for (let j = 0; j < 16; j++) {
      const s = (i + 0.5) / 16;
      const t = (j + 0.5) / 16;
      const x = (1 - t) * ((1 - s) * q[0]! + s * q[2]!) + t * ((1 - s) * q[6]! + s * q[4]!);
      const y = (1 - t) * ((1 - s) * q[1]! + s * q[3]!) + t * ((1 - s) * q[7]! + s * q[5]!);
      const px = Math.round(cx + (x - cx) * 0.75);
      const py = Math.round(cy + (y - cy) * 0.75);
      for (let c = 0; c < 3; c++) sum[c]! += f[(py * W + px) * 3 + c]!;
      n++;
    }
  return sum.map((v) => v / n) as [number, number, number];
}

test('stickers by pos and on the face, and lipstick on the lips; cleared, the picture is plain again', async () => {
  const page = await browser.newPage();
  const images = Object.fromEntries(await Promise.all(['green', 'blue', 'red'].map(async (c) => [c, await readFile(await fixture(`${c}-64.png`))] as const)));
  // The sticker folders and the makeup picture, served to the page: {title}_{index}.png (spec §3).
  await page.route('**/overlays/**', (route) => {
    const colour = /\/overlays\/(green|blue|red)/.exec(route.request().url())?.[1];
    return colour ? route.fulfill({ status: 200, contentType: 'image/png', body: images[colour]! }) : route.fulfill({ status: 404 });
  });
  const base = new URL('/overlays/', studio.url).href;
  const picturePos = [0.05, 0.05, 0.3, 0.15];
  const hatPos = [0.2, -0.55, 0.8, -0.1];
  const applied = async (p: Page): Promise<void> => {
    for (const [method, args] of [
      ['applySticker', { type: '2D', stickers: [{ title: 'green', path: `${base}green`, len: 1, pos: picturePos }] }],
      ['applySticker', { type: 'face', stickers: [{ title: 'blue', path: `${base}blue/`, pos: hatPos }] }],
      ['applyLipStickMakeup', { path: `${base}red.png`, alpha: 0.6 }],
    ] as const) {
      assert.equal((await call(p, method, args)).errMsg, `${method}:ok`);
    }
    // What cannot be done says why.
    assert.match((await call(p, 'applySticker', { type: '2D', stickers: [{ title: 'green', path: `${base}green` }] })).errMsg!, /^applySticker:fail pos must be/);
    assert.match((await call(p, 'applySticker', { type: 'back', stickers: [{ title: 'green', path: `${base}green`, segtype: 2 }] })).errMsg!, /^applySticker:fail stickers\[0\]\.segtype must be 0/);
    assert.match((await call(p, 'applyLipStickMakeup', { path: `${base}red.png`, blendMode: 'luminosity' })).errMsg!, /^applyLipStickMakeup:fail blendMode must be one of normal, multiply, screen, overlay/);
    await p.waitForTimeout(PUSH_MS);
    assert.equal((await call(p, 'clearStickers')).errMsg, 'clearStickers:ok');
    assert.equal((await call(p, 'clearMakeups')).errMsg, 'clearMakeups:ok');
  };
  const { recording } = await pushFace('face-overlays', {}, page, applied);
  await page.close();
  const on = await frameAt(recording, PUSH_MS / 1000 - 0.5);
  const cleared = await frameAt(recording, (2 * PUSH_MS) / 1000 - 0.5);

  const [x1, y1, x2, y2] = picturePos.map((v, i) => v * (i % 2 ? H : W)) as [number, number, number, number];
  const green = meanInQuad(on, [x1, y1, x2, y1, x2, y2, x1, y2]);
  const hat = meanInQuad(on, faceStickerQuad(plainPoints, hatPos));
  const lips = makeupPlacements(plainPoints, 'lipstick')[0]!.quad;
  const [lipsOn, lipsPlain] = [meanInQuad(on, lips), meanInQuad(plainFrame, lips)];
  const restored = colourDistance(plainFrame, cleared, W);
  console.log(`# 2D sticker ${green.map(Math.round)}, face sticker ${hat.map(Math.round)}, lips ${lipsOn.map(Math.round)} (plain ${lipsPlain.map(Math.round)}); cleared vs plain ${restored.toFixed(2)} levels`);
  assert.ok(green[1] > 150 && green[0] < 60 && green[2] < 60, `the 2D sticker is where pos puts it: ${green.map(Math.round)}`);
  assert.ok(hat[2] > 170 && hat[0] < 70, `the face sticker is where the face puts it: ${hat.map(Math.round)}`);
  assert.ok(lipsOn[0] - lipsOn[1] > lipsPlain[0] - lipsPlain[1] + 30, 'the lipstick reddens the lips');
  assert.ok(restored < 1.5, `cleared, the picture differs from the plain push by ${restored.toFixed(2)} levels`);
});

/** A rectangle [x1, y1, x2, y2] in shares of the picture as a quad in its pixels. */
function rectQuad([x1, y1, x2, y2]: readonly number[]): number[] {
  const [a, b, c, d] = [x1! * W, y1! * H, x2! * W, y2! * H];
  return [a, b, c, b, c, d, a, d];
}

/** Whether `rgb` is the green sticker's colour (0x00c800, through the encoder). */
const isGreen = (rgb: readonly number[]): boolean => rgb[1]! > 150 && rgb[0]! < 70 && rgb[2]! < 70;

test('background stickers: behind the person (segtype 0), then only inside the person (segtype 1)', async () => {
  const page = await browser.newPage();
  const green = await readFile(await fixture('green-64.png'));
  await page.route('**/backs/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: green }));
  const path = new URL('/backs/wall', studio.url).href;
  // The segmentation model loads in the worker (a few seconds on a busy 2-core machine).
  const settleMs = 2 * PUSH_MS;
  const { recording } = await pushFace('face-back', {}, page, async (p) => {
    assert.equal((await call(p, 'applySticker', { type: 'back', stickers: [{ title: 'wall', path, len: 1 }] })).errMsg, 'applySticker:ok');
    await p.waitForTimeout(settleMs);
    assert.equal((await call(p, 'applySticker', { type: 'back', stickers: [{ title: 'wall', path, len: 1, segtype: 1 }] })).errMsg, 'applySticker:ok');
    await p.waitForTimeout(settleMs - PUSH_MS);
  });
  await page.close();
  const behind = await frameAt(recording, settleMs / 1000 - 0.5);
  const inside = await frameAt(recording, (2 * settleMs) / 1000 - 0.5);
  // Background: the bar's window top left and the wall top right (no person there in the photo);
  // the person: the middle of her face, between the eyes and the mouth.
  const background = [rectQuad([0.02, 0.02, 0.2, 0.2]), rectQuad([0.85, 0.02, 0.98, 0.12])];
  const faceQuad = faceStickerQuad(plainPoints, [0.25, 0.3, 0.75, 0.7]);
  const report = (f: Uint8Array) => ({
    background: background.map((q) => meanInQuad(f, q).map(Math.round)),
    face: meanInQuad(f, faceQuad).map(Math.round),
    faceChange: colourDistance(plainFrame, f, W, { x0: plainPoints[2 * 36]!, y0: plainPoints[2 * 29 + 1]!, x1: plainPoints[2 * 45]! + 1, y1: plainPoints[2 * 51 + 1]! + 1 }),
    backgroundChange: colourDistance(plainFrame, f, W, { x0: 0, y0: 0, x1: 0.2 * W + 1, y1: 0.2 * H + 1 }),
  });
  const [b, i] = [report(behind), report(inside)];
  console.log(`# segtype 0: ${JSON.stringify(b)}; segtype 1: ${JSON.stringify(i)}`);
  for (const rgb of b.background) assert.ok(isGreen(rgb), `segtype 0: the background takes the sticker's colour: ${rgb}`);
  assert.ok(!isGreen(b.face) && b.faceChange < 6, `segtype 0: the face keeps its own colours (changed by ${b.faceChange.toFixed(2)} levels)`);
  assert.ok(isGreen(i.face), `segtype 1: the person takes the sticker's colour: ${i.face}`);
  assert.ok(i.backgroundChange < 6 && !i.background.some(isGreen), `segtype 1: the background keeps its own (changed by ${i.backgroundChange.toFixed(2)} levels)`);
});

test('a zip sticker package, multiply lipstick and active triggers; without the segmentation model back stickers are off and the rest goes on', async () => {
  const page = await browser.newPage();
  await page.route('**/segmentation/**', (route) => route.abort());
  const [green, blue, red] = await Promise.all(['green', 'blue', 'red'].map(async (c) => new Uint8Array(await readFile(await fixture(`${c}-64.png`)))));
  // One package, two stickers (titles a and b), the frames in a folder inside it.
  const pack = zipSync({ 'stickers/a_0.png': green!, 'stickers/b_0.png': blue!, 'stickers/readme.txt': new TextEncoder().encode('two stickers') });
  const fetched: string[] = [];
  await page.route('**/packages/**', (route) => {
    const name = new URL(route.request().url()).pathname.replace('/packages/', '');
    fetched.push(name);
    const bodies: Record<string, Uint8Array> = { 'pack.zip': pack, undeclared: pack, 'bad.zip': pack.subarray(0, 80), 'red.png': red! };
    const body = bodies[name];
    return body ? route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from(body) }) : route.fulfill({ status: 404 });
  });
  const warnings: string[] = [];
  const noSegmentation: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'warning' && m.text().includes('hand gestures')) warnings.push(m.text());
    if (m.type() === 'warning' && m.text().includes("background stickers (applySticker type 'back') are off")) noSegmentation.push(m.text());
  });
  const base = new URL('/packages/', studio.url).href;
  const [posA, posB, posC, posD] = [
    [0.05, 0.05, 0.3, 0.15],
    [0.7, 0.05, 0.95, 0.15],
    [0.05, 0.82, 0.3, 0.92],
    [0.7, 0.82, 0.95, 0.92],
  ];
  const { recording } = await pushFace('face-pack', {}, page, async (p) => {
    // First, so that the landmark model has loaded by the time the frame is taken.
    assert.equal((await call(p, 'applyLipStickMakeup', { path: `${base}red.png`, alpha: 1, blendMode: 'multiply' })).errMsg, 'applyLipStickMakeup:ok');
    // What cannot be read says why.
    assert.match((await call(p, 'applySticker', { type: '2D', stickers: [{ title: 'a', path: `${base}bad.zip`, pos: posA }] })).errMsg!, /^applySticker:fail .*bad\.zip is not a readable zip package/);
    assert.match((await call(p, 'applySticker', { type: '2D', stickers: [{ title: 'c', path: `${base}pack.zip`, len: 2, pos: posA }] })).errMsg!, /^applySticker:fail .*pack\.zip: the package has no frame c_0, c_1/);
    assert.match((await call(p, 'applySticker', { type: '2D', stickers: [{ title: 'a', path: `${base}pack.zip`, pos: posA, md5: '0'.repeat(32) }] })).errMsg!, /^applySticker:fail .*pack\.zip: md5 is /);
    fetched.length = 0;
    const stickers = [
      { title: 'a', path: `${base}pack.zip`, pos: posA, md5: md5Hex(pack) },
      // A zip by its bytes, without the name: its folder has no a_0.png.
      { title: 'b', path: `${base}undeclared`, pos: posB },
    ];
    assert.equal((await call(p, 'applySticker', { type: '2D', stickers })).errMsg, 'applySticker:ok');
    assert.deepEqual(fetched.filter((f) => f === 'pack.zip'), ['pack.zip'], 'the package is fetched once');
    const triggered = [
      { title: 'a', path: `${base}pack.zip`, pos: posC, active: 10 },
      { title: 'a', path: `${base}pack.zip`, pos: posD, active: 101 },
    ];
    assert.equal((await call(p, 'applySticker', { type: 'front', stickers: triggered })).errMsg, 'applySticker:ok');
    // A green background everywhere but the person, were the model there (posC and posD would show it).
    assert.equal((await call(p, 'applySticker', { type: 'back', stickers: [{ title: 'a', path: `${base}pack.zip` }] })).errMsg, 'applySticker:ok');
    // (The landmark model may take seconds to find the face on a busy machine.)
    await p.waitForTimeout(PUSH_MS);
  });
  await page.close();
  const frame = await frameAt(recording, (2 * PUSH_MS) / 1000 - 0.5);
  const [a, b, c, d] = [posA, posB, posC, posD].map((pos) => meanInQuad(frame, rectQuad(pos!)).map(Math.round));
  const [plainC, plainD] = [posC, posD].map((pos) => meanInQuad(plainFrame, rectQuad(pos!)).map(Math.round));
  const lips = makeupPlacements(plainPoints, 'lipstick')[0]!.quad;
  const [lipsOn, lipsPlain] = [meanInQuad(frame, lips), meanInQuad(plainFrame, lips)];
  // Multiply (W3C Compositing §10.2): each channel times the makeup's (0xe0, 0x10, 0x20) / 255.
  const expected = lipsPlain.map((v, k) => (v * [0xe0, 0x10, 0x20][k]!) / 255);
  console.log(`# zip a ${a}, b ${b}; active 10 ${c} (plain ${plainC}), active 101 ${d} (plain ${plainD}); lips ${lipsOn.map(Math.round)}, multiply expects ${expected.map(Math.round)}`);
  assert.ok(isGreen(a!), `the package's sticker a shows: ${a}`);
  assert.ok(b![2]! > 170 && b![0]! < 70, `the package's sticker b shows: ${b}`);
  assert.ok(c!.every((v, k) => Math.abs(v - plainC![k]!) < 8), `active 10 (mouth open) does not show on the smiling, not open, mouth: ${c} vs ${plainC}`);
  assert.ok(d!.every((v, k) => Math.abs(v - plainD![k]!) < 8), `active 101 (a hand gesture) never shows: ${d} vs ${plainD}`);
  assert.equal(warnings.length, 1, `the hand gesture is warned about once: ${JSON.stringify(warnings)}`);
  assert.equal(noSegmentation.length, 1, `the missing segmentation model is warned about once: ${JSON.stringify(noSegmentation)}`);
  for (let k = 0; k < 3; k++) assert.ok(Math.abs(lipsOn[k]! - expected[k]!) < 14, `multiply: channel ${k} is ${lipsOn[k]!.toFixed(1)}, expected ${expected[k]!.toFixed(1)}`);
});
