/**
 * `<live-pusher>` end to end, as a user runs it: the studio server (`startStudio`, what
 * `live-pusher serve` starts) serves the real browser bundle and the tunnel gateway; headless
 * Chromium with a fake camera and microphone loads it; the element pushes through the gateway to
 * nginx-rtmp; ffprobe judges the recording.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { startStudio, type Studio } from '../../src/node/studio/server.js';
import { runTool } from '../support/children.js';
import { launchChromium } from '../support/chromium.js';
import { probePackets, probeStreams } from '../support/ffprobe.js';
import { startNginxRtmp, type NginxRtmp } from '../support/nginx-rtmp.js';
import { call, codes, events, openPusher, recordCaptureTracks, waitForEvent, type PusherEvent } from './pusher-page.js';
import { startTogether } from '../support/start-together.js';


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

async function pushFor(page: Page, ms: number): Promise<void> {
  await waitForEvent(page, 'e.detail.code === 1002');
  await page.waitForTimeout(ms);
  assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
}

test('default attributes and autopush: H.264 360×640 ~15 fps and AAC 48 kHz arrive at nginx-rtmp, with the codes in order', async () => {
  await rm(nginx.recordingPath('default'), { force: true });
  const page = await openPusher(browser, studio.url, { url: nginx.url('live', 'default'), autopush: '' });
  await pushFor(page, 4000);
  const list = await events(page);
  await page.close();
  const order = codes(list).filter((c) => [1003, 1007, 1008, 1001, 1002].includes(c));
  assert.deepEqual(order, [1003, 1007, 1008, 1001, 1002]);

  const recording = await nginx.waitForRecording('default');
  const streams = await probeStreams(recording);
  const video = streams.find((s) => s.codecType === 'video');
  const audio = streams.find((s) => s.codecType === 'audio');
  assert.equal(video?.codecName, 'h264');
  assert.deepEqual([video?.width, video?.height], [360, 640]);
  assert.equal(audio?.codecName, 'aac');
  assert.equal(audio?.sampleRate, 48000);

  const packets = await probePackets(recording);
  const videoPackets = packets.filter((p) => p.codecType === 'video');
  const audioPackets = packets.filter((p) => p.codecType === 'audio');
  const span = (videoPackets.at(-1)!.dtsMs! - videoPackets[0]!.dtsMs!) / 1000;
  const fps = (videoPackets.length - 1) / span;
  assert.ok(fps > 12 && fps < 16.5, `video at ${fps.toFixed(1)} fps`);
  assert.ok(videoPackets[0]!.keyframe, 'the stream starts with a key frame');
  const offset = audioPackets[0]!.dtsMs! - videoPackets[0]!.dtsMs!;
  assert.ok(offset >= 0 && offset <= 100, `audio starts ${offset} ms after video (from the key frame, not before it)`);

  const net = list.filter((e) => e.type === 'netstatus').map((e) => e.detail.info!);
  assert.ok(net.length >= 3, `${net.length} netstatus events`);
  const keys = ['videoBitrate', 'audioBitrate', 'videoFPS', 'videoGOP', 'netSpeed', 'netJitter', 'netQualityLevel', 'videoWidth', 'videoHeight', 'videoCache', 'audioCache'];
  for (const info of net) assert.deepEqual(Object.keys(info).sort(), [...keys].sort());
  const last = net.at(-1)!;
  assert.deepEqual([last.videoWidth, last.videoHeight], [360, 640]);
  assert.ok(last.videoFPS >= 10 && last.videoFPS <= 17, `netstatus videoFPS ${last.videoFPS}`);
  assert.ok(last.videoBitrate > 20 && last.videoBitrate < 1500, `videoBitrate ${last.videoBitrate}`);
  assert.ok(last.audioBitrate > 20 && last.audioBitrate < 200, `audioBitrate ${last.audioBitrate}`);
  assert.ok(last.netSpeed > 0, `netSpeed ${last.netSpeed}`);
  assert.ok(last.netQualityLevel >= 1 && last.netQualityLevel <= 3, `netQualityLevel ${last.netQualityLevel}`);
});

test('mode FHD with horizontal orientation pushes 1280×720; audio-quality low pushes 16 kHz', async () => {
  await rm(nginx.recordingPath('fhd'), { force: true });
  const page = await openPusher(browser, studio.url, { url: nginx.url('live', 'fhd'), mode: 'FHD', orientation: 'horizontal', 'audio-quality': 'low', autopush: '' });
  await pushFor(page, 2500);
  await page.close();
  const streams = await probeStreams(await nginx.waitForRecording('fhd'));
  const video = streams.find((s) => s.codecType === 'video');
  assert.deepEqual([video?.width, video?.height], [1280, 720]);
  assert.equal(streams.find((s) => s.codecType === 'audio')?.sampleRate, 16000);
});

test('pause and resume keep one connection; sendMessage is in the SEI; snapshot has the pushed size', async () => {
  await rm(nginx.recordingPath('controls'), { force: true });
  const page = await openPusher(browser, studio.url, { url: nginx.url('live', 'controls'), autopush: '' });
  await waitForEvent(page, 'e.detail.code === 1002');
  await page.waitForTimeout(1000);
  assert.equal((await call(page, 'sendMessage', { msg: 'hello from the pusher' })).errMsg, 'sendMessage:ok');
  const shot = await call(page, 'snapshot', { quality: 'compressed' });
  assert.equal(shot.errMsg, 'snapshot:ok');
  assert.deepEqual([shot.width, shot.height], [360, 640]);
  assert.match(String(shot.tempImagePath), /^blob:/);
  assert.equal((await call(page, 'pause')).errMsg, 'pause:ok');
  assert.equal(await page.getAttribute('#under-test', 'state'), 'paused');
  await page.waitForTimeout(1500);
  assert.equal((await call(page, 'resume')).errMsg, 'resume:ok');
  await page.waitForTimeout(1000);
  assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  const list = await events(page);
  await page.close();
  assert.equal(codes(list).filter((c) => c === 1001).length, 1, 'one connection');

  const recording = await nginx.waitForRecording('controls');
  const packets = (await probePackets(recording)).filter((p) => p.codecType === 'video');
  const span = packets.at(-1)!.dtsMs! - packets[0]!.dtsMs!;
  assert.ok(span > 3000, `the recording spans the pause (${span} ms)`);
  const trace = await runTool('ffmpeg', ['-hide_banner', '-i', recording, '-c:v', 'copy', '-bsf:v', 'trace_headers', '-an', '-f', 'null', '-'], { timeoutMs: 60_000 });
  const hex = Buffer.from('hello from the pusher').toString('hex');
  const bytes = [...trace.stderr.matchAll(/user_data_payload_byte\[\d+\]\s+\d+ = (\d+)/g)].map((m) => Number(m[1]).toString(16).padStart(2, '0')).join('');
  assert.ok(bytes.includes(hex), 'the message bytes are in a user_data_unregistered SEI');
});

test('device-position during a push reopens the camera and the push goes on; the preview keeps its stream', async () => {
  const page = await openPusher(browser, studio.url, { url: nginx.url('live', 'recapture') });
  // The camera tracks the element opens, seen through its captureSource (the preview's stream is
  // the pushed picture, the same across a camera switch, so it does not show them).
  await recordCaptureTracks(page);
  assert.equal((await call(page, 'start')).errMsg, 'start:ok');
  await waitForEvent(page, 'e.detail.code === 1002');
  const preview = () => page.evaluate(() => (window as unknown as { preview?: MediaProvider | null }).preview === document.getElementById('under-test')!.shadowRoot!.querySelector('video')!.srcObject);
  await page.evaluate(() => ((window as unknown as { preview: MediaProvider | null }).preview = document.getElementById('under-test')!.shadowRoot!.querySelector('video')!.srcObject));
  await page.evaluate(() => {
    const el = document.getElementById('under-test')!;
    el.setAttribute('device-position', 'back');
  });
  const cameras = () => (window as unknown as { captured: MediaStreamTrack[] }).captured.filter((t) => t.kind === 'video');
  await page.waitForFunction(`(${cameras})().length === 2 && (${cameras})()[0].readyState === 'ended'`);
  const after = (await page.evaluate(`(${cameras})().map((t) => ({ id: t.id, state: t.readyState }))`)) as { id: string; state: string }[];
  assert.notEqual(after[1]!.id, after[0]!.id, 'a new camera track');
  assert.equal(after[1]!.state, 'live', 'the new camera is open, the old one stopped');
  assert.equal(await page.getAttribute('#under-test', 'state'), 'pushing');
  assert.equal(await preview(), true, 'the preview plays the same stream');
  // The new camera's pictures reach the preview.
  await page.evaluate(() => new Promise((resolve) => document.getElementById('under-test')!.shadowRoot!.querySelector('video')!.requestVideoFrameCallback(resolve)));
  await page.waitForTimeout(500);
  assert.equal((await events(page)).filter((e) => e.type === 'error').length, 0);
  assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  await page.close();
});

test('a refused camera gives error 10001 and statechange -1301', async () => {
  const denying = await launchChromium({ permissions: 'deny' });
  try {
    const page = await openPusher(denying, studio.url, { url: nginx.url('live', 'denied'), autopush: '' });
    await waitForEvent(page, 'e.type === "error"');
    await page.waitForTimeout(300);
    const list = await events(page);
    assert.ok(list.some((e) => e.type === 'error' && e.detail.errCode === 10001), JSON.stringify(list));
    assert.ok(list.some((e) => e.type === 'error' && e.detail.errCode === 10002), 'the microphone is refused too');
    assert.ok(codes(list).includes(-1301), 'statechange -1301: the camera did not open');
    assert.ok(codes(list).includes(-1302), 'statechange -1302: the microphone did not open');
    assert.equal(await page.getAttribute('#under-test', 'state'), 'stopped');
  } finally {
    await denying.close();
  }
});

test('the RTMP server restarting mid-push gives 1102 and the stream resumes', async () => {
  const page = await openPusher(browser, studio.url, { url: nginx.url('live', 'restart'), autopush: '' });
  await waitForEvent(page, 'e.detail.code === 1002');
  await page.waitForTimeout(1000);
  await rm(nginx.recordingPath('restart'), { force: true });
  await nginx.restart();
  await waitForEvent(page, 'e.detail.code === 1102');
  await page.waitForFunction(() => (window as unknown as { events: PusherEvent[] }).events.filter((e) => e.detail.code === 1002).length >= 2, undefined, {
    timeout: 30_000,
  });
  assert.equal(await page.getAttribute('#under-test', 'state'), 'pushing');
  await page.waitForTimeout(2000);
  assert.equal((await call(page, 'stop')).errMsg, 'stop:ok');
  await page.close();
  const packets = (await probePackets(await nginx.waitForRecording('restart'))).filter((p) => p.codecType === 'video');
  assert.ok(packets.length > 15, `${packets.length} video packets after the restart`);
  assert.ok(packets[0]!.keyframe, 'the resumed stream starts with a key frame');
});

test('a server that never comes back gives -1307 and the element stops', async () => {
  const server = await startNginxRtmp();
  const page = await openPusher(browser, studio.url, { url: server.url('live', 'gone'), autopush: '' });
  try {
    await waitForEvent(page, 'e.detail.code === 1002');
    await server.stop();
    await waitForEvent(page, 'e.detail.code === -1307', 60_000);
    const list = await events(page);
    assert.ok(list.some((e) => e.type === 'error' && e.detail.errCode === -1307));
    await page.waitForFunction(() => document.getElementById('under-test')?.getAttribute('state') === 'stopped');
  } finally {
    await page.close();
  }
});
