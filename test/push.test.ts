/**
 * `pushFile` and `live-pusher push` against real nginx-rtmp and node-media-server: what the
 * server recorded or relays is, packet for packet, what the file held (ffprobe as the judge).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import tls from 'node:tls';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LivePusherError, StatusCode } from '../src/core/codes.js';
import type { NetStatusInfo } from '../src/core/netstatus.js';
import { FlvReader } from '../src/media/flv/reader.js';
import { FlvTagType, type FlvTag } from '../src/media/flv/tag.js';
import { pushFile } from '../src/node/push-file.js';
import { openMediaFile } from '../src/node/sources/open-media-file.js';
import { fixture } from './support/fixtures.js';
import { probePackets, type Packet } from './support/ffprobe.js';
import { startNginxRtmp, type NginxRtmp } from './support/nginx-rtmp.js';
import { startNodeMediaServer, type Nms } from './support/node-media-server.js';
import { freePort } from './support/ports.js';
import { startTogether } from './support/start-together.js';

const root = join(fileURLToPath(import.meta.url), '..', '..');
let nginx: NginxRtmp;
let nms: Nms;
let flv: string;
let mp4: string;
let bframes: string;

before(async () => {
  await startTogether([
    startNginxRtmp().then((n) => (nginx = n)),
    startNodeMediaServer().then((n) => (nms = n)),
    fixture('testsrc-5s.flv').then((f) => (flv = f)),
    fixture('testsrc-5s.mp4').then((f) => (mp4 = f)),
    fixture('bframes-5s.flv').then((f) => (bframes = f)),
  ]);
});
after(async () => {
  await Promise.all([nginx?.stop(), nms?.stop()]);
});

/** The fields that must survive the trip, timestamps relative to the first packet of the stream. */
function comparable(packets: Packet[]) {
  const first = packets.find((p) => p.dtsMs !== undefined)?.dtsMs ?? 0;
  return packets.map((p) => ({
    type: p.codecType,
    dts: (p.dtsMs ?? NaN) - first,
    pts: (p.ptsMs ?? NaN) - first,
    size: p.size,
    key: p.keyframe,
    hash: p.hash,
  }));
}

async function recordThroughNginx(input: string, stream: string, timestampOffsetMs = 0) {
  await rm(nginx.recordingPath(stream), { force: true });
  const statuses: number[] = [];
  const result = await pushFile({ input, url: nginx.url('live', stream), realtime: false, timestampOffsetMs, onStatus: (c) => statuses.push(c) });
  const recording = await nginx.waitForRecording(stream);
  return { result, statuses, recording };
}

test('an FLV pushed to nginx-rtmp is recorded packet for packet', async () => {
  const { result, statuses, recording } = await recordThroughNginx(flv, 'flv-copy');
  assert.deepEqual(statuses, [StatusCode.Connected, StatusCode.PushBegin]);
  assert.ok(result.durationMs > 4800, `published ${result.durationMs} ms`);
  assert.deepEqual(comparable(await probePackets(recording)), comparable(await probePackets(flv)));
});

test('B-frames: composition times survive (signed 24-bit CompositionTime)', async () => {
  const { recording } = await recordThroughNginx(bframes, 'bframes-copy');
  const got = comparable(await probePackets(recording));
  assert.ok(got.some((p) => p.pts !== p.dts), 'the fixture has B-frames');
  assert.deepEqual(got, comparable(await probePackets(bframes)));
});

test('an MP4 pushed to nginx-rtmp arrives with the same samples', async () => {
  const { recording } = await recordThroughNginx(mp4, 'mp4-copy');
  const strip = (ps: Packet[]) => comparable(ps).map(({ type, size, key, hash }) => ({ type, size, key, hash }));
  const byType = (ps: ReturnType<typeof strip>, t: string) => ps.filter((p) => p.type === t);
  const got = strip(await probePackets(recording));
  const want = strip(await probePackets(mp4));
  // The MP4 interleaves differently from the FLV the server writes; each stream must match in order.
  assert.deepEqual(byType(got, 'video'), byType(want, 'video'));
  assert.deepEqual(byType(got, 'audio'), byType(want, 'audio'));
});

test('timestamps above 0xFFFFFF ms (extended timestamps) arrive intact at nginx-rtmp and node-media-server', async () => {
  const offset = 0xffffff - 2000; // crosses the 24-bit boundary two seconds in
  const { recording } = await recordThroughNginx(flv, 'extended', offset);
  assert.deepEqual(comparable(await probePackets(recording)), comparable(await probePackets(flv)));

  // node-media-server relays absolute timestamps: its RTMP parser is the independent reader of
  // our extended-timestamp chunks here, and its HTTP-FLV output shows them as they arrived.
  const controller = new AbortController();
  const response = await fetch(nms.flvUrl('live', 'extended'), { signal: controller.signal });
  const relayed: FlvTag[] = [];
  const reading = (async () => {
    const reader = new FlvReader();
    try {
      const body = response.body!.getReader();
      for (;;) {
        const { done, value } = await body.read();
        if (done) break;
        relayed.push(...reader.push(value));
      }
    } catch (e) {
      if (!controller.signal.aborted) throw e;
    }
  })();
  await pushFile({ input: flv, url: nms.url('live', 'extended'), realtime: false, timestampOffsetMs: offset });
  await new Promise((r) => setTimeout(r, 500)); // the relay's last tags
  controller.abort();
  await reading;
  const fileTags = await tagsOf(flv);
  const media = (tags: FlvTag[]) => tags.filter((t) => t.type !== FlvTagType.Script);
  const got = media(relayed).map((t) => [t.type, t.timestamp, Buffer.from(t.data).toString('base64')]);
  const want = media(fileTags).map((t) => [t.type, t.timestamp + offset, Buffer.from(t.data).toString('base64')]);
  assert.ok(got.some(([, ts]) => (ts as number) > 0xffffff), 'tags past the 24-bit boundary');
  assert.deepEqual(got, want);
});

async function tagsOf(path: string): Promise<FlvTag[]> {
  const tags: FlvTag[] = [];
  for await (const tag of (await openMediaFile(path)).tags()) tags.push(tag);
  return tags;
}

test('rtmps:// publishes over TLS (a TLS terminator in front of nginx-rtmp, as cloud ingests are)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'live-pusher-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
    '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const cert = await readFile(join(dir, 'cert.pem'));
  const terminator = tls.createServer({ key: await readFile(join(dir, 'key.pem')), cert }, (client) => {
    const upstream = net.connect(nginx.port, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve));
  t.after(() => terminator.close());
  const port = (terminator.address() as net.AddressInfo).port;
  await rm(nginx.recordingPath('tls'), { force: true });
  await pushFile({ input: flv, url: `rtmps://localhost:${port}/live/tls`, realtime: false, transport: { tls: { ca: cert } } });
  const recording = await nginx.waitForRecording('tls');
  assert.deepEqual(comparable(await probePackets(recording)), comparable(await probePackets(flv)));
  // Without trusting the certificate the connection is refused, as it must be.
  await assert.rejects(pushFile({ input: flv, url: `rtmps://localhost:${port}/live/tls2`, realtime: false }), (e: unknown) => e instanceof LivePusherError && e.code === StatusCode.ConnectFailed);
});

test('realtime push is paced by the file timestamps, with netstatus every second', async () => {
  const infos: NetStatusInfo[] = [];
  const started = performance.now();
  const result = await pushFile({ input: flv, url: nginx.url('live', 'paced'), onNetStatus: (i) => infos.push(i) });
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= result.durationMs - 100, `took ${elapsed} ms for ${result.durationMs} ms of media`);
  assert.ok(infos.length >= 3, `${infos.length} netstatus events`);
  const mid = infos[Math.floor(infos.length / 2)]!;
  assert.equal(mid.videoWidth, 640);
  assert.equal(mid.videoHeight, 360);
  assert.ok(mid.videoFPS >= 20 && mid.videoFPS <= 30, `fps ${mid.videoFPS}`);
  assert.ok(mid.audioBitrate > 50 && mid.audioBitrate < 250, `audio ${mid.audioBitrate} kbps`);
  assert.ok(mid.videoBitrate > 50, `video ${mid.videoBitrate} kbps`);
  assert.ok(mid.netSpeed > 0);
  assert.equal(mid.videoGOP, 2);
  assert.ok(mid.netQualityLevel >= 1 && mid.netQualityLevel <= 2, `quality ${mid.netQualityLevel}`);
});

interface CliRun {
  code: number | null;
  events: Record<string, unknown>[];
  stderr: string;
}

function cli(args: string[], options: { interruptAfterMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'live-pusher.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = options.interruptAfterMs ? setTimeout(() => child.kill('SIGINT'), options.interruptAfterMs) : undefined;
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const events = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, events, stderr });
    });
  });
}

test('live-pusher push --json reports statechange, netstatus and completion, and exits 0', async () => {
  const run = await cli(['push', '--json', flv, nms.url('live', 'cli')]);
  assert.equal(run.code, 0, run.stderr);
  const codes = run.events.filter((e) => e['event'] === 'statechange').map((e) => e['code']);
  assert.deepEqual(codes, [1001, 1002]);
  const net = run.events.filter((e) => e['event'] === 'netstatus');
  assert.ok(net.length >= 3);
  for (const e of net) {
    const info = e['info'] as Record<string, unknown>;
    for (const key of ['videoBitrate', 'audioBitrate', 'videoFPS', 'videoGOP', 'netSpeed', 'netJitter', 'netQualityLevel', 'videoWidth', 'videoHeight', 'videoCache', 'audioCache']) {
      assert.equal(typeof info[key], 'number', key);
    }
  }
  assert.equal(run.events.at(-1)?.['event'], 'complete');
});

test('live-pusher push exits non-zero with the code: refused publish, closed port, bad input', async () => {
  const refused = await cli(['push', '--json', '--no-realtime', flv, nginx.url('deny', 'x')]);
  assert.equal(refused.code, 1);
  assert.equal(refused.events.at(-1)?.['errCode'], 3004);

  const closed = await cli(['push', '--json', flv, `rtmp://127.0.0.1:${await freePort()}/live/x`]);
  assert.equal(closed.code, 1);
  assert.equal(closed.events.at(-1)?.['errCode'], 3002);

  const missing = await cli(['push', join(root, 'no-such-file.flv'), nginx.url('live', 'x')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no-such-file\.flv/);

  const notMedia = await cli(['push', join(root, 'package.json'), nginx.url('live', 'x')]);
  assert.equal(notMedia.code, 1);
  assert.match(notMedia.stderr, /package\.json/);

  const usage = await cli(['push', flv]);
  assert.equal(usage.code, 2);
});

test('live-pusher push --loop keeps timestamps increasing until Ctrl-C, then stops cleanly', async () => {
  await rm(nginx.recordingPath('loop'), { force: true });
  const run = await cli(['push', '--loop', flv, nginx.url('live', 'loop')], { interruptAfterMs: 7500 });
  assert.equal(run.code, 130, run.stderr);
  const packets = await probePackets(await nginx.waitForRecording('loop'));
  const video = packets.filter((p) => p.codecType === 'video');
  const dts = video.map((p) => p.dtsMs ?? 0);
  assert.ok(dts.at(-1)! > 6000, `recorded up to ${dts.at(-1)} ms`);
  for (let i = 1; i < dts.length; i++) assert.ok(dts[i]! > dts[i - 1]!, `video dts goes ${dts[i - 1]} → ${dts[i]} at ${i}`);
});
