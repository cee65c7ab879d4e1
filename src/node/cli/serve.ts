/**
 * `live-pusher serve`: the studio. One HTTP port serves the page; an embedded node-media-server
 * on loopback receives the stream and plays it back as HTTP-FLV.
 */
import { createReadStream } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { pickFreePort, startEmbeddedIngest } from '../ingest/embedded-ingest.js';
import { renderStudioPage } from '../studio/page.js';

const HELP = `Usage: live-pusher serve [options]

Starts the studio: a page that plays back what is pushed, on an embedded RTMP server.

Options:
  --host <addr>        interface for the page and the RTMP server (default 127.0.0.1)
  --port <n>           page port (default 8080; a free one if 8080 is taken)
  --rtmp-port <n>      embedded RTMP port (default 1935; a free one if taken)
  --stream <app/name>  stream the page plays (default live/demo)
  -h, --help           this text
`;

export async function runServe(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8080' },
        'rtmp-port': { type: 'string', default: '1935' },
        stream: { type: 'string', default: 'live/demo' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    process.stderr.write(`live-pusher serve: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = parsePort(values.port, '--port');
  const rtmpPort = parsePort(values['rtmp-port'], '--rtmp-port');
  const [app, name, ...rest] = values.stream.split('/');
  if (port === undefined || rtmpPort === undefined || !app || !name || rest.length > 0) {
    process.stderr.write(`live-pusher serve: invalid option\n\n${HELP}`);
    return 2;
  }
  const host = values.host;
  const ingest = await startEmbeddedIngest({ host, rtmpPort: await portOrFree(host, rtmpPort) });
  const config = { rtmpUrl: ingest.rtmpUrl(app, name), flvUrl: ingest.flvUrl(app, name) };
  const page = renderStudioPage(config);
  const mpegtsPath = createRequire(import.meta.url).resolve('mpegts.js/dist/mpegts.js');

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
    } else if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else if (path === '/vendor/mpegts.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      createReadStream(mpegtsPath).pipe(res);
    } else if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(config));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    void portOrFree(host, port).then((p) => server.listen(p, host, resolve));
  });
  const { port: pagePort } = server.address() as AddressInfo;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  process.stdout.write(
    `live-pusher studio\n` +
      `  studio:    http://${hostInUrl}:${pagePort}/\n` +
      `  push to:   ${config.rtmpUrl}\n` +
      `  playback:  ${config.flvUrl}\n` +
      `  stop:      Ctrl-C\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  server.close();
  server.closeAllConnections();
  await ingest.stop();
  return 0;
}

function parsePort(value: string, name: string): number | undefined {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`live-pusher serve: ${name} ${JSON.stringify(value)} is not a port number\n`);
    return undefined;
  }
  return n;
}

/** The wanted port if it is free (0 means any), otherwise a free one: a first run must not fail on a busy port. */
async function portOrFree(host: string, wanted: number): Promise<number> {
  if (wanted === 0) return pickFreePort(host);
  const free = await new Promise<boolean>((resolve) => {
    const probe = http.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(wanted, host, () => probe.close(() => resolve(true)));
  });
  if (free) return wanted;
  const other = await pickFreePort(host);
  process.stderr.write(`port ${wanted} on ${host} is in use; using ${other} instead\n`);
  return other;
}
