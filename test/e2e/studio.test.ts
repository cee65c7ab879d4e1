/**
 * The studio as a newcomer meets it: `node bin/live-pusher.js serve --port 0 --rtmp-port 0` (what
 * `npm start` runs), its printed addresses, the page in headless Chromium with a fake camera and
 * microphone, driven only through the page's own controls. The player must play the round trip,
 * the charts must fill, and attribute changes must show in the stream node-media-server serves
 * (ffprobe on its HTTP-FLV output). Screenshots for docs/screenshots/ are taken on the way.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { killAndWait, runTool, spawnTracked } from '../support/children.js';
import { probePackets, probeStreams, type Packet } from '../support/ffprobe.js';
import { startHttpFlvCapture } from '../support/http-flv.js';
import { startNginxRtmp } from '../support/nginx-rtmp.js';
import { startTogether } from '../support/start-together.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

/** The addresses `serve` printed. */
interface Printed {
  studio: string;
  pushTo: string;
  playback: string;
}

let serve: ChildProcess;
let printed: Printed;
let browser: Browser;
let work: string;

/** Starts the CLI and reads its startup lines (`studio:`, `push to:`, `playback:`, `stop:`). */
async function startServe(args = ['--port', '0', '--rtmp-port', '0']): Promise<{ child: ChildProcess; printed: Printed }> {
  const child = spawnTracked(process.execPath, [join(ROOT, 'bin', 'live-pusher.js'), 'serve', ...args], { cwd: ROOT });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const text = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no addresses in 20 s:\n${out}\n${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (/stop:\s+Ctrl-C/.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}\n${err}`)));
  });
  const field = (name: string) => {
    const m = new RegExp(`^\\s*${name}:\\s+(\\S+)`, 'm').exec(text);
    assert.ok(m, `serve prints "${name}:"\n${text}`);
    return m[1]!;
  };
  return { child, printed: { studio: field('studio'), pushTo: field('push to'), playback: field('playback') } };
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'studio-test-'));
  await mkdir(SCREENSHOTS, { recursive: true });
  await startTogether([
    startServe().then((s) => ({ child: serve, printed } = s)),
    chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS }).then((b) => (browser = b)),
  ]);
});
after(async () => {
  await browser?.close();
  if (serve) await killAndWait(serve, 'SIGINT');
  if (work) await rm(work, { recursive: true, force: true });
});

async function openStudio(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(printed.studio);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 }).catch((e: Error) => {
    throw new Error(`the page did not get ready: ${errors.join('; ') || e.message}`);
  });
  return page;
}

/** Waits until the event log lists a statechange with `code`. */
async function waitForCode(page: Page, code: number, nth = 1): Promise<void> {
  await page.waitForFunction(
    ([c, n]) => [...document.querySelectorAll('#log li')].filter((li) => li.querySelector('.k')?.textContent === 'statechange' && li.querySelector('.c')?.textContent === String(c)).length >= n,
    [code, nth] as const,
    { timeout: 20_000, polling: 100 },
  );
}

/** What the player has decoded so far. */
function playback(page: Page): Promise<{ frames: number; time: number; width: number }> {
  return page.evaluate(() => {
    const v = document.getElementById('player') as HTMLVideoElement;
    return { frames: v.getVideoPlaybackQuality().totalVideoFrames, time: v.currentTime, width: v.videoWidth };
  });
}

/** Captures `ms` of the stream node-media-server serves over HTTP-FLV and probes it. */
async function captureStream(name: string, ms: number): Promise<{ width?: number; height?: number; fps: number; hasAudio: boolean; maxVolumeDb: number }> {
  const path = join(work, `${name}.flv`);
  const capture = startHttpFlvCapture(printed.playback, path, { timeoutMs: ms + 5000 });
  await new Promise((r) => setTimeout(r, ms));
  await capture.stop();
  const streams = await probeStreams(path);
  const video = (await probePackets(path)).filter((p: Packet) => p.codecType === 'video');
  // Frame rate from the last 2 s of timestamps: the start may hold the server's cached GOP.
  const end = video.at(-1)!.dtsMs!;
  const recent = video.filter((p) => p.dtsMs! >= end - 2000);
  const fps = (recent.length - 1) / ((end - recent[0]!.dtsMs!) / 1000);
  const v = streams.find((s) => s.codecType === 'video');
  // Loudest sample after the first second (which may be the server's cache from before a change).
  const volume = await runTool('ffmpeg', ['-hide_banner', '-i', path, '-vn', '-af', 'atrim=start=1,volumedetect', '-f', 'null', '-'], { timeoutMs: 30_000 });
  const maxVolumeDb = Number(/max_volume: (-?[\d.]+|-inf) dB/.exec(volume.stderr)?.[1]?.replace('-inf', '-Infinity') ?? NaN);
  return { width: v?.width, height: v?.height, fps, hasAudio: streams.some((s) => s.codecType === 'audio'), maxVolumeDb };
}

test('serve prints its addresses; Start push on the page plays back in the player and fills the charts', async () => {
  assert.match(printed.studio, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.match(printed.pushTo, /^rtmp:\/\/127\.0\.0\.1:\d+\/live\/demo$/);
  assert.match(printed.playback, /^http:\/\/127\.0\.0\.1:\d+\/live\/demo\.flv$/);
  const page = await openStudio();
  try {
    assert.equal(await page.getAttribute('#pusher', 'url'), printed.pushTo);
    // Every attribute has a labelled control, every context method a button.
    assert.ok((await page.locator('#controls .field').count()) >= 40, 'a control per attribute');
    assert.equal(await page.getByLabel('mode', { exact: true }).count(), 1);
    await page.getByRole('button', { name: 'Start push' }).click();
    await waitForCode(page, 1002);
    await page.waitForFunction(() => (document.getElementById('player') as HTMLVideoElement | null)?.getVideoPlaybackQuality().totalVideoFrames! > 10, undefined, { timeout: 20_000 });
    const first = await playback(page);
    await page.waitForTimeout(2500);
    const later = await playback(page);
    assert.ok(later.frames > first.frames + 15, `frames decoded ${first.frames} -> ${later.frames}`);
    assert.ok(later.time > first.time + 1.5, `currentTime ${first.time} -> ${later.time}`);
    assert.equal(later.width, 360);

    const points = await page.$$eval('canvas.chart', (cs) => cs.map((c) => Number((c as HTMLCanvasElement).dataset.points)));
    assert.equal(points.length, 4);
    for (const n of points) assert.ok(n >= 3, `chart points ${points}`);
    assert.match(await page.locator('#snippet-markup').innerText(), /<live-pusher[\s\S]*url="rtmp:/);

    await page.getByRole('button', { name: 'snapshot', exact: true }).click();
    await page.waitForSelector('#method-snapshot-result.ok img');
    await page.waitForTimeout(5000); // a few more chart points for the screenshot
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SCREENSHOTS, 'studio.png') });
    await page.screenshot({ path: join(SCREENSHOTS, 'studio-full.png'), fullPage: true });
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.waitForFunction(() => document.getElementById('pusher')?.getAttribute('state') === 'stopped');
  } finally {
    await page.close();
  }
});

test('mode, fps and enable-mic changed from the controls: the pushed stream follows (ffprobe on HTTP-FLV)', async () => {
  const page = await openStudio();
  try {
    await page.getByRole('button', { name: 'Start push' }).click();
    await waitForCode(page, 1002);
    await page.waitForTimeout(1500);
    const before = await captureStream('defaults', 3500);
    assert.deepEqual([before.width, before.height, before.hasAudio], [360, 640, true]);
    assert.ok(before.fps > 12 && before.fps < 17, `default fps ${before.fps.toFixed(1)}`);

    // While pushing: a bigger preset and a lower frame rate (the camera was opened for 15).
    await page.getByLabel('mode', { exact: true }).selectOption('HD');
    const fps = page.getByLabel('fps', { exact: true });
    await fps.fill('8');
    await fps.dispatchEvent('change');
    await page.waitForFunction(() => document.getElementById('snippet-markup')?.textContent?.includes('fps="8"'));
    await page.waitForTimeout(2500);
    const live = await captureStream('hd-8fps', 3500);
    assert.deepEqual([live.width, live.height], [540, 960]);
    assert.ok(live.fps > 6 && live.fps < 9.5, `fps after the change ${live.fps.toFixed(1)}`);

    // The microphone off while pushing: the audio track carries silence (the fake microphone beeps).
    assert.ok(before.maxVolumeDb > -30, `the microphone is heard at first (max ${before.maxVolumeDb} dB)`);
    await page.getByLabel('enable-mic', { exact: true }).uncheck();
    await waitForCode(page, 4998);
    await page.waitForTimeout(2000);
    const noMic = await captureStream('no-mic', 3500);
    assert.deepEqual([noMic.width, noMic.height], [540, 960]);
    assert.ok(noMic.maxVolumeDb < -60, `silence after enable-mic=false (max ${noMic.maxVolumeDb} dB)`);
    const markup = await page.locator('#snippet-markup').innerText();
    for (const attr of ['mode="HD"', 'fps="8"', 'enable-mic="false"']) assert.ok(markup.includes(attr), `${attr} in\n${markup}`);
    await page.locator('#controls').screenshot({ path: join(SCREENSHOTS, 'studio-controls.png') });
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
  } finally {
    await page.close();
  }
});

test('without a usable camera the page says so and pushes a generated test picture and tone', async () => {
  // Fake devices, but every permission prompt refused: getUserMedia fails with NotAllowedError.
  const denying = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS.filter((a) => a !== '--use-fake-ui-for-media-stream'), '--deny-permission-prompts'] });
  try {
    const page = await denying.newPage({ viewport: { width: 1440, height: 1100 } });
    await page.goto(printed.studio);
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByRole('button', { name: 'Start push' }).click();
    const banner = page.locator('#source-banner');
    await banner.getByText('camera permission was refused').waitFor({ timeout: 15_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SCREENSHOTS, 'studio-no-camera.png'), clip: { x: 0, y: 0, width: 1440, height: 760 } });
    await banner.getByRole('button', { name: 'Use the test picture and tone' }).click();
    if ((await page.getAttribute('#pusher', 'state')) !== 'pushing') await page.getByRole('button', { name: 'Start push' }).click();
    await waitForCode(page, 1002);
    await page.waitForFunction(() => (document.getElementById('player') as HTMLVideoElement | null)?.getVideoPlaybackQuality().totalVideoFrames! > 10, undefined, { timeout: 20_000 });
    assert.ok(await page.getByLabel(/test picture and tone/).isChecked());
    const stream = await captureStream('test-source', 3000);
    assert.deepEqual([stream.width, stream.height, stream.hasAudio], [360, 640, true]);
    assert.ok(stream.maxVolumeDb > -30, `the test tone is heard (max ${stream.maxVolumeDb} dB)`);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
  } finally {
    await denying.close();
  }
});

test('serve --rtmp-url pushes to an external server (nginx-rtmp) and hides the player', async () => {
  const nginx = await startNginxRtmp();
  const external = await startServe(['--port', '0', '--rtmp-url', nginx.url('live', 'external')]);
  const page = await browser.newPage();
  try {
    assert.equal(external.printed.pushTo, nginx.url('live', 'external'));
    assert.equal(external.printed.playback, '(none:');
    await page.goto(external.printed.studio);
    await page.waitForSelector('body[data-ready="true"]');
    assert.match(await page.locator('#player-slot').innerText(), /--play-url/);
    await page.getByRole('button', { name: 'Start push' }).click();
    await waitForCode(page, 1002);
    await page.waitForTimeout(1500);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.waitForFunction(() => document.getElementById('pusher')?.getAttribute('state') === 'stopped');
    const streams = await probeStreams(await nginx.waitForRecording('external'));
    assert.equal(streams.find((s) => s.codecType === 'video')?.codecName, 'h264');
  } finally {
    await page.close();
    await killAndWait(external.child, 'SIGINT');
    await nginx.stop();
  }
});
