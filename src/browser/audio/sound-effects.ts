/**
 * The microphone's effect chain of one push (spec §1 `voice-changer-type`, `audio-reverb-type`):
 * mic gain ─► voice changer ─► reverb ─► mix bus. The voice goes through the changer before the
 * room, as a singer's would; background music joins at the mix bus after both, untouched.
 *
 * Both switch live: a changed type builds its new stage and swaps the chain in one step, the
 * unchanged stage stays as it is. The reverb and most voice changer types run in AudioWorklets
 * whose modules load asynchronously, so a change is asynchronous; changes that overtake each other settle on the latest settings. A
 * stage that cannot run (a worklet the page refuses) is left out with one warning; the other goes
 * on.
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

/** A stage of the chain; no effect when it cannot run here (its type is then not tried again). */
interface Stage<T extends number> {
  type: T;
  effect: AudioEffect | undefined;
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
    const [voice, reverb] = await Promise.all([
      this.stage(this.voice, voiceChangerType, (type) => createVoiceChanger(this.seam.context, type), `voice-changer-type ${voiceChangerType}`),
      this.stage(this.reverb, reverbType, (type) => createReverb(this.seam.context, type, this.seam.numberOfChannels), `audio-reverb-type ${reverbType}`),
    ]);
    if (this.closed || this.wanted !== settings) {
      // Overtaken: the stages built for these settings never enter the chain.
      if (voice !== this.voice) voice?.effect?.dispose?.();
      if (reverb !== this.reverb) reverb?.effect?.dispose?.();
      return;
    }
    if (voice === this.voice && reverb === this.reverb) return;
    this.voice = voice;
    this.reverb = reverb;
    // setEffects disposes the stages that left the chain.
    this.seam.setEffects([voice?.effect, reverb?.effect].filter((e): e is AudioEffect => e !== undefined));
  }

  /**
   * The stage for `type`: the current one if it is of that type (even one that could not run: it
   * warned once already), none for 0, else a new one, without an effect (after one warning) when
   * it cannot run here.
   */
  private async stage<T extends number>(current: Stage<T> | undefined, type: 0 | T, create: (type: T) => Promise<AudioEffect>, what: string): Promise<Stage<T> | undefined> {
    if (type === 0) return undefined;
    if (current?.type === type) return current;
    try {
      return { type, effect: await create(type) };
    } catch (e) {
      this.onFailure(`${what} cannot run in this browser: ${e instanceof Error ? e.message : String(e)}`);
      return { type, effect: undefined };
    }
  }

  /** The capture disposes the stages in its chain when it closes; this only stops pending updates. */
  close(): void {
    this.closed = true;
  }
}
