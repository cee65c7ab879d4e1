/**
 * The embedded RTMP server of `live-pusher serve`: node-media-server in a child process, on
 * loopback, so a first run needs no RTMP server of its own. It relays each published stream as
 * HTTP-FLV, which the studio's player reads.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface EmbeddedIngestOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** RTMP port; 0 (default) picks a free one. */
  rtmpPort?: number;
  /** HTTP-FLV port; 0 (default) picks a free one. */
  httpPort?: number;
  /** Give up if the server does not listen within this long. Default 15 s. */
  startTimeoutMs?: number;
}

export interface EmbeddedIngest {
  readonly host: string;
  readonly rtmpPort: number;
  readonly httpPort: number;
  /** `rtmp://host:port/app/stream` to publish to. */
  rtmpUrl(app: string, stream: string): string;
  /** `http://host:port/app/stream.flv` to play from. */
  flvUrl(app: string, stream: string): string;
  stop(): Promise<void>;
}

/** Asks the OS for a free port on `host` (listening on port 0), then releases it for the child. */
export function pickFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The sibling module as the running code sees it: `.ts` under tsx (tests), `.js` once built. */
function childEntry(): { path: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const ts = self.endsWith('.ts');
  return { path: join(self, '..', ts ? 'nms-child.ts' : 'nms-child.js'), execArgv: ts ? ['--import', 'tsx'] : [] };
}

export async function startEmbeddedIngest(options: EmbeddedIngestOptions = {}): Promise<EmbeddedIngest> {
  const host = options.host ?? '127.0.0.1';
  const rtmpPort = options.rtmpPort || (await pickFreePort(host));
  let httpPort = options.httpPort || (await pickFreePort(host));
  // The first port was released for the child, so the OS may hand it out again (seen in a test
  // run: both servers on one port, the RTMP one failing to start).
  while (!options.httpPort && httpPort === rtmpPort) httpPort = await pickFreePort(host);
  const dataDir = await mkdtemp(join(tmpdir(), 'live-pusher-ingest-'));
  const entry = childEntry();
  const child: ChildProcess = fork(entry.path, [JSON.stringify({ host, rtmpPort, httpPort, dataDir })], {
    execArgv: entry.execArgv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out')), options.startTimeoutMs ?? 15_000);
      child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with code ${code}`));
      });
    });
    await waitForListening(host, rtmpPort, options.startTimeoutMs ?? 15_000);
  } catch (e) {
    await stop();
    throw new Error(`the embedded RTMP server (node-media-server) did not start: ${(e as Error).message}\n${output}`);
  }
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    rtmpPort,
    httpPort,
    rtmpUrl: (app, stream) => `rtmp://${hostInUrl}:${rtmpPort}/${app}/${stream}`,
    flvUrl: (app, stream) => `http://${hostInUrl}:${httpPort}/${app}/${stream}.flv`,
    stop,
  };
}

async function waitForListening(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} is not listening`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
