/**
 * bench/gateway: one gateway process relaying N parallel publishers to nginx-rtmp. Each publisher
 * is an `RtmpPublisher` over a `TunnelTransport` (the browser's code path) sending the 60 s 720p
 * ~2.5 Mbit/s fixture as fast as the tunnel takes it. Prints JSON: relayed throughput, the
 * gateway process's CPU (user + system from /proc, start-up excluded), CPU per Mbit relayed, and
 * the streams of 2.5 Mbit/s one core would carry at that cost (DESIGN.md: "one gateway process
 * carries thousands of streams"). Medians of the rounds. Linux only (/proc).
 *
 * With `--realtime`, each publisher is paced by the file's timestamps for `--seconds` of media,
 * as a camera would be: many small writes, the gateway's per-frame cost included.
 *
 *   npx tsx bench/gateway/throughput.ts [--publishers 8] [--rounds 3] [--realtime --seconds 10]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket as WsWebSocket } from 'ws';
import type { FlvTag } from '../../src/media/flv/tag.js';
import { openMediaFile } from '../../src/node/sources/open-media-file.js';
import { RtmpPublisher } from '../../src/rtmp/publisher.js';
import { TunnelTransport } from '../../src/transport/tunnel.js';
import { spawnTracked, killAndWait } from '../../test/support/children.js';
import { fixture } from '../../test/support/fixtures.js';
import { startNginxRtmp } from '../../test/support/nginx-rtmp.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const { values } = parseArgs({
  options: {
    publishers: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    realtime: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '10' },
  },
});
const realtime = values.realtime;
const seconds = Math.max(1, Number(values.seconds) || 10);
const publishers = Math.max(1, Number(values.publishers) || 8);
const rounds = Math.max(1, Number(values.rounds) || 3);
const WebSocket = WsWebSocket as unknown as typeof globalThis.WebSocket;

/** CPU ms (user + system) a process has used so far, from /proc/<pid>/stat. */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

async function publishAll(gateway: string, url: (i: number) => string, tags: FlvTag[]): Promise<number> {
  let bytes = 0;
  await Promise.all(
    Array.from({ length: publishers }, async (_, i) => {
      const publisher = new RtmpPublisher({ url: url(i), transport: new TunnelTransport({ gateway, WebSocket }) });
      await publisher.start();
      const t0 = performance.now() + i * 7; // staggered, as independent cameras would be
      for (const tag of tags) {
        if (realtime) {
          const wait = t0 + tag.timestamp - performance.now();
          if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        }
        if (!publisher.sendTag(tag)) await publisher.waitForDrain();
      }
      await publisher.stop();
      bytes += publisher.bytesSent;
    }),
  );
  return bytes;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const input = await fixture('720p-60s.flv');
const tags: FlvTag[] = [];
for await (const tag of (await openMediaFile(input)).tags()) if (!realtime || tag.timestamp < seconds * 1000) tags.push(tag);

const nginx = await startNginxRtmp({ liveExtra: 'record off;' });
const child = spawnTracked(
  process.execPath,
  ['--import', 'tsx', '-e', `import('./src/node/cli/gateway.ts').then(m => m.runGateway(process.argv.slice(1))).then(c => process.exit(c))`,
    '--', '--port', '0', '--quiet', '--allow', `rtmp://127.0.0.1:${nginx.port}`],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
);
try {
  const gateway = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}`)));
  });
  await publishAll(gateway, (i) => nginx.url('live', `warm${i}`), realtime ? tags.slice(0, 60) : tags.slice(0, 300)); // JIT warm-up, not measured
  const samples: { wallMs: number; cpuMs: number; bytes: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    const cpu0 = cpuMsOf(child.pid!);
    const t0 = performance.now();
    const bytes = await publishAll(gateway, (i) => nginx.url('live', `r${r}p${i}`), tags);
    samples.push({ wallMs: performance.now() - t0, cpuMs: cpuMsOf(child.pid!) - cpu0, bytes });
  }
  const wallMs = median(samples.map((s) => s.wallMs));
  const cpuMs = median(samples.map((s) => s.cpuMs));
  const mbit = median(samples.map((s) => s.bytes)) * 8 / 1e6;
  const throughputMbps = mbit / (wallMs / 1000);
  const cpuMsPerMbit = cpuMs / mbit;
  const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
  process.stdout.write(`${JSON.stringify({
    bench: 'gateway-throughput',
    input: { file: '720p-60s.flv', mediaSeconds: 60, bitrateMbps: 2.5 },
    server: 'nginx-rtmp',
    mode: realtime ? `realtime, ${seconds} s of media` : 'as fast as the tunnel takes it',
    publishers,
    rounds,
    relayedMbitPerRound: round(mbit),
    wallMs: Math.round(wallMs),
    throughputMbps: round(throughputMbps),
    gatewayCpuMs: Math.round(cpuMs),
    gatewayCoreUse: round(cpuMs / wallMs, 2),
    gatewayCpuMsPerMbit: round(cpuMsPerMbit, 2),
    // A core is 1000 CPU ms per second; a 2.5 Mbit/s stream costs 2.5 × cpuMsPerMbit of them.
    streamsPerCoreAt2500kbps: Math.floor(1000 / (2.5 * cpuMsPerMbit)),
  }, null, 2)}\n`);
} finally {
  await killAndWait(child);
  await nginx.stop();
}
