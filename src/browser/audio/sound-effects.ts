/**
 * The microphone's effect chain of one push (spec §1 `voice-changer-type`, `audio-reverb-type`):
 * mic gain ─► voice changer ─► reverb ─► mix bus. The voice goes through the changer before the
 * room, as a singer's would; background music joins at the mix bus after both, untouched.
 *
 * Both switch live: a changed type builds its new stage and swaps the chain in one step, the
 * unchanged stage stays as it is. The voice changer loads an AudioWorklet module, so a change is
 * asynchronous; changes that overtake each other settle on the latest settings.
 */
import type { AudioEffect } from '../media/audio-capture.js';
import { createReverb, type ReverbType } from './reverb.js';
import { createVoiceChanger, type VoiceChangerType } from './voice-changer.js';

export interface SoundEffectSettings {
  /** `audio-reverb-type`: 0 off. */
  reverbType: 0 | ReverbType;
  /** `voice-changer-type`: 0 off. */
  voiceChangerType: 0 | VoiceChangerType;
}

export const NO_SOUND_EFFECTS: SoundEffectSettings = Object.freeze({ reverbType: 0, voiceChangerType: 0 });

/** What the chain is built into: the capture graph's context and its effect seam. */
export interface EffectSeam {
  readonly context: BaseAudioContext;
  /** Channels the chain carries to the encoder. */
  readonly numberOfChannels: 1 | 2;
  setEffects(effects: readonly AudioEffect[]): void;
}

interface Stage<T extends number> {
  type: T;
  effect: AudioEffect;
}

export class SoundEffects {
  private voice: Stage<VoiceChangerType> | undefined;
  private reverb: Stage<ReverbType> | undefined;
  /** The settings of the latest update; an update that finds newer ones gives way. */
  private wanted: SoundEffectSettings = NO_SOUND_EFFECTS;
  private closed = false;

  /** `onFailure`: a stage that cannot run (a worklet the page refuses); the rest goes on. */
  constructor(
    private readonly seam: EffectSeam,
    private readonly onFailure: (message: string) => void,
  ) {}

  async update(settings: SoundEffectSettings): Promise<void> {
    this.wanted = settings;
    const { voiceChangerType, reverbType } = settings;
    let voice = this.voice?.type === voiceChangerType ? this.voice : undefined;
    if (voiceChangerType !== 0 && !voice) {
      try {
        voice = { type: voiceChangerType, effect: await createVoiceChanger(this.seam.context, voiceChangerType) };
      } catch (e) {
        this.onFailure(`voice-changer-type ${voiceChangerType} cannot run in this browser: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (this.closed || this.wanted !== settings) {
        voice?.effect.dispose?.();
        return;
      }
    }
    const reverb = this.reverb?.type === reverbType ? this.reverb : reverbType === 0 ? undefined : { type: reverbType, effect: createReverb(this.seam.context, reverbType, this.seam.numberOfChannels) };
    if (voice === this.voice && reverb === this.reverb) return;
    this.voice = voice;
    this.reverb = reverb;
    // setEffects disposes the stages that left the chain.
    this.seam.setEffects([voice?.effect, reverb?.effect].filter((e): e is AudioEffect => e !== undefined));
  }

  /** The capture disposes the stages in its chain when it closes; this only stops pending updates. */
  close(): void {
    this.closed = true;
  }
}
