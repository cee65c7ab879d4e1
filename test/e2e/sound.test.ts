/**
 * The sound of `<live-pusher>` end to end (issue 7): Chromium's fake microphone plays a 440 Hz
 * tone, background music is a WAV of a 1000 Hz tone served from a tiny CORS server here; the
 * element pushes through the studio's gateway to nginx-rtmp and the recording is measured with a
 * Goertzel filter (test/support/tones.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startStudio, type Studio } from '../../src/node/studio/server.js';
import { launchChromium } from '../support/chromium.js';
import { startNginxRtmp, type NginxRtmp } from '../support/nginx-rtmp.js';
import { decodeMono, median, toneLevels, writeToneWav } from '../support/tones.js';
import { call, events, openPusher, waitForEvent } from './pusher-page.js';

const MIC_HZ = 440;
const BGM_HZ = 1000;
/** The BGM file's tone amplitude: −12.04 dBFS. */
const BGM_AMPLITUDE = 0.25;
const BGM_DB = 20 * Math.log10(BGM_AMPLITUDE);

let nginx: NginxRtmp;
let studio: Studio;
let browser: Browser;
let dir: string;
let files: Server;
let filesUrl: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sound-test-'));
  await Promise.all([writeToneWav(join(dir, 'mic.wav'), MIC_HZ, 10, 0.25), writeToneWav(join(dir, 'bgm.wav'), BGM_HZ, 20, BGM_AMPLITUDE)]);
  // The studio server is not ours to extend: the music comes from its own origin, with CORS, as a
  // mini-program's music would come from a CDN.
  files = createServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    readFile(join(dir, name.replace(/[^a-z0-9.]/gi, ''))).then(
      (body) => res.writeHead(200, { 'content-type': 'audio/wav', 'access-control-allow-origin': '*' }).end(body),
      () => res.writeHead(404, { 'access-control-allow-origin': '*' }).end('not found'),
    );
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  nginx = await startNginxRtmp();
  [studio, browser] = await Promise.all([startStudio({ allow: ['rtmp://127.0.0.1:*'] }), launchChromium({ micWav: join(dir, 'mic.wav') })]);
});
after(async () => {
  await browser?.close();
  await studio?.close();
  await nginx?.stop();
  // Chromium keeps its connections alive: close them, or close() waits for ever.
  files?.closeAllConnections();
  await new Promise((resolve) => files?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The studio page with a pushing `<live-pusher>`. */
async function openPushing(name: string): Promise<Page> {
  const page = await openPusher(browser, studio.url, { url: nginx.url('live', name), autopush: '' });
  await waitForEvent(page, 'e.detail.code === 1002');
  return page;
}

test('playBGM mixes the music into the pushed audio at the setBGMVolume level; stopBGM removes it', async () => {
  await rm(nginx.recordingPath('bgm'), { force: true });
  const page = await openPushing('bgm');
  await page.waitForTimeout(1500);
  assert.equal((await call(page, 'playBGM', { url: `${filesUrl}/bgm.wav` })).errMsg, 'playBGM:ok');
  await page.waitForTimeout(2500);
  const half = await call(page, 'setBGMVolume', { volume: '0.5' });
  assert.equal(half.errMsg, 'setBGMVolume:ok');
  await page.waitForTimeout(2500);
  const stopped = await call(page, 'stopBGM');
  assert.equal(stopped.errMsg, 'stopBGM:ok');
  await page.waitForTimeout(2000);
  assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  const list = await events(page);
  await page.close();
  const started = list.find((e) => e.type === 'bgmstart')!.at;

  const samples = await decodeMono(await nginx.waitForRecording('bgm'));
  const bgm = toneLevels(samples, BGM_HZ);
  const mic = toneLevels(samples, MIC_HZ);
  // Windows of 0.1 s; the music's onset in the recording pins page times to recording times.
  const onset = bgm.findIndex((db) => db > BGM_DB - 20);
  assert.ok(onset > 5, `the music is absent before playBGM (onset at window ${onset})`);
  const at = (pageMs: number) => onset + Math.round((pageMs - started) / 100);
  const full = median(bgm.slice(onset + 3, at(half.at) - 3));
  const halved = median(bgm.slice(at(half.at) + 3, at(stopped.at) - 3));
  const before = Math.max(...bgm.slice(0, onset - 1));
  const afterStop = Math.max(...bgm.slice(at(stopped.at) + 3, bgm.length - 2));
  const micLevel = median(mic.slice(2, bgm.length - 2));
  const report = `file ${BGM_DB.toFixed(2)} dBFS; pushed ${full.toFixed(2)} at volume 1, ${halved.toFixed(2)} at 0.5; before ${before.toFixed(1)}, after stop ${afterStop.toFixed(1)}; mic ${micLevel.toFixed(1)}`;
  console.log(`# ${report}`);
  assert.ok(Math.abs(full - BGM_DB) <= 1, `volume 1 within 1 dB of the file: ${report}`);
  assert.ok(Math.abs(halved - (BGM_DB + 20 * Math.log10(0.5))) <= 1, `volume 0.5 within 1 dB of −6.02 dB: ${report}`);
  assert.ok(before < BGM_DB - 40, `no music before playBGM: ${report}`);
  assert.ok(afterStop < BGM_DB - 40, `no music after stopBGM: ${report}`);
  assert.ok(micLevel > -20, `the microphone tone is still pushed: ${report}`);
});

test('bgm events come in order, progress rises to the segment duration; a missing file is 10003', async () => {
  const page = await openPushing('bgm-events');
  try {
    const play = await call(page, 'playBGM', { url: `${filesUrl}/bgm.wav`, startTimeMs: 500, endTimeMs: 2500 });
    assert.equal(play.errMsg, 'playBGM:ok');
    await waitForEvent(page, 'e.type === "bgmcomplete"', 10_000);
    const bgm = (await events(page)).filter((e) => e.type.startsWith('bgm'));
    assert.equal(bgm[0]?.type, 'bgmstart');
    assert.equal(bgm.at(-1)?.type, 'bgmcomplete');
    const progress = bgm.slice(1, -1);
    assert.ok(progress.length >= 5 && progress.every((e) => e.type === 'bgmprogress'), JSON.stringify(bgm));
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.detail.progress! >= progress[i - 1]!.detail.progress!, 'progress never goes back');
    for (const e of progress) assert.ok(Math.abs(e.detail.duration! - 2) < 0.01, `duration ${e.detail.duration}`);
    assert.ok(Math.abs(progress.at(-1)!.detail.progress! - 2) < 0.01, `progress ends at the duration: ${progress.at(-1)!.detail.progress}`);

    // Through a then() in the page: awaiting this rejection inside call()'s evaluate never returned.
    const missing = await page.evaluate(async (u) => {
      const { createLivePusherContext } = (await import('/live-pusher.js' as string)) as { createLivePusherContext(id: string): { playBGM(o: object): Promise<unknown> } };
      return createLivePusherContext('under-test').playBGM({ url: u }).then(() => 'playBGM:ok', (e: Error) => e.message);
    }, `${filesUrl}/missing.wav`);
    assert.match(missing, /^playBGM:fail/);
    await waitForEvent(page, 'e.type === "error" && e.detail.errCode === 10003');
    assert.ok((await events(page)).some((e) => e.type === 'statechange' && e.detail.code === 10003));
  } finally {
    await page.close();
  }
});

test('audiovolumenotify comes several times a second only while someone listens, with the mic tone as level', async () => {
  const page = await openPushing('volume');
  try {
    // A capturing listener on window sees the element's events without counting as a listener.
    const count = () => page.evaluate(() => (window as unknown as { levels: number[] }).levels.length);
    await page.evaluate(() => {
      const levels: number[] = [];
      (window as unknown as { levels: number[] }).levels = levels;
      window.addEventListener('audiovolumenotify', (e) => levels.push((e as CustomEvent<{ volume: number }>).detail.volume), true);
    });
    await page.waitForTimeout(1000);
    assert.equal(await count(), 0, 'no events without a listener');
    await page.evaluate(() => ((document.getElementById('under-test') as unknown as { onaudiovolumenotify: unknown }).onaudiovolumenotify = () => undefined));
    await page.waitForTimeout(1000);
    const heard = await page.evaluate(() => (window as unknown as { levels: number[] }).levels);
    assert.ok(heard.length >= 3, `${heard.length} events in a second`);
    // The mic tone is −12 dBFS (RMS −15 dB): level (−15 + 60) / 60 · 100 ≈ 75.
    assert.ok(heard.every((v) => v >= 65 && v <= 85), `levels ${heard.join(',')}`);
    await page.evaluate(() => ((document.getElementById('under-test') as unknown as { onaudiovolumenotify: unknown }).onaudiovolumenotify = null));
    const n = await count();
    await page.waitForTimeout(800);
    assert.equal(await count(), n, 'none after the listener went');
  } finally {
    await page.close();
  }
});
