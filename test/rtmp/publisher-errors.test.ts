/**
 * Every failure of the publish flow ends in its status code (spec §4), against real servers
 * (nginx-rtmp, node-media-server) and small misbehaving ones.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LivePusherError, StatusCode } from '../../src/core/codes.js';
import { RtmpPublisher } from '../../src/rtmp/publisher.js';
import { TcpTransport } from '../../src/transport/tcp.js';
import { freePort } from '../support/ports.js';
import { startDroppingServer, startGarbageHandshakeServer, startSilentServer } from '../support/fake-servers.js';
import { startNginxRtmp, type NginxRtmp } from '../support/nginx-rtmp.js';
import { startNodeMediaServer, type Nms } from '../support/node-media-server.js';
import { startTogether } from '../support/start-together.js';

let nginx: NginxRtmp;
let nms: Nms;
before(async () => {
  await startTogether([startNginxRtmp().then((n) => (nginx = n)), startNodeMediaServer().then((n) => (nms = n))]);
});
after(async () => {
  await Promise.all([nginx?.stop(), nms?.stop()]);
});

interface Outcome {
  statuses: number[];
  error: LivePusherError | undefined;
  closeError: LivePusherError | undefined;
}

async function publish(url: string, options: { responseTimeoutMs?: number; holdMs?: number } = {}): Promise<Outcome> {
  const statuses: number[] = [];
  let closeError: LivePusherError | undefined;
  const publisher = new RtmpPublisher({
    url,
    transport: new TcpTransport({ connectTimeoutMs: 5000 }),
    responseTimeoutMs: options.responseTimeoutMs ?? 5000,
    onStatus: (code) => statuses.push(code),
    onClose: (e) => {
      closeError = e;
    },
  });
  try {
    await publisher.start();
    if (options.holdMs) await new Promise((r) => setTimeout(r, options.holdMs));
    await publisher.stop();
    return { statuses, error: undefined, closeError };
  } catch (e) {
    assert.ok(e instanceof LivePusherError, `expected a LivePusherError, got ${String(e)}`);
    return { statuses, error: e, closeError };
  }
}

test('3001: a host that does not resolve', async () => {
  const { error } = await publish('rtmp://no-such-host.invalid/live/x');
  assert.equal(error?.code, StatusCode.DnsFailed);
  assert.match(error!.message, /no-such-host\.invalid/);
});

test('3002: a port nobody listens on', async () => {
  const port = await freePort();
  const { error } = await publish(`rtmp://127.0.0.1:${port}/live/x`);
  assert.equal(error?.code, StatusCode.ConnectFailed);
});

test('3002: an address that is not rtmp:// or rtmps://', async () => {
  for (const url of ['https://example.com/live/x', 'rtmp://host', 'rtmp://host/app', 'not a url', '']) {
    assert.throws(() => new RtmpPublisher({ url, transport: new TcpTransport() }), (e: unknown) => e instanceof LivePusherError && e.code === StatusCode.ConnectFailed, url);
  }
});

test('3003: a server that answers the handshake with garbage', async () => {
  const server = await startGarbageHandshakeServer();
  try {
    const { error } = await publish(`rtmp://127.0.0.1:${server.port}/live/x`);
    assert.equal(error?.code, StatusCode.HandshakeFailed);
    assert.match(error!.message, /version/);
  } finally {
    await server.stop();
  }
});

test('3003: a server that never answers', async () => {
  const server = await startSilentServer();
  try {
    const { error } = await publish(`rtmp://127.0.0.1:${server.port}/live/x`, { responseTimeoutMs: 300 });
    assert.equal(error?.code, StatusCode.HandshakeFailed);
  } finally {
    await server.stop();
  }
});

test('3004: a server that closes the connection after the handshake', async () => {
  const server = await startDroppingServer();
  try {
    const { error, statuses } = await publish(`rtmp://127.0.0.1:${server.port}/live/x`);
    assert.equal(error?.code, StatusCode.ServerClosed);
    assert.deepEqual(statuses, []);
  } finally {
    await server.stop();
  }
});

test('3004: nginx-rtmp refuses a publish its configuration denies', async () => {
  const { error, statuses } = await publish(nginx.url('deny', 'x'));
  assert.equal(error?.code, StatusCode.ServerClosed);
  assert.ok(!statuses.includes(StatusCode.PushBegin));
});

for (const server of ['nginx-rtmp', 'node-media-server'] as const) {
  test(`1001, 1002 and a clean stop on ${server}; 3004 for a second publisher of the same name`, async () => {
    const url = server === 'nginx-rtmp' ? nginx.url('live', 'busy') : nms.url('live', 'busy');
    const first = new RtmpPublisher({ url, transport: new TcpTransport() });
    await first.start();
    try {
      const second = await publish(url, { holdMs: 200 });
      const code = second.error?.code ?? second.closeError?.code;
      assert.equal(code, StatusCode.ServerClosed, `the second publisher got ${code}`);
    } finally {
      await first.stop();
    }
    const clean = await publish(server === 'nginx-rtmp' ? nginx.url('live', 'clean') : nms.url('live', 'clean'));
    assert.equal(clean.error, undefined);
    assert.equal(clean.closeError, undefined);
    assert.deepEqual(clean.statuses, [StatusCode.Connected, StatusCode.PushBegin]);
  });
}
