/**
 * The studio server behind `live-pusher serve` (DESIGN.md "What the product is", item 4): one
 * HTTP port for the page, the browser bundle at `/live-pusher.js`, the page's own modules at
 * `/studio/*.js` and the tunnel gateway at `/tunnel`. By default node-media-server runs on
 * loopback as the RTMP server the page pushes to and plays back from; `rtmpUrl` points the page at
 * an external server instead (that target is then allowed through the gateway). Usable as a
 * library so that tests start exactly what a user starts.
 */
import { createReadStream, existsSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { isIP, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ATTRIBUTE_SCHEMA } from '../../core/attributes.js';
import { MODE_PRESETS } from '../../core/modes.js';
import { parseRtmpUrl } from '../../rtmp/url.js';
import { createGateway, type Gateway } from '../gateway/index.js';
import { startEmbeddedIngest, type EmbeddedIngest } from '../ingest/embedded-ingest.js';
import type { StudioPageConfig } from './config.js';
import { renderStudioPage } from './page.js';

export interface StudioOptions {
  /** Interface for the page and the embedded RTMP server. Default 127.0.0.1. */
  host?: string;
  /** Page port; 0 picks a free one. Default 0. */
  port?: number;
  /** Embedded RTMP port; 0 picks a free one. Default 0. Ignored with `rtmpUrl`. */
  rtmpPort?: number;
  /** `app/name` the page pushes to and plays. Default `live/demo`. Ignored with `rtmpUrl`. */
  stream?: string;
  /**
   * Push to this external RTMP server (`rtmp://` or `rtmps://host[:port]/app/stream`) instead of
   * starting the embedded one. Its `scheme://host:port` is added to the gateway's allowlist.
   */
  rtmpUrl?: string;
  /** With `rtmpUrl`: an HTTP-FLV address that plays the stream back (otherwise the player is hidden). */
  playUrl?: string;
  /** More RTMP targets the gateway lets through (`rtmp://host:port` patterns, see the gateway). */
  allow?: readonly string[];
  /** Let the gateway reach private and loopback addresses beyond the servers named above. */
  allowPrivate?: boolean;
}

export interface Studio {
  /** `http://host:port/` */
  readonly url: string;
  /** Where the page pushes (the embedded server, or `options.rtmpUrl`). */
  readonly rtmpUrl: string;
  /** Where the page plays the stream back from (HTTP-FLV); undefined for an external server without `playUrl`. */
  readonly flvUrl: string | undefined;
  /** Whether the RTMP server is the embedded node-media-server. */
  readonly embedded: boolean;
  /** `ws://host:port/tunnel` */
  readonly gatewayUrl: string;
  close(): Promise<void>;
}

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The browser bundle `npm run build` writes (scripts/bundle.mjs). */
export const BROWSER_BUNDLE = join(PACKAGE_ROOT, 'dist', 'browser', 'live-pusher.js');
/**
 * `/live-pusher.js` and the AAC, face landmark and segmentation workers beside it (the element loads them
 * relative to its own URL), with their source maps, the landmark model's files and tfjs's wasm
 * binaries in `/face-models/` and the segmentation runtime and model in `/segmentation/`
 * (scripts/bundle.mjs copies them there; names only, no path traversal).
 */
const BUNDLE_PATH =
  /^\/((?:live-pusher|aac-worker|face-worker|picture-worker|segmentation-worker)\.js(?:\.map)?|face-models\/(?:[a-z0-9_]+(?:-weights_manifest\.json|\.bin)|tfjs-backend-wasm(?:-simd)?\.wasm)|segmentation\/[a-z0-9_]+\.(?:js|wasm|tflite))$/;
/** The page's modules: src/node/studio/client/*.ts as `npm run build` (tsc) compiles them. */
export const CLIENT_DIR = join(PACKAGE_ROOT, 'dist', 'node', 'studio', 'client');
/** `/studio/<name>.js` (and its source map): a client module, nothing else (no path traversal). */
const CLIENT_PATH = /^\/studio\/([a-z][a-z0-9-]*\.js(?:\.map)?)$/;

/** The RTMP server the page pushes to: the embedded one or an external one. */
interface Target {
  rtmpUrl: string;
  flvUrl: string | undefined;
  /** Gateway allow rules that let the page reach it. */
  allow: string[];
  /** Whether that server sits on a private address only a hostname names (e.g. `localhost`). */
  needsPrivate: boolean;
  stop(): Promise<void>;
}

async function embeddedTarget(host: string, rtmpPort: number, stream: string): Promise<Target> {
  const [app, name, ...rest] = stream.split('/');
  if (!app || !name || rest.length > 0) throw new TypeError(`stream must be app/name, got ${JSON.stringify(stream)}`);
  const ingest: EmbeddedIngest = await startEmbeddedIngest({ host, rtmpPort });
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    rtmpUrl: ingest.rtmpUrl(app, name),
    flvUrl: ingest.flvUrl(app, name),
    // Naming the loopback address allows it (gateway rules).
    allow: [`rtmp://${hostInUrl}:${ingest.rtmpPort}`],
    needsPrivate: false,
    stop: () => ingest.stop(),
  };
}

function externalTarget(rtmpUrl: string, playUrl: string | undefined): Target {
  const target = parseRtmpUrl(rtmpUrl); // throws a clear error for a bad address
  if (playUrl !== undefined && !/^https?:\/\//.test(playUrl)) throw new TypeError(`play url must be http(s)://…, got ${JSON.stringify(playUrl)}`);
  const hostInUrl = isIP(target.host) === 6 ? `[${target.host}]` : target.host;
  return {
    rtmpUrl,
    flvUrl: playUrl,
    allow: [`${target.scheme}://${hostInUrl}:${target.port}`],
    needsPrivate: target.host === 'localhost',
    stop: async () => undefined,
  };
}

export async function startStudio(options: StudioOptions = {}): Promise<Studio> {
  const host = options.host ?? '127.0.0.1';
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const target = options.rtmpUrl
    ? externalTarget(options.rtmpUrl, options.playUrl)
    : await embeddedTarget(host, options.rtmpPort ?? 0, options.stream ?? 'live/demo');
  const config: StudioPageConfig = { rtmpUrl: target.rtmpUrl, embedded: !options.rtmpUrl, schema: ATTRIBUTE_SCHEMA, modes: MODE_PRESETS };
  if (target.flvUrl) config.flvUrl = target.flvUrl;
  const page = renderStudioPage(config);
  const mpegtsPath = createRequire(import.meta.url).resolve('mpegts.js/dist/mpegts.js');

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const client = CLIENT_PATH.exec(path)?.[1];
    const bundle = BUNDLE_PATH.exec(path)?.[1];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
    } else if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }).end(page);
    } else if (bundle) {
      sendFile(res, join(dirname(BROWSER_BUNDLE), bundle));
    } else if (client) {
      sendFile(res, join(CLIENT_DIR, client));
    } else if (path === '/vendor/mpegts.js') {
      sendFile(res, mpegtsPath);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  let gateway: Gateway | undefined;
  try {
    const allow = [...target.allow, ...(options.allow ?? [])];
    gateway = await createGateway({ server, path: '/tunnel', allow, allowPrivate: (options.allowPrivate ?? false) || target.needsPrivate });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, resolve);
    });
  } catch (e) {
    await gateway?.close();
    await target.stop();
    throw e;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${hostInUrl}:${port}/`,
    rtmpUrl: target.rtmpUrl,
    flvUrl: target.flvUrl,
    embedded: !options.rtmpUrl,
    gatewayUrl: `ws://${hostInUrl}:${port}/tunnel`,
    async close() {
      await gateway?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await target.stop();
    },
  };
}

/** (wasm by its own type, which streaming compilation requires.) */
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  map: 'application/json; charset=utf-8',
  json: 'application/json; charset=utf-8',
  wasm: 'application/wasm',
};

/** Streams a built file, or says which build step is missing. */
function sendFile(res: http.ServerResponse, file: string): void {
  if (!existsSync(file)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`${file} is missing: run npm run build\n`);
    return;
  }
  const type = TYPES[file.slice(file.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
  createReadStream(file).pipe(res);
}
