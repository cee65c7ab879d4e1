/**
 * Child-process entry of the embedded ingest: runs node-media-server v4 with the settings given
 * as JSON in argv[2], says `{type:'ready'}` over IPC once it listens, and reports stream events
 * (`{type:'event', event, id, protocol, streamPath, accepted?}`) so the parent can follow
 * publishers. NMS keeps process-wide state, logs through console.log and exits the process when a
 * port is taken, so it gets a process of its own rather than a place inside ours.
 */
import { createRequire } from 'node:module';

interface ChildConfig {
  host?: string;
  rtmpPort: number;
  httpPort: number;
  dataDir: string;
  /** Overrides NMS's 30 s window in which a returning publisher resumes its stream. */
  publishGraceMs?: number;
}

interface NmsSession {
  id: string;
  protocol: string;
  streamPath: string;
  isPublisher: boolean;
  socket?: { once(event: 'close', cb: () => void): void };
  broadcast?: { publishGraceMs: number };
}

interface NmsInstance {
  on(event: string, cb: (session: NmsSession) => void): void;
  run(): Promise<void>;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
const NodeMediaServer = require('node-media-server') as new (config: object, configPath: string) => NmsInstance;
const cfg = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const send = (msg: object): void => {
  if (process.connected) process.send?.(msg);
};

const nms = new NodeMediaServer(
  {
    bind: cfg.host ?? '127.0.0.1',
    rtmp: { port: cfg.rtmpPort },
    http: { port: cfg.httpPort },
    store: { path: cfg.dataDir },
    record: { auto: false, path: `${cfg.dataDir}/record` },
    webadmin: { enable: false },
    notify: { url: '' },
  },
  `${cfg.dataDir}/config.json`,
);

const report = (event: string, s: NmsSession, extra: object = {}): void =>
  send({ type: 'event', event, id: s.id, protocol: s.protocol, streamPath: s.streamPath, ...extra });

for (const event of ['prePublish', 'donePublish', 'postPlay', 'donePlay']) nms.on(event, (s) => report(event, s));
// NMS emits postPublish before it checks for an existing publisher: the verdict (isPublisher)
// is known only once its handler has returned.
nms.on('postPublish', (s) => {
  if (cfg.publishGraceMs !== undefined && s.broadcast) s.broadcast.publishGraceMs = cfg.publishGraceMs;
  process.nextTick(() => {
    report('postPublish', s, { accepted: s.isPublisher === true });
    if (s.isPublisher) s.socket?.once('close', () => report('publisherClosed', s));
  });
});

process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => void nms.stop().finally(() => process.exit(0)));
await nms.run();
send({ type: 'ready' });
