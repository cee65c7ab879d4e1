/**
 * The reverb of `audio-reverb-type` (spec §1) in real headless Chromium: every type rendered
 * offline (reverb.page.ts measures there). Its decay is Schroeder's T30 of the wet output for an
 * impulse; its colour the spectral centroid; then level, full-scale input, live contexts, a live
 * switch, a refused worklet and dispose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REVERB_DESIGNS, type ReverbType } from '../../src/browser/audio/reverb.js';
import { sharedTestPage } from '../browser/harness.js';
import type { BurstMeasurement, RenderConfig, StressMeasurement, SwitchResult, WetMeasurement } from './reverb.page.js';

const tp = sharedTestPage('test/audio/reverb.page.ts');

const TYPES = Object.keys(REVERB_DESIGNS).map(Number) as ReverbType[];

/** Calls a function the page exported (markReady) with JSON-able arguments. */
function call<T>(name: string, ...args: unknown[]): Promise<T> {
  return tp().page.evaluate(
    ([n, a]) => (globalThis as unknown as Record<string, (...x: unknown[]) => T>)[n]!(...a),
    [name, args] as const,
  );
}

const wet = new Map<string, WetMeasurement>();

/** The wet impulse measurement of `type` in `config`, measured once per file. */
async function wetImpulse(type: ReverbType, config: RenderConfig): Promise<WetMeasurement> {
  const key = `${type} ${config.sampleRate} ${config.channels}`;
  if (!wet.has(key)) wet.set(key, await call<WetMeasurement>('wetImpulse', type, config));
  return wet.get(key)!;
}

for (const config of [
  { sampleRate: 48_000, channels: 2 },
  { sampleRate: 16_000, channels: 1 },
] as const) {
  test(`${config.sampleRate} Hz, ${config.channels === 2 ? 'stereo' : 'mono'}: each type's wet decay (T30) is its designed RT60 within 20 %`, async () => {
    const report: string[] = [];
    for (const type of TYPES) {
      const { t30, t20, outputChannels } = await wetImpulse(type, config);
      const design = REVERB_DESIGNS[type];
      report.push(`${design.name}: T30 ${t30.toFixed(2)} s, T20 ${t20.toFixed(2)} s, designed ${design.decaySeconds} s`);
      assert.equal(outputChannels, config.channels);
      assert.ok(Math.abs(t30 / design.decaySeconds - 1) <= 0.2, report.join('\n'));
      assert.ok(Math.abs(t20 / design.decaySeconds - 1) <= 0.2, report.join('\n'));
    }
    console.log(report.join('\n'));
  });
}

test('the types differ: every pair by at least 15 % in decay or 25 % in spectral centroid; deep is the darkest', async () => {
  const config = { sampleRate: 48_000, channels: 2 } as const;
  const measured = await Promise.all(TYPES.map(async (type) => ({ name: REVERB_DESIGNS[type].name, ...(await wetImpulse(type, config)) })));
  for (let i = 0; i < measured.length; i++)
    for (let j = i + 1; j < measured.length; j++) {
      const a = measured[i]!;
      const b = measured[j]!;
      const decay = Math.abs(Math.log(a.t30 / b.t30));
      const colour = Math.abs(Math.log(a.centroidHz / b.centroidHz));
      assert.ok(
        decay >= Math.log(1.15) || colour >= Math.log(1.25),
        `${a.name} (${a.t30.toFixed(2)} s, ${a.centroidHz.toFixed(0)} Hz) vs ${b.name} (${b.t30.toFixed(2)} s, ${b.centroidHz.toFixed(0)} Hz)`,
      );
    }
  const darkest = measured.reduce((x, y) => (y.centroidHz < x.centroidHz ? y : x));
  assert.equal(darkest.name, 'deep');
});

test('every type differs from dry: a noise burst rings on after it stops; its level stays within 6 dB', async () => {
  const dry = await call<BurstMeasurement>('burst', 0);
  assert.ok(dry.tailDb < -200, `dry tail ${dry.tailDb} dB`);
  for (const type of TYPES) {
    const { levelDb, tailDb } = await call<BurstMeasurement>('burst', type);
    const name = REVERB_DESIGNS[type].name;
    assert.ok(tailDb > -30, `${name}: tail ${tailDb.toFixed(1)} dB below the burst`);
    assert.ok(Math.abs(levelDb) <= 6, `${name}: level ${levelDb.toFixed(1)} dB`);
  }
});

test('full-scale input (sweep, then noise): no NaN, no sample beyond ±1', async () => {
  for (const type of TYPES) {
    const { peak, finite } = await call<StressMeasurement>('stress', type);
    const name = REVERB_DESIGNS[type].name;
    assert.ok(finite, `${name}: non-finite output`);
    assert.ok(peak > 0.1 && peak <= 1, `${name}: peak ${peak}`);
  }
});

test('every type builds and plays in a running AudioContext at 48 and 16 kHz; dispose twice is harmless', async () => {
  const names = TYPES.map((t) => `reverb ${REVERB_DESIGNS[t].name}`);
  assert.deepEqual(await call<string[]>('live', 48_000), names);
  assert.deepEqual(await call<string[]>('live', 16_000), names);
  for (const type of TYPES) assert.equal(await call<boolean>('disposeTwice', type), true);
});

test('a live switch (small room → great hall mid-render) changes the tail, and the module is added once', async () => {
  const r = await call<SwitchResult>('switchRun', 2, 3);
  assert.ok(r.tailAfterDb > r.tailBeforeDb + 10, `tail ${r.tailBeforeDb.toFixed(1)} dB before, ${r.tailAfterDb.toFixed(1)} dB after`);
  assert.equal(r.addModuleCalls, 1);
});

test('a page that refuses the worklet module gets a clear Error, not a hang', async () => {
  assert.match(await call<string>('refused'), /^Error: reverb: the AudioWorklet module could not be loaded \(does a Content-Security-Policy refuse blob: scripts\?\)/);
});

test('an unknown type is a RangeError in the page too', async () => {
  const message = await tp().page.evaluate(async () => {
    const { createReverb } = globalThis as unknown as { createReverb(c: BaseAudioContext, t: number): Promise<unknown> };
    try {
      await createReverb(new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 16_000 }), 9);
      return 'no error';
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  });
  assert.match(message, /^RangeError: audio-reverb-type must be 1–7/);
});
