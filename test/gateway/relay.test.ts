/**
 * The gateway's TCP side in detail: rtmps with SNI and certificate checks, the connect timeout,
 * and backpressure from a client that stops reading (the server → browser direction).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { WebSocket as WsWebSocket } from 'ws';
import { StatusCode } from '../../src/core/codes.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/node/gateway/index.js';
import { TunnelTransport } from '../../src/transport/tunnel.js';
import { TunnelError } from '../../src/transport/tunnel-protocol.js';
import { delay } from '../support/ports.js';

const WebSocket = WsWebSocket as unknown as typeof globalThis.WebSocket;
const cleanup: (() => Promise<unknown> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function gateway(options: Omit<GatewayOptions, 'port' | 'server'>): Promise<Gateway> {
  const gw = await createGateway({ port: 0, ...options });
  cleanup.push(() => gw.close());
  return gw;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => server.close(r)));
  return (server.address() as net.AddressInfo).port;
}

/** A self-signed certificate for `localhost` (openssl, in a temp dir). */
function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('rtmps: TLS to the resolved address with SNI = the host name, certificate checked', async () => {
  const { key, cert } = selfSigned();
  const names: (string | false | null)[] = [];
  const server = tls.createServer({ key, cert }, (s) => {
    names.push(s.servername);
    s.on('error', () => undefined);
    s.pipe(s); // echo
  });
  const port = await listen(server);
  const trusting = await gateway({ allow: ['rtmps://localhost:*'], allowPrivate: true, tls: { ca: cert } });
  const t = new TunnelTransport({ gateway: trusting.address().url, WebSocket });
  const received: Uint8Array[] = [];
  await t.open({ host: 'localhost', port, tls: true }, { data: (b) => received.push(b.slice()), drain: () => undefined, close: () => undefined });
  t.write(new TextEncoder().encode('hello over tls'));
  for (let i = 0; i < 100 && Buffer.concat(received).length < 14; i++) await delay(10);
  assert.equal(Buffer.concat(received).toString(), 'hello over tls');
  assert.deepEqual(names, ['localhost']);
  await t.end(2000);

  // Without the CA the certificate is refused: 3002 before the tunnel opens.
  const strict = await gateway({ allow: ['rtmps://localhost:*'], allowPrivate: true });
  const error = await new TunnelTransport({ gateway: strict.address().url, WebSocket })
    .open({ host: 'localhost', port, tls: true }, { data: () => undefined, drain: () => undefined, close: () => undefined })
    .then(() => assert.fail('opened'), (e: unknown) => e as TunnelError);
  assert.equal(error.code, StatusCode.ConnectFailed);
  assert.equal(error.reason, 'connect');
  assert.match(error.message, /SELF_SIGNED|self.signed/i);
});

test('a connect that hangs (a TLS server that never answers) times out as 3002', async () => {
  const silent = net.createServer((s) => s.on('error', () => undefined).resume()); // reads the ClientHello, never answers
  const port = await listen(silent);
  const gw = await gateway({ allow: [`rtmps://127.0.0.1:${port}`], connectTimeoutMs: 300 });
  const started = Date.now();
  const error = await new TunnelTransport({ gateway: gw.address().url, WebSocket })
    .open({ host: '127.0.0.1', port, tls: true }, { data: () => undefined, drain: () => undefined, close: () => undefined })
    .then(() => assert.fail('opened'), (e: unknown) => e as TunnelError);
  assert.equal(error.code, StatusCode.ConnectFailed);
  assert.match(error.message, /timed out/);
  assert.ok(Date.now() - started < 2000);
});

test('a client that stops reading: the gateway stops reading the server, its buffer stays under the cap', async () => {
  let serverWritten = 0;
  const chunk = Buffer.alloc(64 << 10, 1);
  const firehose = net.createServer((s) => {
    s.on('error', () => undefined);
    const pump = () => {
      while (!s.destroyed && s.write(chunk)) serverWritten += chunk.length;
      if (!s.destroyed) serverWritten += chunk.length; // the write that returned false was queued too
    };
    s.on('drain', pump);
    pump();
  });
  const port = await listen(firehose);
  const cap = 256 << 10;
  const gw = await gateway({ allow: [`rtmp://127.0.0.1:${port}`], maxBufferedBytes: cap });
  const ws = new WsWebSocket(`${gw.address().url}?target=${encodeURIComponent(`rtmp://127.0.0.1:${port}`)}`);
  let received = 0;
  ws.on('message', (d: Buffer, isBinary) => {
    if (!isBinary) ws.pause(); // after `open`, stop reading, like a browser tab that froze
    else received += d.length;
  });
  await new Promise((r) => ws.once('open', r));
  let maxBuffered = 0;
  const sampler = setInterval(() => (maxBuffered = Math.max(maxBuffered, gw.stats().bufferedToClient)), 2);
  await delay(800);
  const stalledAt = serverWritten;
  await delay(400);
  clearInterval(sampler);
  console.log(`# client not reading: server wrote ${(serverWritten / 2 ** 20).toFixed(1)} MiB, gateway buffered max ${(maxBuffered / 1024).toFixed(0)} KiB (cap ${cap >> 10} KiB)`);
  assert.equal(serverWritten, stalledAt, 'the server is blocked: the gateway stopped reading it');
  assert.ok(maxBuffered <= cap + (64 << 10), `gateway buffered ${maxBuffered}`);
  ws.resume();
  await delay(300);
  assert.ok(received > 0 && serverWritten > stalledAt, 'flow resumes once the client reads again');
  ws.terminate();
});
