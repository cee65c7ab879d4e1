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
import { readFlv } from '../support/flv-tags.js';
import { decodeMono, median, rmsLevels, toneLevels, writeToneWav } from '../support/tones.js';
import { reverberationTime } from '../audio/acoustics.js';
import { fundamentalHz } from '../audio/voice-measures.js';
import { REVERB_DESIGNS } from '../../src/browser/audio/reverb.js';
import { VOICE_CHANGER_DESIGNS } from '../../src/browser/audio/voice-changer.js';
import { call, events, openPusher, recordCaptureTracks, waitForEvent } from './pusher-page.js';
import { startTogether } from '../support/start-together.js';

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
  await startTogether([startStudio({ allow: ['rtmp://127.0.0.1:*'] }).then((s) => (studio = s)), launchChromium({ micWav: join(dir, 'mic.wav') }).then((b) => (browser = b))]);
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

/** Sets (or, with null, removes) an attribute of the pusher under test; resolves with the page time. */
function setAttribute(page: Page, name: string, value: string | null): Promise<number> {
  return page.evaluate(
    ([n, v]) => {
      const el = document.getElementById('under-test')!;
      if (v === null) el.removeAttribute(n);
      else el.setAttribute(n, v);
      return performance.now();
    },
    [name, value] as const,
  );
}

test('setMICVolume scales the microphone; enable-mic=false and muted silence it live, with 4998 and 4999', async () => {
  await rm(nginx.recordingPath('mic'), { force: true });
  const page = await openPushing('mic');
  await page.waitForTimeout(1500);
  const half = await call(page, 'setMICVolume', { volume: 0.5 });
  assert.equal(half.errMsg, 'setMICVolume:ok');
  await page.waitForTimeout(2000);
  const full = (await call(page, 'setMICVolume', { volume: '1' })).at;
  await page.waitForTimeout(2000);
  const off = await setAttribute(page, 'enable-mic', 'false');
  await page.waitForTimeout(2000);
  const on = await setAttribute(page, 'enable-mic', 'true');
  await page.waitForTimeout(2000);
  const muted = await setAttribute(page, 'muted', '');
  await page.waitForTimeout(2000);
  assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  const list = await events(page);
  await page.close();

  const mic = toneLevels(await decodeMono(await nginx.waitForRecording('mic')), MIC_HZ);
  const start = median(mic.slice(2, 12));
  // The first step down (to −6 dB) pins page times to recording windows of 0.1 s.
  const anchor = mic.findIndex((db, i) => i > 2 && db < start - 3);
  assert.ok(anchor > 5, `the level drops after setMICVolume (window ${anchor})`);
  const at = (pageMs: number) => anchor + Math.round((pageMs - half.at) / 100);
  const level = (from: number, to: number) => median(mic.slice(at(from) + 3, at(to) - 3));
  const end = half.at + 2000 + 2000 + 2000 + 2000 + 2000 + 2000;
  const figures = {
    volume1: start,
    volume05: level(half.at, full),
    volume1again: level(full, off),
    micOff: Math.max(...mic.slice(at(off) + 3, at(on) - 3)),
    micOn: level(on, muted),
    muted: Math.max(...mic.slice(at(muted) + 3, Math.min(mic.length - 2, at(end)))),
  };
  const report = Object.entries(figures).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
  console.log(`# mic tone dBFS: ${report}`);
  assert.ok(Math.abs(start - 20 * Math.log10(0.25)) <= 1, `volume 1 is the fake microphone's −12 dBFS: ${report}`);
  assert.ok(Math.abs(figures.volume05 - (start - 6.02)) <= 1, `volume 0.5 is 6 dB down: ${report}`);
  assert.ok(Math.abs(figures.volume1again - start) <= 1, `volume 1 again: ${report}`);
  assert.ok(figures.micOff < start - 40, `enable-mic=false is silence: ${report}`);
  assert.ok(Math.abs(figures.micOn - start) <= 1, `enable-mic=true brings it back: ${report}`);
  assert.ok(figures.muted < start - 40, `muted is silence: ${report}`);

  const changes = list.filter((e) => e.type === 'statechange' && (e.detail.code === 4998 || e.detail.code === 4999)).map((e) => e.detail.code);
  assert.deepEqual(changes, [4998, 4998, 4999]);
});

test('audio-quality changes mid-push: a new 16 kHz sequence header, the tone carries on without a gap', async () => {
  await rm(nginx.recordingPath('quality'), { force: true });
  const page = await openPushing('quality');
  await page.waitForTimeout(2500);
  await setAttribute(page, 'audio-quality', 'low');
  await page.waitForTimeout(2500);
  assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  await page.close();

  const file = await nginx.waitForRecording('quality');
  // AudioSpecificConfig (ISO 14496-3 §1.6.2.1): 5 bits object type, 4 bits sampling frequency index.
  const rates = readFlv(file)
    .tags.filter((t) => t.type === 8 && t.data[1] === 0)
    .map((t) => [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000][((t.data[2]! & 7) << 1) | (t.data[3]! >> 7)]);
  // nginx-rtmp may write the first header twice (its own copy at the recording's start).
  assert.deepEqual(
    rates.filter((r, i) => r !== rates[i - 1]),
    [48000, 16000],
    `the sequence headers in the recording: ${rates.join(', ')}`,
  );
  const pcm = await decodeMono(file);
  const mic = toneLevels(pcm, MIC_HZ);
  const steady = mic.slice(3, -3);
  const dips = steady.filter((db) => db < median(steady) - 3).length;
  // Silence is read from the sound's level in 5 ms windows: the tone's level in a 0.1 s window
  // also drops when the restart shifts its phase within the window (the halves cancel), which is
  // no silence at all.
  const fine = rmsLevels(pcm, 48_000, 0.005).slice(60, -60);
  const loud = median(fine);
  let silentMs = 0;
  for (let i = 0, run = 0; i < fine.length; i++) {
    run = fine[i]! < loud - 20 ? run + 5 : 0;
    silentMs = Math.max(silentMs, run);
  }
  const report = `min ${Math.min(...steady).toFixed(2)}, median ${median(steady).toFixed(2)} dBFS over ${steady.length} windows, ${dips} below median − 3 dB; longest silence ${silentMs} ms`;
  console.log(`# audio-quality high → low: ${report}`);
  assert.ok(steady.length > 40, report);
  assert.ok(Math.abs(median(steady) - 20 * Math.log10(0.25)) <= 1, `the tone's level is kept: ${report}`);
  // A player's AAC decoder starts over at a new AudioSpecificConfig (its overlap-add state goes):
  // one frame either side of the switch, under 0.1 s, is the codec's own and cannot be avoided.
  // Anything longer — blocks lost while the encoder was swapped — would show as more windows.
  assert.ok(dips <= 2, `only the codec's restart dips: ${report}`);
  assert.ok(silentMs < 100, `no silence beyond the codec's restart: ${report}`);
});

test('enable-ans reopens the microphone with noise suppression and swaps it in without a gap', async () => {
  await rm(nginx.recordingPath('ans'), { force: true });
  // The microphone tracks the element opens, seen through its captureSource: the newest live one is in use.
  const page = await openPusher(browser, studio.url, { url: nginx.url('live', 'ans') });
  await recordCaptureTracks(page);
  assert.equal((await call(page, 'start')).errMsg, 'start:ok');
  await waitForEvent(page, 'e.detail.code === 1002');
  const liveMic = () => (window as unknown as { captured: MediaStreamTrack[] }).captured.filter((t) => t.kind === 'audio' && t.readyState === 'live').at(-1);
  const micSettings = async () => (await page.evaluate(`(() => { const t = (${liveMic})(); return { id: t.id, noiseSuppression: t.getSettings().noiseSuppression }; })()`)) as { id: string; noiseSuppression?: boolean };
  await page.waitForTimeout(1500);
  const before = await micSettings();
  await setAttribute(page, 'enable-ans', 'true');
  await page.waitForFunction(`(${liveMic})()?.getSettings().noiseSuppression === true`);
  const after = await micSettings();
  await page.waitForTimeout(2000);
  assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  await page.close();
  assert.equal(before.noiseSuppression, false);
  assert.notEqual(after.id, before.id, 'a new microphone track');

  // Noise suppression takes a steady tone for noise: its level falling is the proof the new
  // processing runs on what is pushed. A swap that lost sound would show as a silent window.
  const mic = toneLevels(await decodeMono(await nginx.waitForRecording('ans')), MIC_HZ).slice(3, -3);
  const plain = median(mic.slice(0, 8));
  const suppressed = median(mic.slice(-8));
  const report = `tone ${plain.toFixed(2)} dBFS before, ${suppressed.toFixed(2)} with noise suppression, min ${Math.min(...mic).toFixed(2)}`;
  console.log(`# enable-ans swap: ${report}`);
  assert.ok(Math.abs(plain - 20 * Math.log10(0.25)) <= 1, `the tone before: ${report}`);
  assert.ok(suppressed < plain - 6, `noise suppression acts on the pushed sound: ${report}`);
  assert.ok(Math.min(...mic) > suppressed - 20, `no silence across the swap: ${report}`);
});

test('voice-changer-type moves the pushed tone by its designed pitch ratio and switches live', async () => {
  await rm(nginx.recordingPath('voice'), { force: true });
  const page = await openPusher(browser, studio.url, { url: nginx.url('live', 'voice'), autopush: '', 'voice-changer-type': '3' });
  await waitForEvent(page, 'e.detail.code === 1002');
  await page.waitForTimeout(3000);
  await setAttribute(page, 'voice-changer-type', '1');
  await page.waitForTimeout(3000);
  await setAttribute(page, 'voice-changer-type', '0');
  await page.waitForTimeout(2500);
  assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  await page.close();

  // Each 0.2 s window's fundamental, taken as the nearest of the three expected pitches; the runs
  // of windows must come in the order of the switches, each at its pitch within 2 %.
  const expected = [VOICE_CHANGER_DESIGNS[3].pitchRatio, VOICE_CHANGER_DESIGNS[1].pitchRatio, 1].map((r) => MIC_HZ * r);
  const samples = await decodeMono(await nginx.waitForRecording('voice'));
  const pitches = Array.from({ length: Math.floor((samples.length / 48_000 - 0.1) / 0.2) }, (_, i) => fundamentalHz(samples, 48_000, { from: i * 0.2, to: (i + 1) * 0.2 + 0.1, minHz: 100, maxHz: 2000 }))
    .slice(2, -2)
    .filter((f) => !Number.isNaN(f));
  const nearest = pitches.map((f) => expected.reduce((best, e, i) => (Math.abs(Math.log(f / e)) < Math.abs(Math.log(f / expected[best]!)) ? i : best), 0));
  const runs: { type: number; windows: number[] }[] = [];
  nearest.forEach((type, i) => {
    if (runs.at(-1)?.type !== type) runs.push({ type, windows: [] });
    runs.at(-1)!.windows.push(pitches[i]!);
  });
  const long = runs.filter((r) => r.windows.length >= 5);
  const report = long.map((r) => `${expected[r.type]!.toFixed(1)} Hz expected: median ${median(r.windows).toFixed(1)} over ${r.windows.length} windows`).join('; ');
  console.log(`# voice changer 3 → 1 → off: ${report}`);
  assert.deepEqual(long.map((r) => r.type), [0, 1, 2], `the pitches in the order of the switches: ${report}`);
  for (const r of long) {
    const error = Math.abs(median(r.windows) / expected[r.type]! - 1);
    assert.ok(error <= 0.02, `within 2 %: ${report}`);
  }
});

/**
 * The studio page with a pushing `<live-pusher>` whose microphone is a generated signal: white
 * noise in bursts of `BURST_S` every `PERIOD_S` (the interrupted-noise method of measuring a
 * room), the camera Chromium's fake one. `window.firstBurstAt` is the page time of the first
 * burst's onset.
 */
const BURST_S = 1;
const PERIOD_S = 3;
async function openNoiseBursts(name: string, attributes: Record<string, string>): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(studio.url);
  await page.evaluate(
    async ([attrs, burst, period]) => {
      await customElements.whenDefined('live-pusher');
      const context = new AudioContext({ sampleRate: 48_000 });
      const noise = new AudioBuffer({ length: 48_000, sampleRate: 48_000 });
      const data = noise.getChannelData(0);
      for (let i = 0; i < data.length; i++) data[i] = (Math.random() * 2 - 1) * 0.3;
      const source = new AudioBufferSourceNode(context, { buffer: noise, loop: true });
      const gate = new GainNode(context, { gain: 0 });
      const start = context.currentTime + 0.5;
      (window as unknown as { firstBurstAt: number }).firstBurstAt = performance.now() + 500;
      for (let t = 0; t < 120; t += period) {
        gate.gain.setValueAtTime(1, start + t);
        gate.gain.setValueAtTime(0, start + t + burst);
      }
      const out = new MediaStreamAudioDestinationNode(context, { channelCount: 1 });
      source.connect(gate).connect(out);
      source.start();
      const el = document.createElement('live-pusher') as HTMLElement & { captureSource: unknown };
      el.id = 'under-test';
      el.captureSource = async (c: MediaStreamConstraints) => {
        const stream = new MediaStream(c.video ? (await navigator.mediaDevices.getUserMedia({ video: c.video })).getVideoTracks() : []);
        if (c.audio) stream.addTrack(out.stream.getAudioTracks()[0]!.clone());
        return stream;
      };
      const events: unknown[] = [];
      (window as unknown as { events: unknown[] }).events = events;
      el.addEventListener('statechange', (e) => events.push({ type: 'statechange', detail: (e as CustomEvent).detail, at: performance.now() }));
      for (const [n, v] of Object.entries(attrs)) el.setAttribute(n, v);
      document.body.append(el);
    },
    [{ url: nginx.url('live', name), autopush: '', ...attributes }, BURST_S, PERIOD_S] as const,
  );
  await waitForEvent(page, 'e.detail.code === 1002');
  return page;
}

/**
 * Lets `bursts` more bursts go by and returns 0.4 s before the next onset: the tail before it has
 * had 1.6 s to fall (enough for a 20 dB fit of any design), and a setting changed now has the
 * next burst wholly.
 */
async function waitBetweenBursts(page: Page, bursts: number): Promise<void> {
  const now = await page.evaluate(() => performance.now());
  const first = await page.evaluate(() => (window as unknown as { firstBurstAt: number }).firstBurstAt);
  const next = first + Math.ceil((now - first) / (PERIOD_S * 1000)) * PERIOD_S * 1000;
  await page.waitForTimeout(next + (bursts - 1) * PERIOD_S * 1000 + (PERIOD_S - 0.4) * 1000 - now);
}

/** For each noise burst in a recording, in order: how far the level fell 60 ms after its end, and the decay time from there. */
function burstTails(levels: readonly number[], windowS: number): { dropDb: number; rt60: number }[] {
  const tails: { dropDb: number; rt60: number }[] = [];
  for (let i = 2; i < levels.length; i++) {
    // A burst's onset: the level jumps 15 dB within two windows, to near the burst's own level
    // (−15 dBFS): between bursts the push is digital silence, where a switch's faint transient
    // also jumps 15 dB, but stays far below −40 dBFS (a louder one, an audible click, would be
    // counted and fail the order of the tails). Its end is BURST_S later; the tail is measured
    // from 60 ms after it, once the dry sound and the codec's frame are gone.
    if (!(levels[i]! > levels[i - 2]! + 15 && levels[i]! > -40)) continue;
    const from = i + Math.round((BURST_S + 0.06) / windowS);
    if (from + Math.round(1.5 / windowS) >= levels.length) break;
    const during = median(levels.slice(i + 5, i + Math.round(BURST_S / windowS) - 5));
    // The level from there down 20 dB, fitted (ISO 3382's interrupted-source method, T20).
    const tail = Float64Array.from(levels.slice(from, from + Math.round(1.9 / windowS)), (db) => db - levels[from]!);
    tails.push({ dropDb: during - levels[from]!, rt60: reverberationTime(tail, 1 / windowS, 0, -20) });
    i += Math.round(PERIOD_S / 2 / windowS);
  }
  return tails;
}

test('audio-reverb-type: each measured decay within 20 % of its design, switched live, no tail when off', async () => {
  await rm(nginx.recordingPath('reverb'), { force: true });
  const page = await openNoiseBursts('reverb', { 'audio-reverb-type': '3' });
  await waitBetweenBursts(page, 3);
  await setAttribute(page, 'audio-reverb-type', '2');
  await waitBetweenBursts(page, 3);
  await setAttribute(page, 'audio-reverb-type', '0');
  await waitBetweenBursts(page, 3);
  assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  await page.close();

  const windowS = 0.02;
  const tails = burstTails(rmsLevels(await decodeMono(await nginx.waitForRecording('reverb')), 48_000, windowS), windowS);
  // Each tail taken as off (the level gone 40 dB at once) or as the nearest design; the runs must
  // come in the order of the switches, and every tail be within 20 % of its design.
  const designs = [3, 2] as const;
  const kinds = tails.map((t) =>
    t.dropDb >= 40 ? 'off' : designs.reduce((best, type) => (Math.abs(Math.log(t.rt60 / REVERB_DESIGNS[type].decaySeconds)) < Math.abs(Math.log(t.rt60 / REVERB_DESIGNS[best].decaySeconds)) ? type : best)),
  );
  const report = `designs: 3 ${REVERB_DESIGNS[3].decaySeconds} s, 2 ${REVERB_DESIGNS[2].decaySeconds} s; tails: ${tails.map((t, i) => `${kinds[i]} ${t.rt60.toFixed(2)} s (−${t.dropDb.toFixed(0)} dB)`).join(', ')}`;
  console.log(`# reverb great hall → small room → off: ${report}`);
  const runs = kinds.filter((k, i) => k !== kinds[i - 1]);
  assert.deepEqual(runs, [3, 2, 'off'], `tails in the order of the switches: ${report}`);
  for (const type of designs) {
    const measured = tails.filter((_, i) => kinds[i] === type);
    assert.ok(measured.length >= 2, `two tails or more of type ${type}: ${report}`);
    for (const t of measured) assert.ok(Math.abs(t.rt60 / REVERB_DESIGNS[type].decaySeconds - 1) <= 0.2, `type ${type} within 20 %: ${report}`);
  }
  assert.ok(kinds.filter((k) => k === 'off').length >= 2, `two dry bursts or more: ${report}`);
});
