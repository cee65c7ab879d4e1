/**
 * The sound side of a push: microphone → Web Audio graph (mic gain, effect seam, mix bus) → AAC
 * → FLV audio tags. Muting (enable-mic, muted, pause) zeroes the mic gain rather than stopping
 * anything, so the AAC stream stays continuous and players never see a gap (spec §1 enable-mic:
 * toggled without renegotiating the stream).
 */
import type { LivePusherError } from '../core/codes.js';
import type { AudioSettings } from '../core/modes.js';
import type { FlvTag } from '../media/flv/tag.js';
import { BackgroundMusic, type BgmEvents, type PlayOptions } from './audio/bgm.js';
import { AudioCapture } from './media/audio-capture.js';
import { aacWorkerEncoder } from './media/aac-worker-encoder.js';
import { AacTagEncoder } from './media/audio-encoder.js';
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
}

const LEVEL_INTERVAL_MS = 200;

/**
 * AAC bitrate per channel for each audio-quality (spec §1): 64 kbps keeps 48 kHz speech and music
 * clean; 32 kbps is the least our encoder runs at and ample for 16 kHz speech.
 */
function bitrateFor(settings: AudioSettings): number {
  return (settings.sampleRate >= 44_100 ? 64_000 : 32_000) * settings.channels;
}

export class AudioPipeline {
  private paused = false;
  private micEnabled: boolean;
  private readonly levelTimer: ReturnType<typeof setInterval>;
  private music: BackgroundMusic | undefined;

  private constructor(
    private readonly capture: AudioCapture,
    private readonly encoder: AacTagEncoder,
    private readonly options: AudioPipelineOptions,
  ) {
    this.micEnabled = options.micEnabled;
    this.applyMute();
    this.levelTimer = setInterval(() => options.onLevel(this.micEnabled && !this.paused ? capture.level : 0), LEVEL_INTERVAL_MS);
  }

  /** Builds and starts the chain; resolves to undefined when there is no microphone track. */
  static async create(options: AudioPipelineOptions): Promise<AudioPipeline | undefined> {
    if (!options.track) return undefined;
    const { sampleRate, channels } = options.settings;
    const encoder = await AacTagEncoder.create({
      sampleRate,
      numberOfChannels: channels,
      bitrate: bitrateFor(options.settings),
      // Where the browser has no AAC encoder, ours runs in a worker beside this module (the
      // bundle ships aac-worker.js next to live-pusher.js), off the main thread's frame budget.
      createWorkerEncoder: aacWorkerEncoder(new URL('./aac-worker.js', import.meta.url)),
      clock: options.clock,
      onTag: options.onTag,
      onError: options.onError,
    });
    let capture: AudioCapture;
    try {
      capture = await AudioCapture.create({
        track: options.track,
        clock: options.clock,
        sampleRate,
        numberOfChannels: channels,
        onBlock: (block) => encoder.encode(block),
      });
    } catch (e) {
      encoder.close();
      throw e;
    }
    const pipeline = new AudioPipeline(capture, encoder, options);
    await capture.start();
    return pipeline;
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
    clearInterval(this.levelTimer);
    this.music?.close();
    void this.capture.close();
    this.encoder.close();
  }

  private applyMute(): void {
    this.capture.setMuted(this.paused || !this.micEnabled);
    // Paused pushes silence (spec §3 pause): the music that joins at the mix bus too. Set on the
    // audio clock, like the mic gain, so the cut is sample-accurate and the AAC stream continues.
    this.capture.mixBus.gain.setValueAtTime(this.paused ? 0 : 1, this.capture.context.currentTime);
  }
}
