/**
 * `live-pusher gateway` as a process: prints its address, relays to what --allow names, refuses
 * the rest, exits 0 on SIGTERM, 2 on usage errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebSocket as WsWebSocket } from 'ws';
import { runGateway } from '../../src/node/cli/gateway.js';
import { TunnelTransport } from '../../src/transport/tunnel.js';
import { TunnelError } from '../../src/transport/tunnel-protocol.js';
import { spawnTracked } from '../support/children.js';
import { startSilentServer } from '../support/fake-servers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const WebSocket = WsWebSocket as unknown as typeof globalThis.WebSocket;
const handlers = { data: () => undefined, drain: () => undefined, close: () => undefined };

test('usage errors exit 2 without listening', async () => {
  for (const argv of [[], ['--allow', 'http://x'], ['--allow', 'rtmp://a', '--port', 'x'], ['--allow', 'rtmp://a', '--idle-timeout', '-1'], ['--nope']]) {
    const stderr = process.stderr.write;
    process.stderr.write = () => true;
    try {
      assert.equal(await runGateway(argv), 2, argv.join(' '));
    } finally {
      process.stderr.write = stderr;
    }
  }
});

test('live-pusher gateway: prints the ws address, relays allowed targets, exits 0 on SIGTERM', async () => {
  const server = await startSilentServer();
  try {
    const child = spawnTracked(process.execPath, [
      '--import', 'tsx', '-e',
      `import('./src/node/cli/gateway.ts').then(m => m.runGateway(process.argv.slice(1))).then(c => process.exit(c))`,
      '--', '--port', '0', '--allow', `rtmp://127.0.0.1:${server.port}`, '--idle-timeout', '5',
    ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 200 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
    const url = out.split('\n')[0]!;
    assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\/tunnel$/);
    const ok = new TunnelTransport({ gateway: url, WebSocket });
    await ok.open({ host: '127.0.0.1', port: server.port, tls: false }, handlers);
    await ok.end(2000);
    const refused = new TunnelTransport({ gateway: url, WebSocket });
    await assert.rejects(refused.open({ host: '127.0.0.1', port: server.port + 1, tls: false }, handlers), (e: TunnelError) => e.reason === 'not-allowed');
    assert.equal(server.connections, 1);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.match(out, /#1 open rtmp:\/\/127\.0\.0\.1:\d+ \(127\.0\.0\.1\)/);
    assert.match(out, /refused rtmp:\/\/127\.0\.0\.1:\d+ .*not-allowed/);
  } finally {
    await server.stop();
  }
});
