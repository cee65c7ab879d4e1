/**
 * bench/effects: milliseconds per frame of the picture stage (scale/crop, then face-thinness and
 * eye-bigness 1, beauty 9 smooth, whiteness 9, the `romantic` look and an applyFilter table at
 * alpha 0.5) at 360×640 and 1280×720, all effects off, each alone, and all on, in headless
 * Chromium with software WebGL (SwiftShader, as on this machine): on the GPU route (WebGL2), and
 * at 1280×720, where the test picture is the pushed size, also on the CPU route (the picture pass
 * over the frame's I420, `yuv-picture.ts`), the one the element takes under software WebGL. First, the face landmark
 * worker's milliseconds per detection on a face photo (the test fixture), with the detector and
 * tracking with the landmark net alone (and the same in a 1280×720 frame, `landscape`), and
 * searching the fake camera's picture (no face), on each
 * tfjs backend it may run on here (wasm, its choice, and cpu, the fallback), one after the other;
 * the landmarks drive the face warp's timing. Each figure includes the wait for the frame to finish (a 1-pixel read
 * back), so it is the stage's share of a frame's budget (66.7 ms at 15 fps, 33.3 ms at 30 fps).
 * The sets are timed in interleaved rounds and reported as medians, so that the shared machine's
 * bursts of load hit them alike.
 * Then the sustained pushed frame rate with every effect on (beauty 9, whiteness 9, romantic,
 * face-thinness and eye-bigness 1: the landmark worker runs, though the fake camera shows no
 * face, so the detector searches for one; at 1280×720@30 also on the face photo, where the worker
 * tracks the face and the warp works), at 1280×720@30 with face-thinness alone (the landmark
 * worker's share: its searches, and the stage's crop) and with none for reference: the
 * element pushes the fake camera for 8 s to nginx-rtmp, and the recording's video packets after
 * the first second give the fps (target: 15 at 360×640@15, ≥ 25 at 1280×720@30).
 * Prints JSON.
 *
 *   npx tsx bench/effects/effects.ts [--frames 60] [--stage-only | --push-only] [--size 1280x720] [--sets off,on]
 *
 * `--size` and `--sets` time one size and some of the sets (quicker, to compare a change).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error scripts/bundle.mjs is plain JavaScript without declarations
import { bundleEntry } from '../../scripts/bundle.mjs';
import { startStudio } from '../../src/node/studio/server.js';
import { launchChromium } from '../../test/support/chromium.js';
import { fixture } from '../../test/support/fixtures.js';
import { probePackets } from '../../test/support/ffprobe.js';
import { startNginxRtmp } from '../../test/support/nginx-rtmp.js';
import type { closeStages, Effects, prepareStages, runStage, StageTiming, timeLandmarks, timeSearch } from './page.js';
import { timeSegmentation } from './segmentation.js';

interface StagePage {
  prepareStages: typeof prepareStages;
  runStage: typeof runStage;
  closeStages: typeof closeStages;
  timeLandmarks: typeof timeLandmarks;
  timeSearch: typeof timeSearch;
}

const arg = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const FRAMES = Number(arg('--frames') ?? 60);
const SIZES = (arg('--size')?.split(',') ?? ['360x640', '1280x720']).map((s) => s.split('x').map(Number) as [number, number]);
const SETS = (arg('--sets')?.split(',') ?? ['off', 'face', 'beauty', 'whiteness', 'filter', 'applyFilter', 'pushed', 'on']) as Effects[];
/** Frames per set in each interleaved round. */
const ROUND = 10;
const STAGE = !process.argv.includes('--push-only');
const PUSH = !process.argv.includes('--stage-only');
/** Every effect on, as the bench's pushes set them. */
const ALL_EFFECTS = { beauty: '9', whiteness: '9', filter: 'romantic', 'custom-effect': '', 'face-thinness': '1', 'eye-bigness': '1' };
const PUSH_MS = 8000;
const HD = { mode: 'FHD', orientation: 'horizontal', fps: '30' };

const round = (x: number): number => Math.round(x * 100) / 100;

/**
 * CPU milliseconds used so far by this process's live descendants (Chromium's browser, GPU,
 * renderer and utility processes; nginx), by kind: Chromium's `--type` (and utility sub-type),
 * else the command's name.
 */
function cpuMsByProcess(): Record<string, number> {
  const procs = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after "pid (comm) ": state ppid … utime (14th field) stime (15th), in clock ticks.
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return [{ pid: Number(pid), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), stat }];
      } catch {
        return []; // gone meanwhile
      }
    });
  const ours = new Set([process.pid]);
  const byKind: Record<string, number> = {};
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs)
      if (!ours.has(p.pid) && ours.has(p.ppid)) {
        ours.add(p.pid);
        grew = true;
        let kind = p.stat.slice(p.stat.indexOf('(') + 1, p.stat.lastIndexOf(')'));
        try {
          // Chromium rewrites its children's command lines into one space-separated string.
          const args = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8');
          const type = /--type=(\S+)/.exec(args)?.[1];
          const sub = /--utility-sub-type=(\S+)/.exec(args)?.[1];
          if (type) kind = sub ? `${type} ${sub}` : type;
          else if (args.includes('chromium')) kind = 'browser';
        } catch {
          // gone meanwhile: its name will do
        }
        byKind[kind] = (byKind[kind] ?? 0) + p.ticks * 10; // USER_HZ is 100 on Linux
      }
  }
  return byKind;
}

const browserCpuMs = (): number => Object.values(cpuMsByProcess()).reduce((a, b) => a + b, 0);

const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-effects-'));
const bundle = path.join(dir, 'page.js');
await bundleEntry(path.relative(process.cwd(), path.resolve(import.meta.dirname, 'page.ts')), path.relative(process.cwd(), bundle), { sourcemap: false });
const nginx = await startNginxRtmp();
const studio = await startStudio({ allow: ['rtmp://127.0.0.1:*'] });
// The fake camera at 30 fps (Chromium's default is 20), or 1280×720@30 could not reach its rate.
const browser = await launchChromium({ cameraFps: 30 });
try {
  const page = await browser.newPage();
  // The studio's origin is http://127.0.0.1: a secure context, where VideoFrame exists.
  await page.goto(studio.url);
  await page.addScriptTag({ content: await readFile(bundle, 'utf8'), type: 'module' });
  await page.waitForFunction(() => 'runStage' in window);
  const face = `data:image/png;base64,${(await readFile(await fixture('face-360x640.png'))).toString('base64')}`;
  // The landmarks drive the face warp of the sets that have it; the masks are timed with the full list.
  const landmarks =
    STAGE &&
    (SETS.includes('face') || SETS.includes('on')) &&
    (await page.evaluate(
      async ([url, n]) => {
        const bench = window as unknown as StagePage;
        const byBackend = [];
        // The JavaScript backend first, so that the worker's own choice leaves its landmarks for the warp.
        for (const backend of ['cpu', 'wasm'] as const)
          byBackend.push({ ...(await bench.timeLandmarks(url, n, backend)), landscape: await bench.timeLandmarks(url, n / 2, backend, true), search: await bench.timeSearch(8, backend) });
        return byBackend;
      },
      [face, 28] as const,
    ));
  const segmentation = STAGE && !arg('--sets') && (await timeSegmentation(page, face, 20));
  const results: StageTiming[] = [];
  const stages = (STAGE ? SIZES : []).flatMap(([width, height]) => (width === 1280 && height === 720 ? (['gpu', 'cpu'] as const) : (['gpu'] as const)).map((route) => [width, height, route] as const));
  for (const [width, height, route] of stages) {
    // Without a pass there is no CPU route (the element then sends the camera's frame as it is).
    const effects = route === 'cpu' ? SETS.filter((e) => e !== 'off') : SETS;
    await page.evaluate(([w, h, e, r]) => (window as unknown as StagePage).prepareStages(w, h, e, r, 10), [width, height, effects, route] as const);
    const wall: number[][] = effects.map(() => []);
    const cpu = effects.map(() => 0);
    // Interleaved rounds of a few frames each, so that a burst of load elsewhere hits every set alike.
    for (let done = 0; done < FRAMES; done += ROUND)
      for (const k of effects.keys()) {
        const before = browserCpuMs();
        wall[k]!.push(...(await page.evaluate(([i, n]) => (window as unknown as StagePage).runStage(i, n), [k, ROUND] as const)));
        cpu[k]! += browserCpuMs() - before;
      }
    await page.evaluate(() => (window as unknown as StagePage).closeStages());
    for (const [k, e] of effects.entries()) {
      const list = wall[k]!.sort((a, b) => a - b);
      const at = (q: number) => round(list[Math.floor(list.length * q)]!);
      results.push({ width, height, effects: e, route, frames: list.length, msPerFrame: at(0.5), p95Ms: at(0.95), cpuMsPerFrame: round(cpu[k]! / list.length) });
    }
  }
  /**
   * fps of the recording, and the CPU ms per pushed frame of each kind of process while it pushed
   * (the largest first). `source`: the fake camera (no face: the landmark worker searches), or the
   * face photo centred in a 1280×720 canvas repainted 30 times a second (the worker tracks a face).
   */
  const pushed: { config: string; effects: 'all' | 'face-thinness' | 'off'; source: 'camera' | 'face photo'; fps: number; cpuMsPerFrame: Record<string, number> }[] = [];
  const pushes = [
    ['360x640@15', 'all', ALL_EFFECTS, 'camera'],
    ['1280x720@30', 'all', { ...ALL_EFFECTS, ...HD }, 'camera'],
    ['1280x720@30', 'all', { ...ALL_EFFECTS, ...HD }, 'face photo'],
    ['1280x720@30', 'face-thinness', { 'custom-effect': '', 'face-thinness': '1', ...HD }, 'camera'],
    ['1280x720@30', 'off', HD, 'camera'],
  ] as const;
  for (const [config, effects, attrs, source] of PUSH ? pushes : []) {
    const stream = `fx-${pushed.length}`;
    const p = await browser.newPage();
    await p.goto(studio.url);
    await p.evaluate(
      async ([url, extra, picture]) => {
        const el = document.createElement('live-pusher') as HTMLElement & { captureSource?: unknown };
        el.id = 'bench'; // the studio page has its own (idle) pusher too
        if (picture) {
          const image = await createImageBitmap(await (await fetch(picture)).blob());
          const canvas = document.createElement('canvas');
          [canvas.width, canvas.height] = [1280, 720];
          const g = canvas.getContext('2d')!;
          const width = (image.width * canvas.height) / image.height;
          // Repainted on a timer: captureStream only sends a frame when the canvas changed.
          setInterval(() => g.drawImage(image, (canvas.width - width) / 2, 0, width, canvas.height), 1000 / 30);
          el.captureSource = async (c: MediaStreamConstraints) => {
            const media = new MediaStream(canvas.captureStream(30).getVideoTracks());
            if (c.audio) for (const t of (await navigator.mediaDevices.getUserMedia({ audio: c.audio })).getAudioTracks()) media.addTrack(t);
            return media;
          };
        }
        for (const [k, v] of Object.entries({ url, autopush: '', ...extra })) el.setAttribute(k, v);
        document.body.append(el);
      },
      [nginx.url('live', stream), attrs as Record<string, string>, source === 'face photo' ? face : ''] as const,
    );
    await p.waitForFunction(() => document.getElementById('bench')?.getAttribute('state') === 'pushing', undefined, { timeout: 20_000 });
    const before = cpuMsByProcess();
    await p.waitForTimeout(PUSH_MS);
    const after = cpuMsByProcess();
    await p.close();
    const video = (await probePackets(await nginx.waitForRecording(stream))).filter((k) => k.codecType === 'video' && k.dtsMs! >= 1000);
    const span = (video.at(-1)!.dtsMs! - video[0]!.dtsMs!) / 1000;
    const fps = Math.round(((video.length - 1) / span) * 10) / 10;
    const frames = (fps * PUSH_MS) / 1000;
    const cpu = Object.entries(after)
      .map(([kind, ms]) => [kind, round((ms - (before[kind] ?? 0)) / frames)] as const)
      .filter(([, ms]) => ms > 0)
      .sort((a, b) => b[1] - a[1]);
    pushed.push({ config, effects, source, fps, cpuMsPerFrame: Object.fromEntries(cpu) });
  }
  const info = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100), renderer: 'SwiftShader (--disable-gpu)' };
  process.stdout.write(`${JSON.stringify({ bench: 'effects', host: info, frames: FRAMES, landmarks, segmentation, results, pushed }, null, 2)}\n`);
} finally {
  await browser.close();
  await studio.close();
  await nginx.stop();
  await rm(dir, { recursive: true, force: true });
}
