/**
 * The preview shows what viewers get (issue 6), end to end: the element in headless Chromium
 * previews and pushes a still test card (ffmpeg's testsrc2 at the pushed size, through its
 * `captureSource`) via the studio's gateway to nginx-rtmp. The preview's pixels are read from the
 * element's `<video>` (what the stream carries) or from a Playwright screenshot of the element
 * (what the user sees, CSS mirror included) and compared with the card and with frames ffmpeg
 * decodes from the recording.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { startStudio, type Studio } from '../../src/node/studio/server.js';
import { launchChromium } from '../support/chromium.js';
import { fixture } from '../support/fixtures.js';
import { startNginxRtmp, type NginxRtmp } from '../support/nginx-rtmp.js';
import { colourDistance, decodedFrame, meanColour } from '../support/rgb-frames.js';
import { call, openPusherWithPicture, waitForEvent } from './pusher-page.js';
import { startTogether } from '../support/start-together.js';

const W = 360;
const H = 640;
/** The element's box: the pushed size at device pixel ratio 1, so preview pixels map 1:1. */
const BOX = `width: ${W}px; height: ${H}px`;
/** A strong look: far from the card in colour. */
const LOOK = 'blues';

let nginx: NginxRtmp;
let studio: Studio;
let browser: Browser;
let card: string;
let camera: Uint8Array;

before(async () => {
  nginx = await startNginxRtmp();
  card = `data:image/png;base64,${(await readFile(await fixture('testcard-360x640.png'))).toString('base64')}`;
  await startTogether([startStudio({ allow: ['rtmp://127.0.0.1:*'] }).then((s) => (studio = s)), launchChromium().then((b) => (browser = b))]);
  const page = await browser.newPage();
  camera = await imagePixels(page, card);
  await page.close();
});
after(async () => {
  await browser?.close();
  await studio?.close();
  await nginx?.stop();
});

function open(name: string, attributes: Record<string, string> = {}): Promise<Page> {
  return openPusherWithPicture(browser, studio.url, { url: nginx.url('live', name), style: BOX, ...attributes }, card);
}

/** An image (URL) drawn at W×H, as RGB24. */
async function imagePixels(page: Page, url: string): Promise<Uint8Array> {
  const rgba = await page.evaluate(
    async ([u, w, h]) => {
      const bitmap = await createImageBitmap(await (await fetch(u)).blob());
      const g = new OffscreenCanvas(w, h).getContext('2d')!;
      g.drawImage(bitmap, 0, 0, w, h);
      return Array.from(g.getImageData(0, 0, w, h).data);
    },
    [url, W, H] as const,
  );
  return toRgb(rgba);
}

/** The picture the preview `<video>` presents now (after its next frame), drawn at W×H, as RGB24. */
async function previewPixels(page: Page): Promise<Uint8Array> {
  const rgba = (await page.evaluate(`(async () => {
    const video = document.getElementById('under-test').shadowRoot.querySelector('video');
    await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
    const g = new OffscreenCanvas(${W}, ${H}).getContext('2d');
    g.drawImage(video, 0, 0, ${W}, ${H});
    return Array.from(g.getImageData(0, 0, ${W}, ${H}).data);
  })()`)) as number[];
  return toRgb(rgba);
}

/** What the user sees: a screenshot of the element (its CSS mirror included), as RGB24. */
async function screenshotPixels(page: Page): Promise<Uint8Array> {
  const png = await page.locator('#under-test').screenshot();
  return imagePixels(page, `data:image/png;base64,${png.toString('base64')}`);
}

function toRgb(rgba: ArrayLike<number>): Uint8Array {
  const rgb = new Uint8Array(W * H * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) rgb.set([rgba[i]!, rgba[i + 1]!, rgba[i + 2]!], j);
  return rgb;
}

/** The picture mirrored left to right. */
function flipped(f: Uint8Array): Uint8Array {
  const out = new Uint8Array(f.length);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out.set(f.subarray((y * W + x) * 3, (y * W + x) * 3 + 3), (y * W + W - 1 - x) * 3);
  return out;
}

/** One RGB24 frame decoded from a recording at `atSeconds`. */
const frameAt = (recording: string, atSeconds: number): Promise<Uint8Array> => decodedFrame(recording, atSeconds, W, H);

/** Starts the preview and waits until it shows the card. */
async function startPreview(page: Page): Promise<void> {
  assert.equal((await call(page, 'startPreview')).errMsg, 'startPreview:ok');
  await waitForEvent(page, 'e.detail.code === 1007');
}

/** Pushes for a while with `during` run once publishing; returns a frame decoded from the middle of it. */
async function pushFrame(page: Page, name: string, during: () => Promise<void>): Promise<Uint8Array> {
  await rm(nginx.recordingPath(name), { force: true });
  assert.equal((await call(page, 'start')).errMsg, 'start:ok');
  await waitForEvent(page, 'e.detail.code === 1002');
  await page.waitForTimeout(1500);
  await during();
  assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  return frameAt(await nginx.waitForRecording(name), 1);
}

test('a filter set before pushing shows in the preview, and the pushed picture looks as the preview did', async () => {
  const [plain, look] = await Promise.all([open('preview-plain'), open('preview-look', { filter: LOOK })]);
  try {
    await Promise.all([startPreview(plain), startPreview(look)]);
    const plainPreview = await previewPixels(plain);
    const lookPreview = await previewPixels(look);
    const plainToCamera = colourDistance(plainPreview, camera, W);
    const lookToCamera = colourDistance(lookPreview, camera, W);
    console.log(`# previewing: plain vs camera ${plainToCamera.toFixed(2)}, ${LOOK} vs camera ${lookToCamera.toFixed(2)} levels`);
    assert.ok(plainToCamera < 3, `without effects the preview is the camera (${plainToCamera.toFixed(2)} levels)`);
    assert.ok(lookToCamera > 10, `the ${LOOK} look is in the preview before any push (${lookToCamera.toFixed(2)} levels from the camera)`);

    let pushingPreview!: Uint8Array;
    const pushed = await pushFrame(look, 'preview-look', async () => {
      pushingPreview = await previewPixels(look);
    });
    const pushedToCamera = colourDistance(pushed, camera, W);
    const pushedToPreview = colourDistance(pushed, pushingPreview, W);
    const pushedToEarlierPreview = colourDistance(pushed, lookPreview, W);
    console.log(
      `# pushed (${LOOK}, decoded) vs camera ${pushedToCamera.toFixed(2)}, vs the preview while pushing ${pushedToPreview.toFixed(2)}, vs the preview before the push ${pushedToEarlierPreview.toFixed(2)} levels`,
    );
    assert.ok(pushedToCamera > 10, 'the look is pushed');
    assert.ok(pushedToPreview < 4 && pushedToPreview < pushedToCamera / 4, `the preview while pushing is the pushed picture (${pushedToPreview.toFixed(2)} levels)`);
    assert.ok(pushedToEarlierPreview < 4, `the preview before the push was the picture pushed later (${pushedToEarlierPreview.toFixed(2)} levels)`);
  } finally {
    await Promise.all([plain.close(), look.close()]);
  }
});

test('effects switched on and off while previewing show at once, in the same <video> stream; snapshot works before a push; stop and start preview', async () => {
  const page = await open('preview-live');
  const green = await readFile(await fixture('green-64.png'));
  await page.route('**/overlays/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: green }));
  try {
    await startPreview(page);
    const streamBefore = await page.evaluate(`(() => { const v = document.getElementById('under-test').shadowRoot.querySelector('video'); window.previewStream = v.srcObject; return v.srcObject instanceof MediaStream; })()`);
    assert.equal(streamBefore, true, 'the preview plays a stream');
    const base = new URL('/overlays/', studio.url).href;
    // The top quarter of the picture, by pos (shares of the pushed picture).
    assert.equal((await call(page, 'applySticker', { type: '2D', stickers: [{ title: 'green', path: `${base}green`, len: 1, pos: [0, 0, 1, 0.25] }] })).errMsg, 'applySticker:ok');
    const withSticker = await previewPixels(page);
    const top = meanColour(withSticker, W, { x0: 0, y0: 0, x1: W, y1: H / 4 - 4 });
    const rest = colourDistance(withSticker, camera, W, { x0: 0, y0: H / 4 + 4, x1: W, y1: H });
    console.log(`# sticker in the preview: top quarter ${top.map(Math.round)}, rest vs camera ${rest.toFixed(2)} levels`);
    assert.ok(top[1] > 150 && top[0] < 60 && top[2] < 60, `the sticker shows in the preview: ${top.map(Math.round)}`);
    assert.ok(rest < 3, 'and the rest is the camera');

    const snap = await call(page, 'snapshot', { quality: 'raw', sourceType: 'stream' });
    assert.deepEqual([snap.errMsg, snap.width, snap.height], ['snapshot:ok', W, H]);
    const snapTop = meanColour(await imagePixels(page, String(snap.tempImagePath)), W, { x0: 0, y0: 0, x1: W, y1: H / 4 - 4 });
    assert.ok(snapTop[1] > 150 && snapTop[0] < 60, `the snapshot has the sticker: ${snapTop.map(Math.round)}`);

    assert.equal((await call(page, 'clearStickers')).errMsg, 'clearStickers:ok');
    const cleared = await previewPixels(page);
    const clearedToCamera = colourDistance(cleared, camera, W);
    const sameStream = await page.evaluate(`document.getElementById('under-test').shadowRoot.querySelector('video').srcObject === window.previewStream`);
    console.log(`# cleared: preview vs camera ${clearedToCamera.toFixed(2)} levels; same stream ${sameStream}`);
    assert.ok(clearedToCamera < 3, 'cleared, the preview is the camera again');
    assert.equal(sameStream, true, 'the <video> kept its stream through both switches');

    // Stopped, the preview lets the camera go; a look set meanwhile is in the next preview.
    assert.equal((await call(page, 'stopPreview')).errMsg, 'stopPreview:ok');
    const stopped = await page.evaluate(`document.getElementById('under-test').shadowRoot.querySelector('video').srcObject === null`);
    assert.equal(stopped, true, 'no stream while stopped');
    await page.evaluate((look) => document.getElementById('under-test')!.setAttribute('filter', look), LOOK);
    assert.equal((await call(page, 'startPreview')).errMsg, 'startPreview:ok');
    const again = colourDistance(await previewPixels(page), camera, W);
    console.log(`# preview started again with ${LOOK}: ${again.toFixed(2)} levels from the camera`);
    assert.ok(again > 10, 'the look set while stopped shows in the new preview');
  } finally {
    await page.close();
  }
});

test('local-mirror flips only the preview; remote-mirror flips only the pushed picture', async () => {
  const [local, remote] = await Promise.all([
    open('preview-local-mirror', { 'local-mirror': 'enable' }),
    open('preview-remote-mirror', { 'local-mirror': 'disable', 'remote-mirror': '' }),
  ]);
  try {
    await Promise.all([startPreview(local), startPreview(remote)]);
    const measure = async (page: Page, name: string) => {
      let seen!: Uint8Array;
      let stream!: Uint8Array;
      const pushed = await pushFrame(page, name, async () => {
        seen = await screenshotPixels(page);
        stream = await previewPixels(page);
      });
      return { seen, stream, pushed };
    };
    const [l, r] = await Promise.all([measure(local, 'preview-local-mirror'), measure(remote, 'preview-remote-mirror')]);
    const report = {
      localPushedVsCamera: colourDistance(l.pushed, camera, W),
      localSeenVsFlippedPushed: colourDistance(l.seen, flipped(l.pushed), W),
      localSeenVsPushed: colourDistance(l.seen, l.pushed, W),
      remotePushedVsFlippedCamera: colourDistance(r.pushed, flipped(camera), W),
      remotePushedVsCamera: colourDistance(r.pushed, camera, W),
      remoteSeenVsCamera: colourDistance(r.seen, camera, W),
      remoteSeenVsFlippedCamera: colourDistance(r.seen, flipped(camera), W),
      remoteStreamVsPushed: colourDistance(r.stream, r.pushed, W),
    };
    console.log(`# mirrors (levels): ${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(2)) : v))}`);
    // local-mirror: the pushed picture is the camera's, the user sees it mirrored.
    assert.ok(report.localPushedVsCamera < 4, 'local-mirror leaves the pushed picture alone');
    assert.ok(report.localSeenVsFlippedPushed < 4 && report.localSeenVsPushed > report.localSeenVsFlippedPushed + 10, 'the user sees the pushed picture mirrored');
    // remote-mirror with local-mirror disable: viewers get the mirror image, the user sees the camera unmirrored.
    assert.ok(report.remotePushedVsFlippedCamera < 4 && report.remotePushedVsCamera > report.remotePushedVsFlippedCamera + 10, 'remote-mirror mirrors the pushed picture');
    assert.ok(report.remoteStreamVsPushed < 4, "the preview's stream is the pushed picture");
    assert.ok(report.remoteSeenVsCamera < 4 && report.remoteSeenVsFlippedCamera > report.remoteSeenVsCamera + 10, 'the user sees the camera unmirrored');
  } finally {
    await Promise.all([local.close(), remote.close()]);
  }
});

test('custom render shows in the preview before a push; paused, the preview holds the waiting image as the push does', async () => {
  const page = await open('preview-custom', { 'enable-video-custom-render': '' });
  const red = await readFile(await fixture('red-64.png'));
  await page.route('**/waiting/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: red }));
  try {
    // A string: tsx would wrap these arrow functions in a __name() the page does not have.
    await page.evaluate(`(async () => {
      const { createLivePusherContext } = await import('/live-pusher.js');
      const ctx = createLivePusherContext('under-test');
      const g = ctx.createOffscreenCanvas().getContext('2d');
      ctx.onCustomRendererEvent('frame', (info) => {
        g.fillStyle = 'rgb(20, 220, 240)';
        g.fillRect(0, 0, info.width, info.height / 2);
      });
    })()`);
    await startPreview(page);
    const previewing = await previewPixels(page);
    const drawn = meanColour(previewing, W, { x0: 0, y0: 0, x1: W, y1: H / 2 - 8 });
    const under = colourDistance(previewing, camera, W, { x0: 0, y0: H / 2 + 8, x1: W, y1: H });
    console.log(`# custom render while previewing: top half ${drawn.map(Math.round)}, bottom half vs camera ${under.toFixed(2)} levels`);
    assert.ok(Math.abs(drawn[0] - 20) < 8 && Math.abs(drawn[1] - 220) < 8 && Math.abs(drawn[2] - 240) < 8, 'what the app draws is in the preview');
    assert.ok(under < 3, 'over the camera picture');

    await page.evaluate((url) => document.getElementById('under-test')!.setAttribute('waiting-image', url), new URL('/waiting/red.png', studio.url).href);
    let paused!: [number, number, number];
    let resumed!: [number, number, number];
    const pushed = await pushFrame(page, 'preview-custom', async () => {
      assert.equal((await call(page, 'pause')).errMsg, 'pause:ok');
      await page.waitForTimeout(800);
      paused = meanColour(await previewPixels(page), W);
      assert.equal((await call(page, 'resume')).errMsg, 'resume:ok');
      await page.waitForTimeout(800);
      resumed = meanColour(await previewPixels(page), W, { x0: 0, y0: 0, x1: W, y1: H / 2 - 8 });
    });
    const pushedTop = meanColour(pushed, W, { x0: 0, y0: 0, x1: W, y1: H / 2 - 8 });
    console.log(`# preview paused ${paused.map(Math.round)}, resumed top ${resumed.map(Math.round)}; pushed top ${pushedTop.map(Math.round)}`);
    assert.ok(Math.abs(paused[0] - 224) < 8 && Math.abs(paused[1] - 16) < 8 && Math.abs(paused[2] - 32) < 8, 'paused, the preview shows the waiting image');
    assert.ok(Math.abs(resumed[1] - 220) < 8 && Math.abs(pushedTop[1] - 220) < 12, 'resumed, the custom render again, as pushed');
  } finally {
    await page.close();
  }
});

test('the face tracker runs with the preview: a face sticker follows the face before any push', async () => {
  const face = `data:image/png;base64,${(await readFile(await fixture('face-360x640.png'))).toString('base64')}`;
  const page = await openPusherWithPicture(browser, studio.url, { style: BOX }, face);
  const blue = await readFile(await fixture('blue-64.png'));
  await page.route('**/overlays/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: blue }));
  // Pixels of the sticker's blue (0x1030e0) in the preview's next picture.
  const bluePixels = `(async () => {
    const video = document.getElementById('under-test').shadowRoot.querySelector('video');
    await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
    const g = new OffscreenCanvas(${W}, ${H}).getContext('2d');
    g.drawImage(video, 0, 0, ${W}, ${H});
    const d = g.getImageData(0, 0, ${W}, ${H}).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 180 && d[i] < 60 && d[i + 1] < 90) n++;
    return n;
  })()`;
  try {
    await startPreview(page);
    const before = (await page.evaluate(bluePixels)) as number;
    assert.equal((await call(page, 'applySticker', { type: 'face', stickers: [{ title: 'blue', path: new URL('/overlays/blue', studio.url).href }] })).errMsg, 'applySticker:ok');
    // The model loads and finds the face in the worker: seconds on a shared machine.
    let after = 0;
    for (const deadline = Date.now() + 60_000; after <= 3000 && Date.now() < deadline; ) after = (await page.evaluate(bluePixels)) as number;
    const state = await page.getAttribute('#under-test', 'state');
    console.log(`# face sticker in the preview: ${before} blue pixels before, ${after} with it; state ${state}`);
    assert.ok(before < 100, 'no blue before');
    assert.ok(after > 3000, `the sticker on the face shows in the preview (${after} blue pixels)`);
    assert.equal(state, 'previewing', 'and no push started');
  } finally {
    await page.close();
  }
});
