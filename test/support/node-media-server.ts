/**
 * Runs node-media-server v4 (npm `node-media-server`) in a child process on
 * free loopback ports, so its console logging and module-level globals stay
 * out of the test process.
 *
 * Observed NMS v4.4.3 behaviour (read in src/protocol/rtmp.js and
 * src/server/broadcast_server.js, confirmed on the wire with
 * test/support/rtmp-probe.ts in support.test.ts):
 *
 * - `releaseStream`, `FCPublish`, `FCUnpublish` (and `getStreamLength`,
 *   `closeStream`, ...) are not handled: the invoke handler only knows
 *   connect, createStream, publish, play and deleteStream (deleteStream is a
 *   no-op). Unknown commands get NO answer at all — no `_result`, no
 *   `_error`, no `onFCPublish`. A client must not wait for replies to them.
 * - `publish` is answered with `onStatus NetStream.Publish.Start` *before*
 *   the server checks anything. Then, if the stream path already has a
 *   publisher (or auth fails, or app/name do not match /^[a-zA-Z0-9_-]+$/),
 *   the server just ends the TCP connection (socket.end(): FIN) — no error
 *   status. So a refused publish looks like "Publish.Start, then EOF". The
 *   client's writes may still succeed for a while, and (bug in 4.4.3) the
 *   refused session's media packets ARE broadcast to the existing stream's
 *   players until the socket is fully closed: its onPacket callback never
 *   checks isPublisher. Measured: pushing a 5 s file as a refused second
 *   publisher, ffmpeg exited 1 ("End of file") in 2 of 3 runs but 0 in one,
 *   and ~96 of its video tags showed up in the HTTP-FLV of the first
 *   publisher. A client must treat EOF after Publish.Start as failure.
 * - Publish grace: when a publisher disconnects, NMS keeps the stream's
 *   publisher slot for 30 s (PUBLISH_GRACE_MS). A new publish of the same
 *   path from the same IP address within that window *resumes* it, and NMS
 *   shifts the new session's timestamps by the previous session's last dts so
 *   players see one continuous timeline. On loopback every client has the same
 *   address, so a reconnecting publisher always resumes. A publish from a
 *   different address takes the path over. `donePublish` fires only when the
 *   grace window ends; use the `publisherClosed` event to see the disconnect.
 *   Measured (raw HTTP-FLV, 5 s file published twice): with the default
 *   grace the second publish's frames continue at 4983 ms + their own dts,
 *   but its sequence headers are relayed unshifted at 0; with
 *   `publishGraceMs: 0` the second publish simply restarts at 0.
 * - Relaying is byte-exact for audio/video: an HTTP-FLV player attached
 *   before the publish receives every A/V tag with the publisher's
 *   timestamps and bytes. The script tag is the RTMP data message verbatim,
 *   i.e. `@setDataFrame, onMetaData, {…}` (not stripped to onMetaData).
 * - HTTP-FLV players of a path that has no publisher yet stay attached and
 *   receive the stream once it starts; they are NOT closed when the publisher
 *   leaves (captures must end on idle). A player joining late gets the FLV
 *   header, the cached onMetaData and sequence headers, then the GOP cache
 *   from the last keyframe.
 */
import { type ChildProcess } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAndWait, spawnTracked, tail } from './children.js';
import { freePort, waitForPort } from './ports.js';

/** A stream event reported by the NMS child. */
export interface NmsEvent {
  /**
   * prePublish | postPublish | publisherClosed | donePublish | postPlay | donePlay.
   * NMS also reports donePlay (streamPath undefined or the stream's) for any
   * RTMP connection that closes without publishing: port probes, refused
   * publishers. Filter by streamPath and protocol.
   */
  event: string;
  /** NMS session id. */
  id: string;
  /** 'rtmp' or 'flv'. */
  protocol: string;
  /** '/app/stream' */
  streamPath: string;
  /** On postPublish: whether NMS accepted the publisher. */
  accepted?: boolean;
}

/** Options for {@link startNodeMediaServer}. */
export interface NmsOptions {
  /**
   * Override NMS's publish grace window (default 30 000 ms) for each stream as
   * it is published. 0 ends a publish right after the publisher disconnects.
   */
  publishGraceMs?: number;
  /** Max time to wait for both ports (default 15 s). */
  startTimeoutMs?: number;
}

/** A running node-media-server started by {@link startNodeMediaServer}. */
export interface Nms {
  readonly rtmpPort: number;
  readonly httpPort: number;
  /** `rtmp://127.0.0.1:<rtmpPort>/<app>/<stream>` */
  url(app: string, stream: string): string;
  /** HTTP-FLV playback URL `http://127.0.0.1:<httpPort>/<app>/<stream>.flv` */
  flvUrl(app: string, stream: string): string;
  /** All events reported so far, in order. */
  readonly events: readonly NmsEvent[];
  /**
   * Resolves with the first event (past or future) matching `event` and, if
   * given, `streamPath` (e.g. '/live/s1') and `protocol`; rejects after `timeoutMs`
   * (default 10 s).
   */
  waitForEvent(event: string, filter?: { streamPath?: string; protocol?: string; timeoutMs?: number }): Promise<NmsEvent>;
  /** NMS's console output so far. */
  logs(): string;
  /** Stops the child (SIGTERM, then SIGKILL) and removes its data directory. */
  stop(): Promise<void>;
}

// The package's own ingest child (src/node/ingest), so tests run the server `serve` embeds.
const CHILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'node', 'ingest', 'nms-child.ts');

/**
 * Starts node-media-server v4 in a child process with RTMP and HTTP-FLV on
 * free 127.0.0.1 ports; resolves once both ports accept TCP.
 */
export async function startNodeMediaServer(opts: NmsOptions = {}): Promise<Nms> {
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'nms-'));
  const rtmpPort = await freePort();
  let httpPort = await freePort();
  while (httpPort === rtmpPort) httpPort = await freePort();

  const config = { rtmpPort, httpPort, dataDir, publishGraceMs: opts.publishGraceMs };
  const tsx = import.meta.resolve('tsx');
  const child: ChildProcess = spawnTracked(process.execPath, ['--import', tsx, CHILD_SCRIPT, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    cwd: dataDir,
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (output += s));
  const logs = (): string => `--- node-media-server output ---\n${tail(output)}`;

  const events: NmsEvent[] = [];
  const listeners = new Set<(e: NmsEvent) => void>();
  child.on('message', (msg: { type?: string } & NmsEvent) => {
    if (msg.type !== 'event') return;
    const { type: _type, ...event } = msg;
    events.push(event);
    for (const l of listeners) l(event);
  });

  try {
    const check = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`node-media-server exited with ${child.exitCode ?? child.signalCode}`);
      }
    };
    const timeoutMs = opts.startTimeoutMs ?? 15_000;
    await waitForPort(rtmpPort, { timeoutMs, check });
    await waitForPort(httpPort, { timeoutMs, check });
  } catch (e) {
    await killAndWait(child, 'SIGKILL');
    await fsp.rm(dataDir, { recursive: true, force: true });
    throw new Error(`node-media-server failed to start: ${(e as Error).message}\n${logs()}`);
  }

  return {
    rtmpPort,
    httpPort,
    url: (app, stream) => `rtmp://127.0.0.1:${rtmpPort}/${app}/${stream}`,
    flvUrl: (app, stream) => `http://127.0.0.1:${httpPort}/${app}/${stream}.flv`,
    events,
    logs,
    waitForEvent(event, filter = {}) {
      const matches = (e: NmsEvent): boolean =>
        e.event === event &&
        (filter.streamPath === undefined || e.streamPath === filter.streamPath) &&
        (filter.protocol === undefined || e.protocol === filter.protocol);
      const found = events.find(matches);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timeoutMs = filter.timeoutMs ?? 10_000;
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`no NMS event ${event} ${JSON.stringify(filter)} within ${timeoutMs} ms\n${logs()}`));
        }, timeoutMs);
        const listener = (e: NmsEvent): void => {
          if (!matches(e)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(e);
        };
        listeners.add(listener);
      });
    },
    async stop() {
      await killAndWait(child, 'SIGTERM');
      await fsp.rm(dataDir, { recursive: true, force: true });
    },
  };
}
