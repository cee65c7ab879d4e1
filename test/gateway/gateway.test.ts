/**
 * The tunnel end to end: `RtmpPublisher` over `TunnelTransport` (with the `ws` package's
 * WebSocket, as a browser would use its own) through `createGateway` to real nginx-rtmp, and the
 * gateway's refusals, error codes, backpressure, idle timeout and connection limit.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, stat } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { WebSocket as WsWebSocket } from 'ws';
import { LivePusherError, StatusCode } from '../../src/core/codes.js';
import { RtmpPublisher } from '../../src/rtmp/publisher.js';
import { openMediaFile } from '../../src/node/sources/open-media-file.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/node/gateway/index.js';
import { TunnelTransport, type TunnelTransportOptions } from '../../src/transport/tunnel.js';
import { TunnelCloseCode, TunnelError, type TunnelErrorReason } from '../../src/transport/tunnel-protocol.js';
import type { TransportClose } from '../../src/transport/transport.js';
import { fixture } from '../support/fixtures.js';
import { probePackets, type Packet } from '../support/ffprobe.js';
import { startNginxRtmp, type NginxRtmp } from '../support/nginx-rtmp.js';
import { startDroppingServer, startSilentServer, type FakeServer } from '../support/fake-servers.js';
import { delay, freePort } from '../support/ports.js';
import { startTogether } from '../support/start-together.js';

const WebSocket = WsWebSocket as unknown as typeof globalThis.WebSocket;

let nginx: NginxRtmp;
let flv: string;
const cleanup: (() => Promise<unknown>)[] = [];

before(async () => {
  await startTogether([startNginxRtmp().then((n) => (nginx = n)), fixture('testsrc-5s.flv').then((f) => (flv = f))]);
});
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  await nginx?.stop();
});

async function gateway(options: Omit<GatewayOptions, 'port' | 'server'>): Promise<Gateway> {
  const gw = await createGateway({ port: 0, ...options });
  cleanup.push(() => gw.close());
  return gw;
}

async function fakeServer(start: () => Promise<FakeServer>): Promise<FakeServer> {
  const server = await start();
  cleanup.push(() => server.stop());
  return server;
}

function tunnel(gw: Gateway, options: Partial<TunnelTransportOptions> = {}): TunnelTransport {
  return new TunnelTransport({ gateway: gw.address().url, WebSocket, ...options });
}

/** Same method as test/push.test.ts: what must survive, timestamps relative to the first packet. */
function comparable(packets: Packet[]) {
  const first = packets.find((p) => p.dtsMs !== undefined)?.dtsMs ?? 0;
  return packets.map((p) => ({ type: p.codecType, dts: (p.dtsMs ?? NaN) - first, pts: (p.ptsMs ?? NaN) - first, size: p.size, key: p.keyframe, hash: p.hash }));
}

async function startRefused(gw: Gateway, url: string): Promise<TunnelError> {
  const publisher = new RtmpPublisher({ url, transport: tunnel(gw), responseTimeoutMs: 3000 });
  const error = await publisher.start().then(
    () => assert.fail(`${url} was published`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TunnelError, `expected a TunnelError, got ${String(error)}`);
  return error;
}

function assertRefused(error: TunnelError, code: StatusCode, reason: TunnelErrorReason): void {
  assert.equal(error.code, code, error.message);
  assert.equal(error.reason, reason, error.message);
  assert.ok(error instanceof LivePusherError);
}

test('RtmpPublisher over the tunnel records in nginx-rtmp packet for packet; only scheme://host:port reaches the gateway', async () => {
  // Attached to an existing HTTP server, next to someone else's listener that sees every upgrade.
  const server = http.createServer((_req, res) => res.end('page'));
  const upgradeUrls: string[] = [];
  server.prependListener('upgrade', (req: http.IncomingMessage) => upgradeUrls.push(req.url ?? ''));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => server.close(r)));
  const events: string[] = [];
  const gw = await createGateway({ server, path: '/tunnel', allow: ['rtmp://127.0.0.1:*'], onEvent: (e) => events.push(e.type) });
  cleanup.push(() => gw.close());

  const stream = 'tunnel-secret-key-123';
  await rm(nginx.recordingPath(stream), { force: true });
  const statuses: number[] = [];
  let closed: LivePusherError | undefined | 'open' = 'open';
  const publisher = new RtmpPublisher({
    url: nginx.url('live', stream),
    transport: tunnel(gw),
    onStatus: (c) => statuses.push(c),
    onClose: (e) => (closed = e),
  });
  await publisher.start();
  assert.equal(gw.stats().connections, 1);
  let backpressured = 0;
  for await (const tag of (await openMediaFile(flv)).tags()) {
    if (!publisher.sendTag(tag)) {
      backpressured++;
      await publisher.waitForDrain();
    }
  }
  await publisher.stop();
  assert.equal(closed, undefined, 'closed without an error');
  assert.deepEqual(statuses, [StatusCode.Connected, StatusCode.PushBegin]);
  const recording = await nginx.waitForRecording(stream);
  assert.deepEqual(comparable(await probePackets(recording)), comparable(await probePackets(flv)));

  assert.equal(upgradeUrls.length, 1);
  assert.equal(new URL(upgradeUrls[0]!, 'http://x').searchParams.get('target'), `rtmp://127.0.0.1:${nginx.port}`);
  assert.ok(!upgradeUrls[0]!.includes(stream) && !upgradeUrls[0]!.includes('live'), upgradeUrls[0]);
  for (let i = 0; i < 50 && gw.stats().connections > 0; i++) await delay(20);
  const stats = gw.stats();
  assert.equal(stats.connections, 0);
  assert.ok(stats.bytesToServer > (await stat(flv)).size, `${stats.bytesToServer} bytes relayed`);
  assert.deepEqual(events, ['open', 'close']);
  // The page next door still answers.
  assert.equal(await (await fetch(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`)).text(), 'page');
  console.log(`# e2e: ${stats.bytesToServer} bytes to nginx, ${stats.bytesToClient} back, ${backpressured} waits for drain`);
});

test('targets outside the allowlist are refused before any DNS lookup or connect', async () => {
  const server = await fakeServer(startSilentServer);
  const gw = await gateway({ allow: ['rtmp://live.example.com', 'rtmps://*.example.com'] });
  assertRefused(await startRefused(gw, `rtmp://127.0.0.1:${server.port}/live/key`), StatusCode.ConnectFailed, 'not-allowed');
  // Not in the list and not resolvable: "not allowed", never 3001 (the name was not looked up).
  const invalid = await startRefused(gw, 'rtmp://no-such-host.invalid/live/key');
  assertRefused(invalid, StatusCode.ConnectFailed, 'not-allowed');
  assert.match(invalid.message, /not allowed/);
  assertRefused(await startRefused(gw, 'rtmp://live.example.com:1936/live/key'), StatusCode.ConnectFailed, 'not-allowed');
  assert.equal(server.connections, 0);
  assert.equal(gw.stats().tunnelsRefused, 3);
});

test('loopback and private addresses are refused unless allowPrivate or the rule names the address', async () => {
  const server = await fakeServer(startSilentServer);
  const anyHost = await gateway({ allow: ['rtmp://*:*'] });
  assertRefused(await startRefused(anyHost, `rtmp://127.0.0.1:${server.port}/live/k`), StatusCode.ConnectFailed, 'private-address');
  assertRefused(await startRefused(anyHost, `rtmp://localhost:${server.port}/live/k`), StatusCode.ConnectFailed, 'private-address');
  assertRefused(await startRefused(anyHost, `rtmp://[::ffff:127.0.0.1]:${server.port}/live/k`), StatusCode.ConnectFailed, 'private-address');
  assertRefused(await startRefused(anyHost, `rtmp://10.0.0.1:${server.port}/live/k`), StatusCode.ConnectFailed, 'private-address');
  assertRefused(await startRefused(anyHost, `rtmp://169.254.169.254:${server.port}/live/k`), StatusCode.ConnectFailed, 'private-address');
  assert.equal(server.connections, 0);

  // A rule naming the literal address allows it; a name that resolves there is still refused.
  const literal = await gateway({ allow: [`rtmp://127.0.0.1:${server.port}`, 'rtmp://localhost:*'] });
  assertRefused(await startRefused(literal, `rtmp://localhost:${server.port}/live/k`), StatusCode.ConnectFailed, 'private-address');
  await openThenClose(literal, { host: '127.0.0.1', port: server.port, tls: false });
  assert.equal(server.connections, 1);
  const trusted = await gateway({ allow: ['rtmp://localhost:*'], allowPrivate: true });
  await openThenClose(trusted, { host: 'localhost', port: server.port, tls: false });
  assert.equal(server.connections, 2);
});

async function openThenClose(gw: Gateway, target: { host: string; port: number; tls: boolean }): Promise<void> {
  const t = tunnel(gw);
  await t.open(target, { data: () => undefined, drain: () => undefined, close: () => undefined });
  await t.end(2000);
}

test('3001 (an allowed name that does not resolve) and 3002 (an allowed closed port) reach publisher.start()', async () => {
  const gw = await gateway({ allow: ['rtmp://no-such-host.invalid', 'rtmp://127.0.0.1:*'] });
  assertRefused(await startRefused(gw, 'rtmp://no-such-host.invalid/live/k'), StatusCode.DnsFailed, 'dns');
  const closedPort = await freePort();
  const refused = await startRefused(gw, `rtmp://127.0.0.1:${closedPort}/live/k`);
  assertRefused(refused, StatusCode.ConnectFailed, 'connect');
  assert.match(refused.message, /ECONNREFUSED/);
});

test('a server that drops the connection reaches the publisher as 3004', async () => {
  const server = await fakeServer(startDroppingServer);
  const gw = await gateway({ allow: ['rtmp://127.0.0.1:*'] });
  const publisher = new RtmpPublisher({ url: `rtmp://127.0.0.1:${server.port}/live/k`, transport: tunnel(gw), responseTimeoutMs: 3000 });
  await assert.rejects(publisher.start(), (e: LivePusherError) => e.code === StatusCode.ServerClosed);
});

/** A TCP server that accepts and never reads: its peer's writes pile up. */
async function startStalledServer(): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.pause();
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const fake: FakeServer = {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return connections;
    },
    stop: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
  cleanup.push(() => fake.stop());
  return fake;
}

test('a server that stops reading: the gateway stays under its cap and the client sees backpressure', async () => {
  const server = await startStalledServer();
  const cap = 256 << 10;
  const gw = await gateway({ allow: ['rtmp://127.0.0.1:*'], maxBufferedBytes: cap });
  const t = tunnel(gw, { highWaterMark: 512 << 10 });
  await t.open({ host: '127.0.0.1', port: server.port, tls: false }, { data: () => undefined, drain: () => undefined, close: () => undefined });
  let maxGateway = 0;
  const sampler = setInterval(() => (maxGateway = Math.max(maxGateway, gw.stats().bufferedToServer)), 2);
  const piece = new Uint8Array(64 << 10).fill(7);
  let written = 0;
  let falses = 0;
  // Keep writing well past what the kernel's loopback buffers absorb.
  while (written < 64 << 20 && t.bufferedAmount < 8 << 20) {
    if (!t.write(piece)) falses++;
    written += piece.length;
    if (written % (1 << 20) === 0) await delay(5);
  }
  await delay(500);
  maxGateway = Math.max(maxGateway, gw.stats().bufferedToServer);
  clearInterval(sampler);
  const stats = gw.stats();
  console.log(
    `# stalled server: wrote ${written >> 20} MiB, client buffered ${(t.bufferedAmount / 2 ** 20).toFixed(1)} MiB, ` +
      `gateway buffered max ${(maxGateway / 1024).toFixed(0)} KiB (cap ${cap >> 10} KiB), relayed ${(stats.bytesToServer / 2 ** 20).toFixed(1)} MiB`,
  );
  assert.ok(falses > 0, 'write() returned false');
  assert.ok(t.bufferedAmount > 4 << 20, `the client holds the backlog (${t.bufferedAmount})`);
  assert.ok(maxGateway <= cap + (64 << 10), `gateway buffered ${maxGateway} > cap + one frame`);
  assert.ok(stats.bytesToServer < written - (4 << 20), 'the gateway stopped reading the WebSocket');
  t.destroy();
});

test('idle tunnels are closed (3005 to the client) and the TCP side with them', async () => {
  const server = await fakeServer(startSilentServer);
  const gw = await gateway({ allow: ['rtmp://127.0.0.1:*'], idleTimeoutMs: 300 });
  const t = tunnel(gw);
  const closed = new Promise<TransportClose>((resolve) => t.open({ host: '127.0.0.1', port: server.port, tls: false }, { data: () => undefined, drain: () => undefined, close: resolve }));
  const started = Date.now();
  const info = await closed;
  const elapsed = Date.now() - started;
  assert.equal(info.by, 'peer');
  assert.equal((info.error as LivePusherError).code, StatusCode.ReadWriteFailed);
  assert.match(info.error!.message, /idle/);
  assert.ok(elapsed >= 250 && elapsed < 2000, `closed after ${elapsed} ms`);
  for (let i = 0; i < 50 && gw.stats().connections > 0; i++) await delay(20);
  assert.equal(gw.stats().connections, 0);
});

test('beyond maxConnections a tunnel is refused with an error frame; a freed slot is reused', async () => {
  const server = await fakeServer(startSilentServer);
  const gw = await gateway({ allow: ['rtmp://127.0.0.1:*'], maxConnections: 2 });
  const target = { host: '127.0.0.1', port: server.port, tls: false };
  const handlers = { data: () => undefined, drain: () => undefined, close: () => undefined };
  const a = tunnel(gw);
  const b = tunnel(gw);
  await a.open(target, handlers);
  await b.open(target, handlers);
  const c = tunnel(gw);
  const error = await c.open(target, handlers).then(() => assert.fail('opened a third'), (e: unknown) => e as TunnelError);
  assertRefused(error, StatusCode.ConnectFailed, 'limit');
  assert.equal(server.connections, 2);
  await a.end(2000);
  for (let i = 0; i < 50 && gw.stats().connections > 1; i++) await delay(20);
  await tunnel(gw).open(target, handlers);
  assert.equal(server.connections, 3);
  b.destroy();
});

test('bad input never crashes the gateway: bad targets, early and text frames, oversized frames', async () => {
  const server = await fakeServer(startSilentServer);
  const gw = await gateway({ allow: ['rtmp://127.0.0.1:*'] });
  const base = gw.address().url;
  const raw = (query: string) =>
    new Promise<{ frames: string[]; code: number }>((resolve) => {
      const ws = new WsWebSocket(`${base}${query}`);
      const frames: string[] = [];
      ws.on('message', (d, isBinary) => {
        if (!isBinary) frames.push(d.toString());
        if (frames[0]?.includes('"open"')) {
          ws.send('text after open');
        }
      });
      ws.on('error', () => undefined);
      ws.on('close', (code) => resolve({ frames, code }));
    });
  for (const q of ['', '?target=', '?target=http%3A%2F%2Fa', '?target=rtmp%3A%2F%2F127.0.0.1%3A1%2Flive', '?target=%ZZ', '?target=rtmp://[zz]']) {
    const { frames, code } = await raw(q);
    assert.equal(code, TunnelCloseCode.Refused, q);
    assert.match(frames[0] ?? '', /"reason":"bad-target"/, q);
  }
  // Text after open is a protocol error.
  const text = await raw(`?target=${encodeURIComponent(`rtmp://127.0.0.1:${server.port}`)}`);
  assert.equal(text.code, TunnelCloseCode.ProtocolError);
  // A frame over the 1 MiB limit: ws closes with 1009.
  const big = await new Promise<number>((resolve) => {
    const ws = new WsWebSocket(`${base}?target=${encodeURIComponent(`rtmp://127.0.0.1:${server.port}`)}`);
    ws.on('message', () => ws.send(new Uint8Array((1 << 20) + 1)));
    ws.on('error', () => undefined);
    ws.on('close', (code) => resolve(code));
  });
  assert.equal(big, 1009);
  // Data before the open frame (a slow authorize hook holds the tunnel in its opening phase).
  const slow = await gateway({ allow: ['rtmp://127.0.0.1:*'], authorize: () => delay(300).then(() => true) });
  const early = await new Promise<number>((resolve) => {
    const ws = new WsWebSocket(`${slow.address().url}?target=${encodeURIComponent(`rtmp://127.0.0.1:${server.port}`)}`);
    ws.on('open', () => ws.send(new Uint8Array(10)));
    ws.on('error', () => undefined);
    ws.on('close', (code) => resolve(code));
  });
  assert.equal(early, TunnelCloseCode.Refused);
  assert.equal(server.connections, 2, 'only the text-after-open and oversized-frame tunnels connected');
  // Still serving.
  await openThenClose(gw, { host: '127.0.0.1', port: server.port, tls: false });
  for (let i = 0; i < 50 && gw.stats().connections + gw.stats().opening > 0; i++) await delay(20);
  assert.deepEqual([gw.stats().connections, gw.stats().opening], [0, 0]);
});

test('the token reaches the authorize hook; a refused token is "unauthorized"', async () => {
  const server = await fakeServer(startSilentServer);
  const seen: (string | undefined)[] = [];
  const gw = await gateway({ allow: ['rtmp://127.0.0.1:*'], authorize: ({ token }) => (seen.push(token), token === 'good') });
  const target = { host: '127.0.0.1', port: server.port, tls: false };
  const handlers = { data: () => undefined, drain: () => undefined, close: () => undefined };
  const error = await tunnel(gw, { token: 'bad' }).open(target, handlers).then(() => assert.fail('opened'), (e: unknown) => e as TunnelError);
  assertRefused(error, StatusCode.ConnectFailed, 'unauthorized');
  assert.equal(server.connections, 0);
  const ok = tunnel(gw, { token: 'good' });
  await ok.open(target, handlers);
  await ok.end(2000);
  assert.deepEqual(seen, ['bad', 'good']);
});

test('hooks that throw and unparsable request URLs do not take the gateway down', async () => {
  const server = await fakeServer(startSilentServer);
  const gw = await gateway({
    allow: ['rtmp://127.0.0.1:*'],
    onEvent: () => {
      throw new Error('logger broke');
    },
    authorize: ({ token }) => {
      if (token === 'throw') throw new Error('authorizer broke');
      return true;
    },
  });
  const { port } = gw.address();
  const answer = await new Promise<string>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () =>
      s.write('GET http://[ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'),
    );
    let text = '';
    s.on('data', (d) => (text += d.toString()));
    s.on('error', () => undefined);
    s.on('close', () => resolve(text));
  });
  assert.match(answer, /^HTTP\/1\.1 400/);
  const target = { host: '127.0.0.1', port: server.port, tls: false };
  const handlers = { data: () => undefined, drain: () => undefined, close: () => undefined };
  const error = await tunnel(gw, { token: 'throw' }).open(target, handlers).then(() => assert.fail('opened'), (e: unknown) => e as TunnelError);
  assert.equal(error.reason, 'unauthorized');
  await openThenClose(gw, target);
});

test('destroy() resets the TCP side at the gateway; end() flushes it', async () => {
  const received: number[] = [];
  const ends: string[] = [];
  const sink = net.createServer((s) => {
    let n = 0;
    s.on('data', (d) => (n += d.length));
    s.on('end', () => ends.push('fin'));
    s.on('error', (e: NodeJS.ErrnoException) => ends.push(e.code ?? 'error'));
    s.on('close', () => received.push(n));
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => sink.close(r)));
  const port = (sink.address() as net.AddressInfo).port;
  const gw = await gateway({ allow: ['rtmp://127.0.0.1:*'] });
  const handlers = { data: () => undefined, drain: () => undefined, close: () => undefined };
  const graceful = tunnel(gw);
  await graceful.open({ host: '127.0.0.1', port, tls: false }, handlers);
  graceful.write(new Uint8Array(300_000));
  await graceful.end(2000);
  for (let i = 0; i < 100 && received.length < 1; i++) await delay(10);
  assert.deepEqual([received, ends], [[300_000], ['fin']]);
  const aborted = tunnel(gw);
  await aborted.open({ host: '127.0.0.1', port, tls: false }, handlers);
  aborted.destroy();
  for (let i = 0; i < 100 && received.length < 2; i++) await delay(10);
  assert.equal(ends[1], 'ECONNRESET');
});
