/**
 * The sound side of a push: microphone → Web Audio graph (mic gain, effect seam, mix bus) at
 * 48 kHz → decimator (audio-quality low: 16 kHz) → AAC → FLV audio tags. Muting (enable-mic,
 * muted, pause) zeroes the mic gain rather than stopping anything, so the AAC stream stays
 * continuous and players never see a gap (spec §1 enable-mic: toggled without renegotiating the
 * stream).
 *
 * The graph always runs at {@link GRAPH_RATE} so that audio-quality can change during a push with
 * only the encoder replaced (spec §1 audio-quality, issue 7): the microphone, the music and the
 * effects carry on, and the new AudioSpecificConfig goes out as a new sequence header.
 */
import type { LivePusherError } from '../core/codes.js';
import type { AudioSettings } from '../core/modes.js';
import type { FlvTag } from '../media/flv/tag.js';
import { BackgroundMusic, type BgmEvents, type PlayOptions } from './audio/bgm.js';
import { SoundEffects, type SoundEffectSettings } from './audio/sound-effects.js';
import { AudioCapture } from './media/audio-capture.js';
import { aacWorkerEncoder } from './media/aac-worker-encoder.js';
import { AacTagEncoder } from './media/audio-encoder.js';
import type { PcmBlock } from './media/audio-capture.js';
import { Decimator } from '../media/pcm/decimator.js';
import type { SessionClock } from './media/clock.js';

export interface AudioPipelineOptions {
  /** The microphone; without one there is no audio pipeline (the stream is video only). */
  track: MediaStreamTrack | undefined;
  settings: AudioSettings;
  micEnabled: boolean;
  clock: SessionClock;
  onTag(tag: FlvTag): void;
  /** Microphone level 0–100, five times a second (audiovolumenotify). */
  onLevel(level: number): void;
  onError(error: LivePusherError): void;
  /** Where background music reports bgmstart / bgmprogress / bgmcomplete. */
  bgmEvents?: BgmEvents;
  /** voice-changer-type and audio-reverb-type at the start; {@link AudioPipeline.setEffects} changes them. */
  effects: SoundEffectSettings;
  /** An effect that cannot run here (the push goes on without it). */
  onWarning(message: string): void;
}

const LEVEL_INTERVAL_MS = 200;
/** The sound graph's rate; pushed rates divide it (48 kHz high, 16 kHz low). */
const GRAPH_RATE = 48_000;
/** Blocks (21 ms each) kept while the encoder is being replaced: 2 s, far more than a swap takes. */
const MAX_SWAP_BLOCKS = 96;

/**
 * AAC bitrate per channel for each audio-quality (spec §1): 64 kbps keeps 48 kHz speech and music
 * clean; 32 kbps is the least our encoder runs at and ample for 16 kHz speech.
 */
function bitrateFor(settings: AudioSettings): number {
  return (settings.sampleRate >= 44_100 ? 64_000 : 32_000) * settings.channels;
}

/** The AAC encoder for a pushed rate, with the decimator that brings the graph's blocks to it. */
interface EncoderStage {
  encoder: AacTagEncoder;
  decimator: Decimator;
  /** The block handed to the encoder (its planes point into the decimator's output). */
  block: PcmBlock;
}

async function createEncoderStage(options: AudioPipelineOptions, settings: AudioSettings): Promise<EncoderStage> {
  const { sampleRate, channels } = settings;
  if (GRAPH_RATE % sampleRate !== 0) throw new RangeError(`AudioPipeline: ${sampleRate} Hz does not divide the ${GRAPH_RATE} Hz graph`);
  const encoder = await AacTagEncoder.create({
    sampleRate,
    numberOfChannels: channels,
    bitrate: bitrateFor(settings),
    // Where the browser has no AAC encoder, ours runs in a worker beside this module (the
    // bundle ships aac-worker.js next to live-pusher.js), off the main thread's frame budget.
    createWorkerEncoder: aacWorkerEncoder(new URL('./aac-worker.js', import.meta.url)),
    clock: options.clock,
    onTag: options.onTag,
    onError: options.onError,
  });
  return {
    encoder,
    decimator: new Decimator(GRAPH_RATE / sampleRate, channels),
    block: { timestamp: 0, sampleRate, numberOfChannels: channels, numberOfFrames: 0, planes: [] },
  };
}

export class AudioPipeline {
  private paused = false;
  private micEnabled: boolean;
  private readonly levelTimer: ReturnType<typeof setInterval>;
  private music: BackgroundMusic | undefined;
  private readonly effects: SoundEffects;
  private stage: EncoderStage;
  /** Copies of the blocks that arrived while the encoder was being replaced, in order. */
  private swapping: PcmBlock[] | undefined;
  private closed = false;

  private constructor(
    private readonly capture: AudioCapture,
    stage: EncoderStage,
    private readonly options: AudioPipelineOptions,
  ) {
    this.stage = stage;
    this.micEnabled = options.micEnabled;
    this.applyMute();
    this.effects = new SoundEffects(capture, options.onWarning);
    this.levelTimer = setInterval(() => options.onLevel(this.micEnabled && !this.paused ? capture.level : 0), LEVEL_INTERVAL_MS);
  }

  /** Builds and starts the chain; resolves to undefined when there is no microphone track. */
  static async create(options: AudioPipelineOptions): Promise<AudioPipeline | undefined> {
    if (!options.track) return undefined;
    const stage = await createEncoderStage(options, options.settings);
    let pipeline: AudioPipeline | undefined;
    let capture: AudioCapture;
    try {
      capture = await AudioCapture.create({
        track: options.track,
        clock: options.clock,
        sampleRate: GRAPH_RATE,
        numberOfChannels: options.settings.channels,
        onBlock: (block) => pipeline?.onBlock(block),
      });
    } catch (e) {
      stage.encoder.close();
      throw e;
    }
    pipeline = new AudioPipeline(capture, stage, options);
    await pipeline.setEffects(options.effects);
    await capture.start();
    return pipeline;
  }

  /**
   * audio-quality changed during the push (spec §1): a new encoder at the new rate takes over at a
   * block boundary. The old one is flushed first, and the blocks that arrive meanwhile wait for
   * the new one, so no sound is lost and tags stay in time order.
   */
  async setSettings(settings: AudioSettings): Promise<void> {
    const current = this.stage.block;
    if (settings.sampleRate === current.sampleRate && settings.channels === current.numberOfChannels) return;
    const next = await createEncoderStage(this.options, settings);
    if (this.closed) return next.encoder.close();
    const old = this.stage;
    this.swapping = [];
    try {
      await old.encoder.flush();
    } finally {
      old.encoder.close();
    }
    this.stage = next;
    const waiting = this.swapping;
    this.swapping = undefined;
    if (!this.closed) for (const block of waiting) this.encode(block);
  }

  /** Takes the sound from a reopened microphone (new processing switches) without a gap downstream. */
  replaceMicrophone(track: MediaStreamTrack): void {
    this.capture.replaceTrack(track);
  }

  private onBlock(block: PcmBlock): void {
    if (!this.swapping) return this.encode(block);
    if (this.swapping.length >= MAX_SWAP_BLOCKS) this.swapping.shift();
    this.swapping.push({ ...block, planes: block.planes.map((p) => p.slice()) });
  }

  private encode(block: PcmBlock): void {
    const { encoder, decimator, block: out } = this.stage;
    const { planes, offsetFrames } = decimator.process(block.planes);
    if ((planes[0]?.length ?? 0) === 0) return;
    out.timestamp = block.timestamp + Math.round((offsetFrames * 1e6) / block.sampleRate);
    out.numberOfFrames = planes[0]!.length;
    out.planes = planes;
    encoder.encode(out);
  }

  /** While paused the pushed sound is silence (spec §3 pause). */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.applyMute();
  }

  /** enable-mic / muted (spec §1). */
  setMicEnabled(enabled: boolean): void {
    this.micEnabled = enabled;
    this.applyMute();
  }

  /** setMICVolume (spec §3), 0–1. */
  setVolume(volume: number): void {
    this.capture.setVolume(volume);
  }

  /** voice-changer-type, audio-reverb-type (spec §1), live: the next blocks carry the new sound. */
  setEffects(settings: SoundEffectSettings): Promise<void> {
    return this.effects.update(settings);
  }

  /** Background music mixed into the pushed sound (spec §3 playBGM); rejects when it cannot load. */
  playBgm(options: PlayOptions): Promise<void> {
    return this.bgm().play(options);
  }

  /** stopBGM, pauseBGM, resumeBGM, setBGMVolume (spec §3). */
  stopBgm(): void {
    this.music?.stop();
  }

  pauseBgm(): void {
    this.music?.pause();
  }

  resumeBgm(): void {
    this.music?.resume();
  }

  setBgmVolume(volume: number): void {
    this.bgm().setVolume(volume);
  }

  /** Created on first use so that a push without music has no extra nodes in its graph. */
  private bgm(): BackgroundMusic {
    const noop = () => undefined;
    this.music ??= new BackgroundMusic(this.capture.context, this.capture.mixBus, this.options.bgmEvents ?? { start: noop, progress: noop, complete: noop });
    return this.music;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.levelTimer);
    this.effects.close();
    this.music?.close();
    void this.capture.close();
    this.stage.encoder.close();
  }

  private applyMute(): void {
    this.capture.setMuted(this.paused || !this.micEnabled);
    // Paused pushes silence (spec §3 pause): the music that joins at the mix bus too. Set on the
    // audio clock, like the mic gain, so the cut is sample-accurate and the AAC stream continues.
    this.capture.mixBus.gain.setValueAtTime(this.paused ? 0 : 1, this.capture.context.currentTime);
  }
}
