/**
 * Real-browser test harness: one headless Chromium per test file, a page served from an HTTP
 * server on 127.0.0.1 (port 0) with the test's own code bundled by esbuild, fake camera and
 * microphone, and a way for the page to hand bytes back to Node.
 *
 * Why an http://127.0.0.1 page and not data: or file: — WebCodecs, MediaStreamTrackProcessor and
 * getUserMedia need a secure context, and loopback HTTP is one (W3C Secure Contexts §3.1).
 *
 * The page side: `POST /upload/<name>` with a binary body stores the bytes; Node reads them with
 * {@link TestPage.upload}. Small results come back as the value of `page.evaluate`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

import { after, before } from 'node:test';
import { launchChromium } from '../support/chromium.js';

export { launchChromium };

/** A served test page. */
export interface TestPage {
  readonly page: Page;
  /** http://127.0.0.1:<port>/ */
  readonly origin: string;
  /** Console lines and page errors seen so far, for failure messages. */
  readonly log: string[];
  /** Bytes the page POSTed to /upload/<name>; throws if none arrived. */
  upload(name: string): Buffer;
  close(): Promise<void>;
}

/** Bundles one entry in memory (ESM, ES2022, inline source map). */
async function bundle(entry: string): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [path.resolve(ROOT, entry)],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    sourcemap: 'inline',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}

/**
 * Bundles `entry` (a path relative to the repository root) and opens it in a new page of
 * `browser`. `scripts` maps more URL paths to entries (workers: `{ '/aac-worker.js':
 * 'src/media/aac/worker.ts' }`). Resolves once the module has run its top level.
 */
export async function openTestPage(browser: Browser, entry: string, scripts: Record<string, string> = {}): Promise<TestPage> {
  const served = new Map<string, Uint8Array>([['/test.js', await bundle(entry)]]);
  for (const [url, file] of Object.entries(scripts)) served.set(url, await bundle(file));
  const uploads = new Map<string, Buffer>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (req.method === 'GET' && url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><meta charset="utf-8"><title>live-pusher test</title><script type="module" src="/test.js"></script>');
    } else if (req.method === 'GET' && served.has(url)) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(served.get(url));
    } else if (req.method === 'POST' && url.startsWith('/upload/')) {
      const parts: Buffer[] = [];
      req.on('data', (b: Buffer) => parts.push(b));
      req.on('end', () => {
        uploads.set(decodeURIComponent(url.slice('/upload/'.length)), Buffer.concat(parts));
        res.writeHead(204).end();
      });
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const log: string[] = [];
  page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => log.push(`[pageerror] ${e.stack ?? e.message}`));
  await page.goto(origin);
  await page.waitForFunction(() => (globalThis as { __testReady?: boolean }).__testReady === true, undefined, { timeout: 10_000 });
  return {
    page,
    origin,
    log,
    upload(name) {
      const bytes = uploads.get(name);
      if (!bytes) throw new Error(`the page uploaded nothing as '${name}'\n${log.join('\n')}`);
      return bytes;
    },
    async close() {
      await context.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * For a test file whose cases share one Chromium and one page of `entry` (see
 * {@link openTestPage}): registers the `before` hook that opens them and the `after` hook that
 * closes them, and returns the page, to be called inside the tests.
 */
export function sharedTestPage(entry: string, scripts: Record<string, string> = {}): () => TestPage {
  let browser: Browser | undefined;
  let tp: TestPage | undefined;
  before(async () => {
    browser = await launchChromium();
    tp = await openTestPage(browser, entry, scripts);
  });
  after(async () => {
    await tp?.close();
    await browser?.close();
  });
  return () => {
    if (!tp) throw new Error(`the test page ${entry} is not open (its before hook failed or has not run)`);
    return tp;
  };
}
