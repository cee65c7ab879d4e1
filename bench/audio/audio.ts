/**
 * bench/audio: the CPU of the push's sound path per second of audio, and the voice changer's
 * added latency (issue 7: under 5 % of one core with every effect on, under 50 ms). Prints JSON.
 *
 * - `graph`: the Web Audio graph (voice-like source → mic gain → voice changer → reverb → mix bus
 *   with looping music) rendered offline in headless Chromium; an OfflineAudioContext renders on
 *   one thread as fast as it can, so render time ÷ audio time is the share of a core the graph
 *   takes live (the least of three renders: other work on a shared machine only adds to it). Each
 *   effect alone, then everything on (the costliest voice changer and reverb).
 * - `realtime`: the same all-on graph live in an AudioContext for `--seconds`, Chromium's CPU
 *   (all its processes, from /proc) against the same live graph without effects and against an
 *   idle page; `chromium` counts every thread, `audioThreads` only those that render the sound
 *   (much steadier on a shared machine). Medians of `--rounds` interleaved rounds, and each round.
 * - `encode`: what follows the graph on the main thread or the AAC worker, in Node: the 48 → 16 kHz
 *   decimator and our AAC-LC encoder, per second of audio.
 * - `voiceLatency`: per voice changer type, designed and measured (a tone burst's onset).
 *
 *   npx tsx bench/audio/audio.ts [--seconds 10] [--rounds 3]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
// @ts-expect-error scripts/bundle.mjs is plain JavaScript without declarations
import { bundleEntry } from '../../scripts/bundle.mjs';
import { AacEncoder } from '../../src/media/aac/index.js';
import { Decimator } from '../../src/media/pcm/decimator.js';
import { startStudio } from '../../src/node/studio/server.js';
import { launchChromium } from '../../test/support/chromium.js';
import type { GraphTiming, VoiceLatency } from './page.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' } } });
const SECONDS = Math.max(2, Number(values.seconds) || 10);
/** Offline renders per configuration; the fastest counts. */
const RENDERS = 3;
/** Rounds of the live measurements (each configuration once a round); more on a noisy machine. */
const LIVE_ROUNDS = Math.max(1, Math.round(Number(values.rounds)) || 3);

type BenchWindow = {
  timeGraph(voice: number, reverb: number, music: boolean, seconds: number): Promise<GraphTiming>;
  voiceLatencies(): Promise<VoiceLatency[]>;
  startLive(voice: number, reverb: number): Promise<void>;
  stopLive(): Promise<void>;
  types(): { voice: number[]; reverb: number[] };
};

/**
 * Chromium's audio threads (names as /proc shows them, cut to 15 characters): the renderer's
 * AudioWorklet thread (which renders the whole graph once a worklet exists), a ConvolverNode's
 * background thread for the long parts of its response, the output device thread, and the audio
 * service's worker. Their CPU is the graph's without the page's compositing and the browser's
 * housekeeping, whose share drifts on a loaded machine by more than the effects cost.
 */
const AUDIO_THREAD = /^(Realtime AudioW|AudioWorklet|Reverb convolut|AudioOutputDevi|AudioWorkerThre)/;

interface CpuSeconds {
  /** Every thread of the process tree. */
  all: number;
  /** Its {@link AUDIO_THREAD} threads. */
  audio: number;
}

/** User + system seconds of a thread or process, from its /proc stat line (USER_HZ 100). */
function statCpuSeconds(stat: string): { ppid: number; seconds: number; name: string } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12])) / 100, name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) };
}

/** CPU seconds of a process and its descendants, all threads and the audio threads. */
function treeCpuSeconds(root: number): CpuSeconds {
  const children = new Map<number, number[]>();
  const cpu = new Map<number, CpuSeconds>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const pid = Number(name);
      const process = statCpuSeconds(readFileSync(`/proc/${name}/stat`, 'utf8'));
      let audio = 0;
      for (const tid of readdirSync(`/proc/${name}/task`)) {
        const thread = statCpuSeconds(readFileSync(`/proc/${name}/task/${tid}/stat`, 'utf8'));
        if (AUDIO_THREAD.test(thread.name)) audio += thread.seconds;
      }
      cpu.set(pid, { all: process.seconds, audio });
      children.set(process.ppid, [...(children.get(process.ppid) ?? []), pid]);
    } catch {
      // the process ended while we looked
    }
  }
  const total: CpuSeconds = { all: 0, audio: 0 };
  const walk = (pid: number) => {
    total.all += cpu.get(pid)?.all ?? 0;
    total.audio += cpu.get(pid)?.audio ?? 0;
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return total;
}

/** Chromium's CPU seconds over `seconds`. */
async function chromiumCpu(pid: number, seconds: number): Promise<CpuSeconds> {
  const before = treeCpuSeconds(pid);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = treeCpuSeconds(pid);
  return { all: after.all - before.all, audio: after.audio - before.audio };
}

/** ms of CPU per second of audio for the decimator and the AAC encoder, in Node. */
function encodeCost(sampleRate: 48_000 | 16_000): { decimateMsPerS: number; aacMsPerS: number } {
  const seconds = 20;
  const input = Float32Array.from({ length: seconds * 48_000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 48_000) + 0.05 * Math.sin(i * 1.7));
  const decimator = new Decimator(48_000 / sampleRate, 1);
  const blocks: Float32Array[] = [];
  let t = process.cpuUsage();
  for (let at = 0; at < input.length; at += 1024) blocks.push(decimator.process([input.subarray(at, at + 1024)]).planes[0]!.slice());
  const decimate = process.cpuUsage(t);
  let frames = 0;
  const encoder = new AacEncoder({ output: () => frames++, error: (e) => { throw e; } });
  encoder.configure({ codec: 'mp4a.40.2', sampleRate, numberOfChannels: 1, bitrate: sampleRate === 48_000 ? 64_000 : 32_000 });
  t = process.cpuUsage();
  let timestamp = 0;
  for (const block of blocks) {
    encoder.encode({ timestamp, sampleRate, numberOfChannels: 1, planes: [block] });
    timestamp += (block.length / sampleRate) * 1e6;
  }
  const aac = process.cpuUsage(t);
  encoder.close();
  const perS = (u: NodeJS.CpuUsage) => Math.round(((u.user + u.system) / 1000 / seconds) * 100) / 100;
  return { decimateMsPerS: sampleRate === 48_000 ? 0 : perS(decimate), aacMsPerS: perS(aac) };
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-audio-'));
const bundle = path.join(dir, 'page.js');
await bundleEntry(path.relative(process.cwd(), path.resolve(import.meta.dirname, 'page.ts')), path.relative(process.cwd(), bundle), { sourcemap: false });
const studio = await startStudio({ allow: [] });
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(studio.url);
  await page.addScriptTag({ content: await readFile(bundle, 'utf8'), type: 'module' });
  await page.waitForFunction(() => 'timeGraph' in window);
  const bench = (fn: string, ...args: unknown[]) => page.evaluate(([f, a]) => (window as unknown as Record<string, (...x: unknown[]) => unknown>)[f as string]!(...(a as unknown[])), [fn, args] as const);
  const { voice, reverb } = (await bench('types')) as ReturnType<BenchWindow['types']>;
  // Render time is wall time: on a shared machine other work only ever adds to it, so the least
  // of a few renders is the closest to the graph's own cost.
  const timeGraph = async (voiceType: number, reverbType: number, music: boolean): Promise<GraphTiming> => {
    const runs: GraphTiming[] = [];
    for (let i = 0; i < RENDERS; i++) runs.push((await bench('timeGraph', voiceType, reverbType, music, SECONDS)) as GraphTiming);
    return runs.sort((a, b) => a.renderMs - b.renderMs)[0]!;
  };
  const graph: GraphTiming[] = [await timeGraph(0, 0, false)];
  for (const v of voice) graph.push(await timeGraph(v, 0, false));
  for (const r of reverb) graph.push(await timeGraph(0, r, false));
  const costliest = (kind: 'voice' | 'reverb') =>
    Number(graph.filter((g) => g.config.startsWith(kind)).sort((a, b) => b.renderMs - a.renderMs)[0]!.config.split(' ')[1]);
  const allOn = await timeGraph(costliest('voice'), costliest('reverb'), true);
  graph.push(allOn);
  const voiceLatency = (await bench('voiceLatencies')) as VoiceLatency[];

  // Live: Chromium runs as this process's children, so the tree's CPU over a while is the page's.
  // The all-on graph against the same graph without effects (what the effects add) and against
  // an idle page (what running any sound graph live costs: the audio thread, the output device).
  const liveCpu = async (voiceType: number, reverbType: number) => {
    await bench('startLive', voiceType, reverbType);
    await page.waitForTimeout(1000);
    const cpu = await chromiumCpu(process.pid, SECONDS);
    await bench('stopLive');
    return cpu;
  };
  // Interleaved rounds, medians: the machine's other work drifts over a run.
  const configs = { allOn: [costliest('voice'), costliest('reverb')], voiceOnly: [costliest('voice'), 0], reverbOnly: [0, costliest('reverb')], plain: [0, 0] } as const;
  const samples: Record<keyof typeof configs | 'idle', CpuSeconds[]> = { allOn: [], voiceOnly: [], reverbOnly: [], plain: [], idle: [] };
  for (let round = 0; round < LIVE_ROUNDS; round++) {
    for (const [name, [v, r]] of Object.entries(configs)) samples[name as keyof typeof configs].push(await liveCpu(v, r));
    await page.waitForTimeout(1000);
    samples.idle.push(await chromiumCpu(process.pid, SECONDS));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const percent = (cpuS: number) => Math.round((cpuS / SECONDS) * 1000) / 10;
  const round = (cpuS: number) => Math.round(cpuS * 100) / 100;
  /** The live figures from one measure (all of Chromium, or its audio threads). */
  const figures = (measure: keyof CpuSeconds) => {
    const of = (config: keyof typeof samples) => samples[config].map((s) => s[measure]);
    const [liveCpuS, voiceOnlyCpuS, reverbOnlyCpuS, plainCpuS, idleCpuS] = (['allOn', 'voiceOnly', 'reverbOnly', 'plain', 'idle'] as const).map((c) => median(of(c))) as [number, number, number, number, number];
    return {
      cpuS: round(liveCpuS),
      withoutEffectsCpuS: round(plainCpuS),
      idleCpuS: round(idleCpuS),
      effectsCorePercent: percent(liveCpuS - plainCpuS),
      voiceChangerCorePercent: percent(voiceOnlyCpuS - plainCpuS),
      reverbCorePercent: percent(reverbOnlyCpuS - plainCpuS),
      overIdleCorePercent: percent(liveCpuS - idleCpuS),
      // Each round's own figures (that round's configuration against that round's plain graph):
      // the target holds only if it holds in every round, not just in the median.
      rounds: of('plain').map((plain, r) => ({
        effectsCorePercent: percent(of('allOn')[r]! - plain),
        voiceChangerCorePercent: percent(of('voiceOnly')[r]! - plain),
        reverbCorePercent: percent(of('reverbOnly')[r]! - plain),
      })),
    };
  };
  const realtime = { config: allOn.config, seconds: SECONDS, rounds: LIVE_ROUNDS, chromium: figures('all'), audioThreads: figures('audio') };

  const encode = { high48k: encodeCost(48_000), low16k: encodeCost(16_000) };
  const worstEncodeMsPerS = Math.max(encode.high48k.aacMsPerS, encode.low16k.aacMsPerS + encode.low16k.decimateMsPerS);
  const report = {
    bench: 'audio',
    host: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100) },
    seconds: SECONDS,
    graph,
    realtime,
    encode,
    voiceLatency,
    summary: {
      allOnConfig: allOn.config,
      // The figure: the sound graph with every effect on (offline render time per audio
      // time); the live figures and the encoder after it are reported beside it.
      graphCorePercent: allOn.corePercent,
      liveEffectsCorePercent: realtime.chromium.effectsCorePercent,
      worstRoundLiveEffectsCorePercent: Math.max(...realtime.chromium.rounds.map((r) => r.effectsCorePercent)),
      liveAudioThreadsEffectsCorePercent: realtime.audioThreads.effectsCorePercent,
      worstRoundLiveAudioThreadsEffectsCorePercent: Math.max(...realtime.audioThreads.rounds.map((r) => r.effectsCorePercent)),
      encodeCorePercent: Math.round(worstEncodeMsPerS) / 10,
      targetCorePercent: 5,
      maxVoiceLatencyMs: Math.max(...voiceLatency.map((v) => v.measuredMs)),
      targetLatencyMs: 50,
    },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await browser.close();
  await studio.close();
  await rm(dir, { recursive: true, force: true });
}
