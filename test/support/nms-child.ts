/**
 * Child-process entry for test/support/node-media-server.ts: runs
 * node-media-server v4 on the ports given in argv[2] (JSON) and reports stream
 * events to the parent over IPC. Not a test module; started with
 * `node --import tsx nms-child.ts '<json>'`.
 */
import { createRequire } from 'node:module';

interface ChildConfig {
  rtmpPort: number;
  httpPort: number;
  dataDir: string;
  publishGraceMs?: number;
}

interface NmsSession {
  id: string;
  ip: string;
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
    bind: '127.0.0.1',
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

for (const event of ['prePublish', 'donePublish', 'postPlay', 'donePlay']) {
  nms.on(event, (s) => report(event, s));
}
// NMS emits postPublish *before* it checks for an existing publisher, so the
// verdict is only known once onPush has returned (it sets isPublisher).
nms.on('postPublish', (s) => {
  if (cfg.publishGraceMs !== undefined && s.broadcast) s.broadcast.publishGraceMs = cfg.publishGraceMs;
  process.nextTick(() => {
    report('postPublish', s, { accepted: s.isPublisher === true });
    if (s.isPublisher) s.socket?.once('close', () => report('publisherClosed', s));
  });
});

process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  void nms.stop().finally(() => process.exit(0));
});
void nms.run();
