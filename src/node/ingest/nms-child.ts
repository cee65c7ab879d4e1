/**
 * Child-process entry of the embedded ingest: runs node-media-server v4 with the ports given as
 * JSON in argv[2], and tells the parent over IPC when it listens. NMS keeps process-wide state,
 * logs through console.log and exits the process when a port is taken, so it gets a process of
 * its own rather than a place inside ours.
 */
import { createRequire } from 'node:module';

interface ChildConfig {
  host: string;
  rtmpPort: number;
  httpPort: number;
  dataDir: string;
}

interface NmsInstance {
  run(): Promise<void>;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
const NodeMediaServer = require('node-media-server') as new (config: object, configPath: string) => NmsInstance;
const cfg = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;

const nms = new NodeMediaServer(
  {
    bind: cfg.host,
    rtmp: { port: cfg.rtmpPort },
    http: { port: cfg.httpPort },
    store: { path: cfg.dataDir },
    record: { auto: false, path: `${cfg.dataDir}/record` },
    webadmin: { enable: false },
    notify: { url: '' },
  },
  `${cfg.dataDir}/config.json`,
);

process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => void nms.stop().finally(() => process.exit(0)));
await nms.run();
process.send?.({ type: 'ready' });
