/**
 * The studio server behind `live-pusher serve` (DESIGN.md "What the product is", item 4): one
 * HTTP port for the page, the browser bundle at `/live-pusher.js` and the tunnel gateway at
 * `/tunnel`, with node-media-server on loopback as the RTMP server the page pushes to. Usable as a
 * library so that tests start exactly what a user starts.
 */
import { createReadStream, existsSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway, type Gateway } from '../gateway/index.js';
import { startEmbeddedIngest, type EmbeddedIngest } from '../ingest/embedded-ingest.js';
import { renderStudioPage } from './page.js';

export interface StudioOptions {
  /** Interface for the page and the embedded RTMP server. Default 127.0.0.1. */
  host?: string;
  /** Page port; 0 picks a free one. Default 0. */
  port?: number;
  /** Embedded RTMP port; 0 picks a free one. Default 0. */
  rtmpPort?: number;
  /** `app/name` the page pushes to and plays. Default `live/demo`. */
  stream?: string;
  /** More RTMP targets the gateway lets through (`rtmp://host:port` patterns, see the gateway). */
  allow?: readonly string[];
  /** Let the gateway reach private and loopback addresses beyond the embedded server. */
  allowPrivate?: boolean;
}

export interface Studio {
  /** `http://host:port/` */
  readonly url: string;
  /** Where the page pushes (the embedded server). */
  readonly rtmpUrl: string;
  /** Where the page plays the stream back from (HTTP-FLV). */
  readonly flvUrl: string;
  /** `ws://host:port/tunnel` */
  readonly gatewayUrl: string;
  close(): Promise<void>;
}

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The browser bundle `npm run build` writes (scripts/bundle.mjs). */
export const BROWSER_BUNDLE = join(PACKAGE_ROOT, 'dist', 'browser', 'live-pusher.js');

export async function startStudio(options: StudioOptions = {}): Promise<Studio> {
  const host = options.host ?? '127.0.0.1';
  const [app, name, ...rest] = (options.stream ?? 'live/demo').split('/');
  if (!app || !name || rest.length > 0) throw new TypeError(`stream must be app/name, got ${JSON.stringify(options.stream)}`);
  const ingest: EmbeddedIngest = await startEmbeddedIngest({ host, rtmpPort: options.rtmpPort ?? 0 });
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const rtmpUrl = ingest.rtmpUrl(app, name);
  const flvUrl = ingest.flvUrl(app, name);
  const page = renderStudioPage({ rtmpUrl, flvUrl });
  const mpegtsPath = createRequire(import.meta.url).resolve('mpegts.js/dist/mpegts.js');

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
    } else if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else if (path === '/live-pusher.js') {
      if (!existsSync(BROWSER_BUNDLE)) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('the browser bundle is missing: run npm run build\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
      createReadStream(BROWSER_BUNDLE).pipe(res);
    } else if (path === '/vendor/mpegts.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      createReadStream(mpegtsPath).pipe(res);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  let gateway: Gateway | undefined;
  try {
    // The embedded server is always a target; naming its loopback address allows it (gateway rules).
    const allow = [`rtmp://${hostInUrl}:${ingest.rtmpPort}`, ...(options.allow ?? [])];
    gateway = await createGateway({ server, path: '/tunnel', allow, allowPrivate: options.allowPrivate ?? false });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, resolve);
    });
  } catch (e) {
    await gateway?.close();
    await ingest.stop();
    throw e;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${hostInUrl}:${port}/`,
    rtmpUrl,
    flvUrl,
    gatewayUrl: `ws://${hostInUrl}:${port}/tunnel`,
    async close() {
      await gateway?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ingest.stop();
    },
  };
}
