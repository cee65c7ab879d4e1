/**
 * bench/rtmp: publishing a 60 s 720p ~2.5 Mbit/s file as fast as nginx-rtmp reads it, by our
 * `live-pusher push --no-realtime` and by `ffmpeg -i file -c copy -f flv`, in one run on one
 * server. Prints JSON: CPU time (user + system, whole process, from the shell's `times`), the
 * same for the tool's bare start-up (`--version`) and their difference, wall time and throughput
 * for each, medians of the rounds.
 *
 *   npx tsx bench/rtmp/publish.ts [--rounds 3]
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fixture } from '../../test/support/fixtures.js';
import { startNginxRtmp } from '../../test/support/nginx-rtmp.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Math.max(1, Number(values.rounds) || 3);

interface Sample {
  cpuMs: number;
  wallMs: number;
}

/** Runs `command` under bash and reads the children's CPU time from `times`. */
function measure(command: string[]): Promise<Sample> {
  const quoted = command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('bash', ['-c', `${quoted} >/dev/null 2>/tmp/live-pusher-bench.err || exit 1; times`], { stdio: ['ignore', 'pipe', 'inherit'] });
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
const nginx = await startNginxRtmp({ liveExtra: 'record off;' });
try {
  const tools = {
    'live-pusher': (i: number) => [process.execPath, join(root, 'bin', 'live-pusher.js'), 'push', '--no-realtime', input, nginx.url('live', `lp${i}`)],
    ffmpeg: (i: number) => ['ffmpeg', '-hide_banner', '-nostats', '-v', 'error', '-i', input, '-c', 'copy', '-f', 'flv', nginx.url('live', `ff${i}`)],
  };
  // What each tool spends before it touches a byte: Node's start-up is most of our fixed cost.
  const startup = {
    'live-pusher': [process.execPath, join(root, 'bin', 'live-pusher.js'), '--version'],
    ffmpeg: ['ffmpeg', '-hide_banner', '-version'],
  };
  const samples: Record<string, Sample[]> = { 'live-pusher': [], ffmpeg: [] };
  const startupSamples: Record<string, Sample[]> = { 'live-pusher': [], ffmpeg: [] };
  for (let i = 0; i < rounds; i++) {
    for (const [name, command] of Object.entries(tools)) samples[name]!.push(await measure(command(i)));
    for (const [name, command] of Object.entries(startup)) startupSamples[name]!.push(await measure(command));
  }
  const summary: Record<string, { cpuMs: number; startupCpuMs: number; publishCpuMs: number; wallMs: number; throughputMbps: number }> = {};
  for (const [name, s] of Object.entries(samples)) {
    const wallMs = median(s.map((x) => x.wallMs));
    const cpuMs = median(s.map((x) => x.cpuMs));
    const startupCpuMs = median(startupSamples[name]!.map((x) => x.cpuMs));
    const throughputMbps = Math.round(((bytes * 8) / 1e6 / (wallMs / 1000)) * 10) / 10;
    summary[name] = { cpuMs, startupCpuMs, publishCpuMs: cpuMs - startupCpuMs, wallMs, throughputMbps };
  }
  const ratio = (key: 'cpuMs' | 'publishCpuMs') => Math.round((summary['live-pusher']![key] / summary['ffmpeg']![key]) * 100) / 100;
  const report = {
    bench: 'rtmp-publish',
    input: { file: '720p-60s.flv', bytes, mediaSeconds: 60 },
    server: 'nginx-rtmp',
    rounds,
    ...summary,
    cpuRatioVsFfmpeg: ratio('cpuMs'),
    publishCpuRatioVsFfmpeg: ratio('publishCpuMs'),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await nginx.stop();
}
