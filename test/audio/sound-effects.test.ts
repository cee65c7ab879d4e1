/**
 * The microphone's effect chain (sound-effects.ts) in real headless Chromium: both stages built
 * and switched live, and the failure path of issue 7: a worklet module the page refuses leaves
 * that stage out with one warning, and the rest goes on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedTestPage } from '../browser/harness.js';
import type { EffectsRun, Refusal } from './sound-effects.page.js';
import type { SoundEffectSettings } from '../../src/browser/audio/sound-effects.js';

const tp = sharedTestPage('test/audio/sound-effects.page.ts');

function run(refuse: Refusal, settings: SoundEffectSettings[]): Promise<EffectsRun> {
  return tp().page.evaluate(([r, s]) => (globalThis as unknown as { run(r: Refusal, s: SoundEffectSettings[]): Promise<EffectsRun> }).run(r, s), [refuse, settings] as const);
}

const LOLI_HALL: SoundEffectSettings = { voiceChangerType: 2, reverbType: 3 };
const LOLI_ROOM: SoundEffectSettings = { voiceChangerType: 2, reverbType: 2 };

test('both stages in order, voice first; a changed reverb swaps only the reverb; off empties the chain', async () => {
  const r = await run('none', [LOLI_HALL, LOLI_ROOM, { voiceChangerType: 0, reverbType: 0 }]);
  assert.deepEqual(r.chains, [['voice-changer-type 2 (loli)', 'reverb great hall'], ['voice-changer-type 2 (loli)', 'reverb small room'], []]);
  assert.deepEqual(r.warnings, []);
});

test('a refused reverb module: one warning (not again while its type stays), the voice changer runs and switches', async () => {
  const r = await run('reverb', [LOLI_HALL, { voiceChangerType: 3, reverbType: 3 }]);
  assert.deepEqual(r.chains, [['voice-changer-type 2 (loli)'], ['voice-changer-type 3 (uncle)']]);
  assert.equal(r.warnings.length, 1, r.warnings.join('\n'));
  assert.match(r.warnings[0]!, /^audio-reverb-type 3 cannot run in this browser: reverb: the AudioWorklet module could not be loaded/);
});

test('every module refused: one warning per stage, an empty chain, no rejection', async () => {
  const r = await run('all', [LOLI_HALL]);
  assert.deepEqual(r.chains, [[]]);
  assert.equal(r.warnings.length, 2, r.warnings.join('\n'));
  assert.match(r.warnings.join('\n'), /voice-changer-type 2 cannot run in this browser: voice changer: the AudioWorklet module could not be loaded/);
  assert.match(r.warnings.join('\n'), /audio-reverb-type 3 cannot run in this browser: reverb: the AudioWorklet module could not be loaded/);
});
