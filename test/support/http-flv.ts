/**
 * Raw HTTP-FLV capture: saves the exact bytes a server sends for an
 * HTTP-FLV URL, without ffmpeg in between (ffmpeg -c copy rewrites
 * timestamps around discontinuities and writes its own onMetaData).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { Capture } from './ffprobe.js';

/** Options for {@link startHttpFlvCapture}. */
export interface HttpFlvCaptureOptions {
  /** End the capture when no bytes arrived for this long (default 2000 ms). */
  idleTimeoutMs?: number;
  /** Hard limit for the whole capture (default 120 s). */
  timeoutMs?: number;
}

/**
 * GETs an HTTP-FLV URL and writes the response body to `outPath` byte for
 * byte. The capture ends when the server closes the response, after
 * `idleTimeoutMs` without data (node-media-server keeps players attached
 * after the publisher leaves), or on `stop()`. `done` resolves with
 * `outPath`; it rejects on a non-200 status or a connection error before any
 * data arrived.
 */
export function startHttpFlvCapture(url: string, outPath: string, opts: HttpFlvCaptureOptions = {}): Capture {
  const idleMs = opts.idleTimeoutMs ?? 2000;
  let stopFn: () => void = () => {};
  const done = new Promise<string>((resolve, reject) => {
    const file = fs.createWriteStream(outPath);
    let bytes = 0;
    let settled = false;
    const hard = setTimeout(() => stopFn(), opts.timeoutMs ?? 120_000);
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(hard);
      req.destroy();
      file.end(() => (err && bytes === 0 ? reject(err) : resolve(outPath)));
    };
    stopFn = () => finish();
    const req = http.get(url, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        finish(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        return;
      }
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        file.write(chunk);
      });
      res.on('end', () => finish());
      res.on('error', (e) => finish(e));
    });
    req.setTimeout(idleMs, () => finish());
    req.on('error', (e) => finish(e));
  });
  return {
    done,
    stop() {
      stopFn();
      return done;
    },
  };
}
