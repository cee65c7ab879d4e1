/**
 * bench/latency: capture-to-server latency of `<live-pusher>`, as a user runs it. The studio
 * (`startStudio`, what `live-pusher serve` starts) serves the page, the browser bundle and the
 * tunnel gateway; headless Chromium with its fake camera and microphone adds a
 * `<live-pusher autopush>` that pushes through the gateway to a small RTMP server in this process
 * (receiver.ts), all on loopback. Per configuration (RTC default 360×640@15, and
 * `mode="FHD" orientation="horizontal" fps="30"`), after 1002 and a 3 s warm-up, every audio and
 * video message that arrives in the next 15 s gives one sample:
 *
 *   latency = arrival at the server − capture time of the tag's first sample
 *
 * What "capture time" is: the element's session clock (`performance.now()` in the page, µs) stamps
 * each video frame with the camera's own capture timestamp mapped onto that clock (ClockMapper:
 * offset = the least-delayed delivery seen) and each AAC frame with the capture time of its first
 * decoded sample (the AudioContext's clock mapped onto performance.now(), encoder priming taken
 * off); the FLV timestamp is that time in ms since the clock's origin (PTS = timestamp +
 * composition time for video). So, per tag, capture = origin + PTS on the page's clock. Only coded
 * media counts (AVC NAL units, AAC raw frames), not sequence headers or metadata.
 *
 * Measured: everything from then on — frame delivery to script, the picture stage, H.264/AAC
 * encoding (for audio also the 1024-sample frame filling up, ~21 ms at 48 kHz, and the encoder's
 * one-frame lookahead), FLV/RTMP muxing, the WebSocket tunnel, the gateway and TCP to the server,
 * until the message's last chunk is read. Each sample is also split at the page's
 * `WebSocket.send` that carried the message's last byte (logged by an init script; the tunnel
 * carries RTMP bytes unchanged, so byte offsets match): `inPage` = capture → send, `tunnel` =
 * send → read. Not measured: the fake devices' own delay before their timestamps (invisible to
 * the page; a real camera adds exposure, readout and driver queues, a real microphone its input
 * buffer), the least delivery delay the ClockMapper absorbs into its offset, and anything a real
 * server does after reading. The fake camera runs at the configuration's fps (Chromium's default
 * would be 20); `videoFps` is the rate of video tags that arrived, below it when encoding falls
 * behind. Loopback and one machine: `host` gives its cores and load, which move the tails a lot.
 *
 * Two clocks are joined, each with a stated error:
 * - The origin (FLV timestamp 0) is read exactly from the session in the page, through the
 *   @internal `pushSession().clockOrigin`. Once read, the FLV rounding leaves ±0.5 ms.
 * - Page `performance.now()` → this process's `performance.now()`: both run on CLOCK_MONOTONIC,
 *   so the offset is constant; it is measured by round trips (the page's now against the midpoint
 *   of our before/after), keeping the fastest of 25, before and after each run. The JSON reports
 *   its bound (half that round trip) and the drift between the two measurements.
 *
 *   npx tsx bench/latency/latency.ts [--seconds 15] [--warmup 3]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { BROWSER_BUNDLE, startStudio, type Studio } from '../../src/node/studio/server.js';
import { launchChromium } from '../../test/support/chromium.js';
import { splitMessages, startReceiver, type TimedMessage } from './receiver.js';

interface Configuration {
  attributes: Record<string, string>;
  /** The fake camera's frame rate (Chromium's default is 20): the configuration's fps. */
  cameraFps: number;
}
const CONFIGURATIONS: Record<string, Configuration> = {
  'RTC 360x640@15': { attributes: {}, cameraFps: 15 },
  'FHD 1280x720@30': { attributes: { mode: 'FHD', orientation: 'horizontal', fps: '30' }, cameraFps: 30 },
};
const OFFSET_ROUND_TRIPS = 25;

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, warmup: { type: 'string', default: '3' } } });
const seconds = (text: string | undefined, fallback: number) => (Number.isFinite(Number(text)) ? Math.max(0, Number(text)) : fallback);
const measureMs = (seconds(values.seconds, 15) || 15) * 1000;
const warmupMs = seconds(values.warmup, 3) * 1000;

interface Percentiles {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

interface ClockOffset {
  /** page `performance.now()` − ours, ms */
  offsetMs: number;
  /** half the round trip it was measured in: the most it can be off */
  boundMs: number;
}

/** Page clock − our clock, from the fastest of several round trips. */
async function measureOffset(page: Page): Promise<ClockOffset> {
  let best: ClockOffset = { offsetMs: 0, boundMs: Number.POSITIVE_INFINITY };
  for (let i = 0; i < OFFSET_ROUND_TRIPS; i++) {
    const before = performance.now();
    const pageNow = await page.evaluate(() => performance.now());
    const after = performance.now();
    const boundMs = (after - before) / 2;
    if (boundMs < best.boundMs) best = { offsetMs: pageNow - (before + after) / 2, boundMs };
  }
  return best;
}

/** Before any page script: logs each binary send on the tunnel as (page time, stream offset after it). */
function logTunnelSends(): void {
  const sends: { end: number; atMs: number }[] = [];
  (window as unknown as { tunnelSends: typeof sends }).tunnelSends = sends;
  const send = WebSocket.prototype.send;
  let end = 0;
  WebSocket.prototype.send = function (this: WebSocket, data) {
    if (this.url.includes('/tunnel') && typeof data !== 'string') {
      end += data instanceof Blob ? data.size : data.byteLength;
      sends.push({ end, atMs: performance.now() });
    }
    send.call(this, data);
  };
}

/**
 * Opens the studio page, adds the pusher with `attributes` and resolves with the session clock's
 * origin (page `performance.now()`, ms) once it reports 1002; rejects on a failure code.
 */
async function startPusher(page: Page, studio: Studio, attributes: Record<string, string>): Promise<number> {
  await page.addInitScript(logTunnelSends);
  await page.goto(studio.url);
  return page.evaluate(async (attrs) => {
    await customElements.whenDefined('live-pusher');
    const el = document.createElement('live-pusher') as HTMLElement & { pushSession(): { clockOrigin: number | null } };
    for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
    const published = new Promise<void>((resolve, reject) => {
      el.addEventListener('statechange', (e) => {
        const { code, message } = (e as CustomEvent<{ code: number; message: string }>).detail;
        if (code === 1002) resolve();
        else if (code < 0 || code >= 3000) reject(new Error(`statechange ${code}: ${message}`));
      });
      setTimeout(() => reject(new Error('no 1002 within 20 s')), 20_000);
    });
    document.body.append(el);
    await published;
    const origin = el.pushSession().clockOrigin;
    if (typeof origin !== 'number') throw new Error('the session clock has no origin after 1002');
    return origin / 1000;
  }, attributes);
}

/** Presentation time of a tag, ms: the timestamp plus, for AVC NAL units, the composition time. */
function presentationMs(message: TimedMessage): number {
  if (message.kind === 'audio') return message.timestamp;
  const d = message.data;
  const cts = (((d[2]! << 16) | (d[3]! << 8) | d[4]!) << 8) >> 8; // signed 24-bit
  return message.timestamp + cts;
}

/** Coded media (not sequence headers): AAC raw (packet type 1) or AVC NAL units (1). */
function isCodedMedia(message: TimedMessage): boolean {
  return message.data.length > 2 && message.data[1] === 1;
}

function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN);
  return { count: sorted.length, min: at(0), p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const round2 = (ms: number) => Math.round(ms * 100) / 100;
const progress = (text: string) => process.stderr.write(`latency: ${text}\n`);

/**
 * Per message, on our clock: total = arrival − capture; split at the page's `WebSocket.send` of
 * its last byte into inPage (capture → send: encode, mux, queue) and tunnel (send → read).
 */
function latencies(messages: TimedMessage[], originPageMs: number, offsetMs: number) {
  const total: number[] = [];
  const inPage: number[] = [];
  const tunnel: number[] = [];
  for (const m of messages) {
    const capturePageMs = originPageMs + presentationMs(m);
    total.push(m.arrivedMs - (capturePageMs - offsetMs));
    if (m.sentPageMs === undefined) continue;
    inPage.push(m.sentPageMs - capturePageMs);
    tunnel.push(m.arrivedMs - (m.sentPageMs - offsetMs));
  }
  return { ...percentiles(total), inPage: percentiles(inPage), tunnel: percentiles(tunnel) };
}

/** Headless Chromium whose fake camera runs at `fps`. */
function launchBrowser(fps: number): Promise<Browser> {
  return launchChromium({ cameraFps: fps });
}

async function runConfiguration(studio: Studio, name: string, { attributes, cameraFps }: Configuration) {
  const [receiver, browser] = await Promise.all([startReceiver(), launchBrowser(cameraFps)]);
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    progress(`${name}: starting`);
    const url = `rtmp://127.0.0.1:${receiver.port}/live/latency`;
    const originPageMs = await startPusher(page, studio, { ...attributes, url, autopush: '' });
    progress(`${name}: published; ${warmupMs / 1000} s warm-up, then ${measureMs / 1000} s measured`);
    await page.waitForTimeout(warmupMs);
    const offsetBefore = await measureOffset(page);
    const from = performance.now();
    await page.waitForTimeout(measureMs);
    const to = performance.now();
    const offsetAfter = await measureOffset(page);
    const sendEnds = await page.evaluate(() => (window as unknown as { tunnelSends: { end: number; atMs: number }[] }).tunnelSends);
    if (receiver.connections.length !== 1) throw new Error(`${receiver.connections.length} RTMP connections, expected 1`);
    const offset = offsetBefore.boundMs <= offsetAfter.boundMs ? offsetBefore : offsetAfter;
    const measured = splitMessages(receiver.connections[0]!, sendEnds).filter(
      (m) => isCodedMedia(m) && m.arrivedMs >= from && m.arrivedMs < to,
    );
    const of = (kind: TimedMessage['kind']) => measured.filter((m) => m.kind === kind);
    return {
      video: latencies(of('video'), originPageMs, offset.offsetMs),
      audio: latencies(of('audio'), originPageMs, offset.offsetMs),
      videoFps: round((of('video').length * 1000) / (to - from)),
      clock: {
        offsetBoundMs: round2(offset.boundMs),
        offsetDriftMs: round2(Math.abs(offsetAfter.offsetMs - offsetBefore.offsetMs)),
      },
      ...(pageErrors.length > 0 ? { pageErrors } : {}),
    };
  } finally {
    await browser.close();
    await receiver.close();
  }
}

if (!existsSync(BROWSER_BUNDLE)) execFileSync('npm', ['run', 'build'], { stdio: ['ignore', 2, 2] }); // stdout is the JSON's
// A stuck browser or server must not hold the bench forever: a minute per configuration is plenty
// for launching, publishing and closing.
const limitMs = Object.keys(CONFIGURATIONS).length * (warmupMs + measureMs + 60_000);
const watchdog = setTimeout(() => {
  progress(`no result after ${limitMs / 1000} s, giving up`);
  process.exit(1);
}, limitMs);
const studio = await startStudio({ allow: ['rtmp://127.0.0.1:*'] });
try {
  const results: Record<string, unknown> = {};
  for (const [name, configuration] of Object.entries(CONFIGURATIONS)) results[name] = await runConfiguration(studio, name, configuration);
  const host = { cpus: cpus().length, loadAverage1m: round2(loadavg()[0]!) };
  console.log(JSON.stringify({ bench: 'latency', unit: 'ms', warmupMs, measureMs, host, configurations: results }, null, 2));
} finally {
  await studio.close();
  clearTimeout(watchdog);
}
