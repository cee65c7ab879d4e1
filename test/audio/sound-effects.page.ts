/**
 * The in-page half of sound-effects.test.ts: SoundEffects over a real context whose AudioWorklet
 * may refuse some modules (as a Content-Security-Policy without blob: in script-src does), with a
 * seam that records each chain it is given.
 */
import { SoundEffects, type SoundEffectSettings } from '../../src/browser/audio/sound-effects.js';
import { REVERB_PROCESSOR } from '../../src/browser/audio/reverb-worklet.js';
import { VOICE_SHIFTER_PROCESSOR } from '../../src/browser/audio/voice-changer-worklet.js';
import { markReady } from '../browser/page-support.js';

export interface EffectsRun {
  /** The stage names of each chain set, in order. */
  chains: string[][];
  warnings: string[];
}

/** Which modules the page refuses, by the processor they register. */
export type Refusal = 'none' | 'reverb' | 'all';

/** Applies each of `settings` in turn; the context's worklet refuses what `refuse` says. */
async function run(refuse: Refusal, settings: SoundEffectSettings[]): Promise<EffectsRun> {
  const context = new OfflineAudioContext({ numberOfChannels: 1, length: 48_000, sampleRate: 48_000 });
  const worklet = context.audioWorklet;
  const addModule = worklet.addModule.bind(worklet);
  worklet.addModule = async (url, options) => {
    const source = await (await fetch(url)).text();
    const refused = refuse === 'all' || (refuse === 'reverb' && source.includes(REVERB_PROCESSOR) && !source.includes(VOICE_SHIFTER_PROCESSOR));
    if (refused) throw new DOMException('Refused to load the script because it violates the Content Security Policy', 'AbortError');
    return addModule(url, options);
  };
  const chains: string[][] = [];
  const warnings: string[] = [];
  const effects = new SoundEffects({ context, numberOfChannels: 1, setEffects: (stages) => chains.push(stages.map((s) => s.name)) }, (m) => warnings.push(m));
  for (const s of settings) await effects.update(s);
  effects.close();
  return { chains, warnings };
}

markReady({ run });
