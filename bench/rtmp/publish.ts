/**
 * bench/rtmp: publishing a 60 s 720p ~2.5 Mbit/s file as fast as nginx-rtmp reads it, by our
 * `live-pusher push --no-realtime` and by `ffmpeg -i file -c copy -f flv`, in one run on one
 * server. Prints JSON: CPU time (user + system, whole process, from the shell's `times`), the
 * same for the tool's bare start-up (`--version`) and their difference, the cost per 60 s of media
 * once warm (from a 300 s copy of the file), wall time and throughput, medians of the rounds.
 *
 * Both tools run without NODE_EXTRA_CA_CERTS when the caller's environment has it (some CI and
 * sandbox images set it): Node parses that certificate file at every start-up, before any of our
 * code runs (~40 ms of CPU for the 144 certificates of Debian's bundle), and neither tool uses it
 * for rtmp://. `--keep-env` measures with the environment as it is; the JSON says which.
 *
 *   npx tsx bench/rtmp/publish.ts [--rounds 3] [--keep-env]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fixture } from '../../test/support/fixtures.js';
import { startNginxRtmp } from '../../test/support/nginx-rtmp.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, 'keep-env': { type: 'boolean', default: false } } });
const rounds = Math.max(1, Number(values.rounds) || 3);
const removedFromEnv = !values['keep-env'] && process.env['NODE_EXTRA_CA_CERTS'] !== undefined ? ['NODE_EXTRA_CA_CERTS'] : [];
const childEnv = { ...process.env };
for (const name of removedFromEnv) delete childEnv[name];

interface Sample {
  cpuMs: number;
  wallMs: number;
}

/** Runs `command` under bash and reads the children's CPU time from `times`. */
function measure(command: string[]): Promise<Sample> {
  const quoted = command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('bash', ['-c', `${quoted} >/dev/null 2>/tmp/live-pusher-bench.err || exit 1; times`], { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${command.join(' ')} failed (see /tmp/live-pusher-bench.err)`));
      // `times` prints the shell's own times, then its children's: "0m1.234s 0m0.056s".
      const line = out.trim().split('\n').at(-1) ?? '';
      const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      if (secs.length !== 2) return reject(new Error(`cannot read times output: ${out}`));
      resolve({ cpuMs: Math.round((secs[0]! + secs[1]!) * 1000), wallMs: Math.round(wallMs) });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const input = await fixture('720p-60s.flv');
const bytes = statSync(input).size;
// The same file five times over: the difference from one pass is the cost per 60 s of media
// once start-up and JIT warm-up are paid, which is what a long-running publisher spends.
const input5 = join(root, '.tmp', 'bench', '720p-300s.flv');
if (!existsSync(input5)) {
  mkdirSync(dirname(input5), { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '4', '-i', input, '-c', 'copy', `${input5}.part.flv`]);
  renameSync(`${input5}.part.flv`, input5);
}
const loadBefore = loadavg()[0]!;
const nginx = await startNginxRtmp({ liveExtra: 'record off;' });
try {
  const tools = {
    'live-pusher': (file: string, i: number) => [process.execPath, join(root, 'bin', 'live-pusher.js'), 'push', '--no-realtime', file, nginx.url('live', `lp${i}`)],
    ffmpeg: (file: string, i: number) => ['ffmpeg', '-hide_banner', '-nostats', '-v', 'error', '-i', file, '-c', 'copy', '-f', 'flv', nginx.url('live', `ff${i}`)],
  };
  // What each tool spends before it touches a byte: Node's start-up is most of our fixed cost.
  const startup = {
    'live-pusher': [process.execPath, join(root, 'bin', 'live-pusher.js'), '--version'],
    ffmpeg: ['ffmpeg', '-hide_banner', '-version'],
  };
  const samples: Record<string, Sample[]> = { 'live-pusher': [], ffmpeg: [] };
  const samples5: Record<string, Sample[]> = { 'live-pusher': [], ffmpeg: [] };
  const startupSamples: Record<string, Sample[]> = { 'live-pusher': [], ffmpeg: [] };
  for (let i = 0; i < rounds; i++) {
    for (const [name, command] of Object.entries(tools)) {
      samples[name]!.push(await measure(command(input, i)));
      samples5[name]!.push(await measure(command(input5, i)));
    }
    for (const [name, command] of Object.entries(startup)) startupSamples[name]!.push(await measure(command));
  }
  type Summary = { cpuMs: number; startupCpuMs: number; publishCpuMs: number; cpuMsPer60sAfterWarmUp: number; wallMs: number; throughputMbps: number };
  const summary: Record<string, Summary> = {};
  for (const [name, s] of Object.entries(samples)) {
    const wallMs = median(s.map((x) => x.wallMs));
    const cpuMs = median(s.map((x) => x.cpuMs));
    const cpuMs5 = median(samples5[name]!.map((x) => x.cpuMs));
    const startupCpuMs = median(startupSamples[name]!.map((x) => x.cpuMs));
    const throughputMbps = Math.round(((bytes * 8) / 1e6 / (wallMs / 1000)) * 10) / 10;
    const cpuMsPer60sAfterWarmUp = Math.round((cpuMs5 - cpuMs) / 4);
    summary[name] = { cpuMs, startupCpuMs, publishCpuMs: cpuMs - startupCpuMs, cpuMsPer60sAfterWarmUp, wallMs, throughputMbps };
  }
  const ratio = (key: 'cpuMs' | 'publishCpuMs' | 'cpuMsPer60sAfterWarmUp') =>
    Math.round((summary['live-pusher']![key] / summary['ffmpeg']![key]) * 100) / 100;
  const report = {
    bench: 'rtmp-publish',
    input: { file: '720p-60s.flv', bytes, mediaSeconds: 60 },
    server: 'nginx-rtmp',
    rounds,
    removedFromEnvironment: removedFromEnv,
    // CPU time is the figure, but a machine shared with other work still moves it (caches, clock).
    loadAverage1m: { before: Math.round(loadBefore * 100) / 100, after: Math.round(loadavg()[0]! * 100) / 100 },
    ...summary,
    cpuRatioVsFfmpeg: ratio('cpuMs'),
    publishCpuRatioVsFfmpeg: ratio('publishCpuMs'),
    steadyCpuRatioVsFfmpeg: ratio('cpuMsPer60sAfterWarmUp'),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await nginx.stop();
}
