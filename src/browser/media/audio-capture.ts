/**
 * Microphone PCM through a Web Audio graph (DESIGN.md "Data flow (browser)": mic ─► Web Audio
 * graph ─► AudioData), stamped on the session clock:
 *
 *   MediaStreamAudioSourceNode ─► micGain ─┬─► [effects …] ─► mixBus ─► tap ─► (silent) destination
 *   (replaceTrack swaps it)     (setMICVolume, │                  ▲
 *                                enable-mic)   └─► meter           └── other sources (BGM) connect here
 *
 * The meter (an AnalyserNode) measures the microphone alone, after its volume and mute, for
 * audiovolumenotify: background music and effects do not move the microphone's level.
 *
 * The tap is an AudioWorklet (pcm-tap-worklet.ts) or, where AudioWorklet is missing, a
 * ScriptProcessorNode. It hands out planar Float32 blocks of `blockFrames` samples (1024 by
 * default: one AAC frame) at the context's rate, 48 kHz or 16 kHz (spec §1 `audio-quality`),
 * mono or stereo (the graph up- or down-mixes, Web Audio §1.22 channel mixing).
 *
 * Timestamps: samples are counted from the context's frame counter, so blocks are contiguous;
 * the counter is placed on the session clock with `getOutputTimestamp()` (which pairs a context
 * time with a performance.now() time) minus the output latencies, i.e. when the graph processed
 * the sample, which is the closest the web lets us get to capture time. The audio device's clock
 * and performance.now() drift apart (tens of ppm: ~0.2 s an hour), so the pairing is measured
 * again every couple of seconds and the mapping slewed towards it by at most 0.2 ms per block:
 * lip sync holds over hours and timestamps never jump.
 */
import { LivePusherError, StatusCode } from '../../core/codes.js';
import type { SessionClock } from './clock.js';
import {
  PCM_TAP_PROCESSOR,
  PCM_TAP_WORKLET_SOURCE,
  type PcmTapBlockMessage,
  type PcmTapControlMessage,
  type PcmTapOptions,
} from './pcm-tap-worklet.js';

/**
 * One block of PCM. Valid only during the `onBlock` call: the buffers are reused for later
 * blocks, so a consumer that keeps samples must copy them (AudioData and the AAC encoders do).
 */
export interface PcmBlock {
  /** Session clock time of the first sample, µs. */
  timestamp: number;
  sampleRate: number;
  numberOfChannels: number;
  numberOfFrames: number;
  /** One Float32Array per channel, `numberOfFrames` long, samples in [−1, 1]. */
  planes: readonly Float32Array[];
}

/** A stage of audio effects (reverb, voice changer…) between the mic gain and the mix bus. */
export interface AudioEffect {
  readonly name: string;
  readonly input: AudioNode;
  readonly output: AudioNode;
  /** Releases the stage's nodes (and stops any worklet processor) once it left the graph. */
  dispose?(): void;
}

/** Which tap implementation runs. */
export type AudioTapKind = 'audio-worklet' | 'script-processor';

export interface AudioCaptureOptions {
  /** The microphone track. The capture does not stop it. */
  track: MediaStreamTrack;
  clock: SessionClock;
  /** 48000 (audio-quality high) or 16000 (low); any rate the browser's AudioContext accepts. */
  sampleRate: number;
  numberOfChannels: 1 | 2;
  /** Receives each block; see {@link PcmBlock} for its lifetime. */
  onBlock(block: PcmBlock): void;
  /** Samples per block per channel. Default 1024. */
  blockFrames?: number;
  /** Force the tap (tests); default: AudioWorklet where available. */
  tap?: AudioTapKind;
}

/** RMS at or below this many dBFS shows as level 0; 0 dBFS as 100. */
const LEVEL_FLOOR_DB = -60;
/** Seconds between measurements of the context ↔ session clock pairing. */
const RECALIBRATE_S = 2;
/** Samples the level meter reads: 2048 is 43 ms at 48 kHz, a syllable. */
const METER_FRAMES = 2048;
/** Largest correction of the mapping per block, ms (0.2 ms per 21 ms block: ≤ 1 %). */
const MAX_SLEW_MS = 0.2;

/** The microphone graph. Create with {@link AudioCapture.create}, then start(). */
export class AudioCapture {
  readonly context: AudioContext;
  /** The gain that setMICVolume drives (and enable-mic/muted zero). */
  readonly micGain: GainNode;
  /** Where the effects chain ends and other sources (BGM) join the pushed mix. */
  readonly mixBus: GainNode;
  readonly tapKind: AudioTapKind;
  /** Blocks handed out. */
  blocks = 0;
  private readonly options: AudioCaptureOptions;
  private source: MediaStreamAudioSourceNode;
  private readonly meter: AnalyserNode;
  private readonly meterSamples: Float32Array<ArrayBuffer>;
  private readonly tap: AudioWorkletNode | ScriptProcessorNode;
  private readonly blockFrames: number;
  private readonly block: PcmBlock;
  private effects: AudioEffect[] = [];
  private volume = 1;
  private muted = false;
  private running = false;
  private closed = false;
  private perfAtFrameZeroMs: number | null = null;
  /** The latest measurement of perfAtFrameZeroMs, which the mapping slews towards. */
  private measuredAtFrameZeroMs = 0;
  private measuredAtFrame = 0;

  private constructor(options: AudioCaptureOptions, context: AudioContext, source: MediaStreamAudioSourceNode, tapKind: AudioTapKind) {
    this.options = options;
    this.context = context;
    this.source = source;
    this.tapKind = tapKind;
    this.blockFrames = options.blockFrames ?? 1024;
    this.block = { timestamp: 0, sampleRate: context.sampleRate, numberOfChannels: options.numberOfChannels, numberOfFrames: this.blockFrames, planes: [] };
    this.micGain = new GainNode(context, { gain: 1 });
    this.mixBus = new GainNode(context, { gain: 1 });
    this.meter = new AnalyserNode(context, { fftSize: METER_FRAMES });
    this.meterSamples = new Float32Array(METER_FRAMES);
    source.connect(this.micGain);
    this.micGain.connect(this.mixBus);
    this.micGain.connect(this.meter);
    this.tap = tapKind === 'audio-worklet' ? this.createWorkletTap() : this.createScriptTap();
  }

  /**
   * Builds the graph. Throws {@link LivePusherError} −1306 when the browser cannot run an
   * AudioContext at `sampleRate` or connect the microphone to it, −1302 for other failures.
   */
  static async create(options: AudioCaptureOptions): Promise<AudioCapture> {
    if (options.track?.kind !== 'audio') throw new TypeError('AudioCapture: options.track must be an audio MediaStreamTrack');
    if (options.numberOfChannels !== 1 && options.numberOfChannels !== 2) {
      throw new TypeError(`AudioCapture: options.numberOfChannels must be 1 or 2, got ${String(options.numberOfChannels)}`);
    }
    let context: AudioContext;
    try {
      context = new AudioContext({ sampleRate: options.sampleRate, latencyHint: 'interactive' });
    } catch (e) {
      throw new LivePusherError(StatusCode.UnsupportedSampleRate, `AudioContext refuses ${options.sampleRate} Hz: ${String(e)}`, { cause: e });
    }
    try {
      // Older engines cannot resample a MediaStream into a context of another rate and throw here.
      const source = new MediaStreamAudioSourceNode(context, { mediaStream: new MediaStream([options.track]) });
      let tapKind = options.tap ?? (context.audioWorklet ? 'audio-worklet' : 'script-processor');
      if (tapKind === 'audio-worklet') {
        const url = URL.createObjectURL(new Blob([PCM_TAP_WORKLET_SOURCE], { type: 'text/javascript' }));
        try {
          await context.audioWorklet.addModule(url);
        } catch (e) {
          // A Content-Security-Policy without blob: in script-src refuses the module; the
          // ScriptProcessor tap still works there, unless the caller insisted on the worklet.
          if (options.tap === 'audio-worklet') throw e;
          tapKind = 'script-processor';
        } finally {
          URL.revokeObjectURL(url);
        }
      }
      return new AudioCapture(options, context, source, tapKind);
    } catch (e) {
      void context.close();
      if (e instanceof DOMException && e.name === 'NotSupportedError') {
        throw new LivePusherError(StatusCode.UnsupportedSampleRate, `the microphone cannot be captured at ${options.sampleRate} Hz: ${e.message}`, { cause: e });
      }
      throw new LivePusherError(StatusCode.MicOpenFailed, `the microphone graph could not be built: ${String(e)}`, { cause: e });
    }
  }

  /** Channels handed to the encoder (the graph mixes to them at the tap). */
  get numberOfChannels(): 1 | 2 {
    return this.options.numberOfChannels;
  }

  /** The context's actual rate (equals the requested one unless the browser substituted). */
  get sampleRate(): number {
    return this.context.sampleRate;
  }

  /**
   * Microphone level 0–100 over the last {@link METER_FRAMES} samples (RMS in dBFS, −60…0 mapped
   * linearly), after setMICVolume and mute, for audiovolumenotify.
   */
  get level(): number {
    this.meter.getFloatTimeDomainData(this.meterSamples);
    let sum = 0;
    for (const v of this.meterSamples) sum += v * v;
    const rms = Math.sqrt(sum / this.meterSamples.length);
    const db = rms > 0 ? 20 * Math.log10(rms) : -Infinity;
    return Math.max(0, Math.min(100, Math.round(((db - LEVEL_FLOOR_DB) / -LEVEL_FLOOR_DB) * 100)));
  }

  /**
   * Takes the sound from another microphone track (reopened with other processing: enable-agc,
   * enable-ans, audio-volume-type), with no change downstream: the blocks, their timing and the
   * encoder go on. The capture does not stop either track.
   */
  replaceTrack(track: MediaStreamTrack): void {
    if (track.kind !== 'audio') throw new TypeError('AudioCapture.replaceTrack: track must be an audio MediaStreamTrack');
    const source = new MediaStreamAudioSourceNode(this.context, { mediaStream: new MediaStream([track]) });
    source.connect(this.micGain);
    this.source.disconnect();
    this.source = source;
  }

  /**
   * Starts handing out blocks. Resolves true once the context runs. Browsers keep an AudioContext
   * suspended until the page has had a user gesture (autoplay policy); then this resolves false
   * after a second and blocks begin by themselves when the context is allowed to run — call it
   * from a click handler (the element's start()) to avoid that.
   */
  async start(): Promise<boolean> {
    if (this.closed) throw new Error('AudioCapture.start: closed');
    if (!this.running) {
      this.running = true;
      this.perfAtFrameZeroMs = null;
      this.mixBus.connect(this.tap);
      this.tap.connect(this.context.destination);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.context.resume(), new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
    clearTimeout(timer);
    return this.context.state === 'running';
  }

  /** Mic volume 0–1 (setMICVolume). Applied smoothly over 20 ms to avoid clicks. */
  setVolume(volume: number): void {
    if (!(volume >= 0 && volume <= 1)) throw new RangeError(`AudioCapture.setVolume: volume must be within 0–1, got ${volume}`);
    this.volume = volume;
    this.applyGain();
  }

  /** Mutes the microphone (enable-mic=false, muted): blocks keep coming, silent. */
  setMuted(muted: boolean): void {
    this.muted = muted;
    this.applyGain();
  }

  /**
   * Replaces the effect chain between the mic gain and the mix bus, in order; stages that are not
   * in the new chain are disposed.
   */
  setEffects(effects: readonly AudioEffect[]): void {
    this.micGain.disconnect(this.effects[0]?.input ?? this.mixBus);
    for (const e of this.effects) e.output.disconnect();
    let last: AudioNode = this.micGain;
    for (const e of effects) {
      last.connect(e.input);
      last = e.output;
    }
    last.connect(this.mixBus);
    for (const e of this.effects) if (!effects.includes(e)) e.dispose?.();
    this.effects = [...effects];
  }

  /** Stops and closes the context. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.running = false;
    if (this.tap instanceof AudioWorkletNode) {
      this.tap.port.postMessage({ type: 'stop' } satisfies PcmTapControlMessage);
      this.tap.port.onmessage = null;
    } else {
      this.tap.onaudioprocess = null;
    }
    this.source.disconnect();
    this.tap.disconnect();
    for (const e of this.effects) e.dispose?.();
    this.effects = [];
    await this.context.close();
  }

  private applyGain(): void {
    const target = this.muted ? 0 : this.volume;
    this.micGain.gain.setTargetAtTime(target, this.context.currentTime, 0.02 / 3);
  }

  private createWorkletTap(): AudioWorkletNode {
    const processorOptions: PcmTapOptions = { channels: this.options.numberOfChannels, blockFrames: this.blockFrames };
    const node = new AudioWorkletNode(this.context, PCM_TAP_PROCESSOR, {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      channelCount: this.options.numberOfChannels,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
      processorOptions,
    });
    node.port.onmessage = (event: MessageEvent<PcmTapBlockMessage>) => {
      const { frame, planes } = event.data;
      this.deliver(frame, planes);
      node.port.postMessage({ type: 'recycle', planes } satisfies PcmTapControlMessage, planes.map((p) => p.buffer));
    };
    return node;
  }

  private createScriptTap(): ScriptProcessorNode {
    // ScriptProcessorNode is deprecated but is the only tap without AudioWorklet; its buffer size
    // must be a power of two, so blocks are re-cut to blockFrames here.
    const channels = this.options.numberOfChannels;
    const node = this.context.createScriptProcessor(1024, channels, 1);
    node.channelCountMode = 'explicit';
    node.channelInterpretation = 'speakers';
    const planes = Array.from({ length: channels }, () => new Float32Array(this.blockFrames));
    let fill = 0;
    let startFrame = 0;
    // Samples are counted from the first event: playbackTime jitters from event to event in
    // Chromium, while the samples themselves are contiguous. playbackTime is when this event's
    // *output* plays; the node double-buffers, so its input went through the graph two buffers
    // earlier (measured: 43 ms at 48 kHz against the AudioWorklet tap).
    let nextFrame: number | null = null;
    node.onaudioprocess = (event) => {
      const input = event.inputBuffer;
      nextFrame ??= Math.round(event.playbackTime * this.context.sampleRate) - 2 * node.bufferSize;
      const first = nextFrame;
      nextFrame += input.length;
      let offset = 0;
      while (offset < input.length) {
        if (fill === 0) {
          startFrame = first + offset;
        }
        const take = Math.min(input.length - offset, this.blockFrames - fill);
        for (let c = 0; c < channels; c++) {
          const src = input.getChannelData(Math.min(c, input.numberOfChannels - 1));
          planes[c]!.set(src.subarray(offset, offset + take), fill);
        }
        fill += take;
        offset += take;
        if (fill === this.blockFrames) {
          fill = 0;
          this.deliver(startFrame, planes);
        }
      }
    };
    return node;
  }

  private deliver(frame: number, planes: Float32Array[]): void {
    if (!this.running) return;
    const rate = this.context.sampleRate;
    if (this.perfAtFrameZeroMs === null) {
      this.perfAtFrameZeroMs = this.measuredAtFrameZeroMs = this.calibrate(frame);
      this.measuredAtFrame = frame;
    } else {
      if (frame - this.measuredAtFrame >= RECALIBRATE_S * rate) {
        this.measuredAtFrameZeroMs = this.calibrate(frame);
        this.measuredAtFrame = frame;
      }
      const error = this.measuredAtFrameZeroMs - this.perfAtFrameZeroMs;
      this.perfAtFrameZeroMs += Math.max(-MAX_SLEW_MS, Math.min(MAX_SLEW_MS, error));
    }
    const block = this.block;
    block.timestamp = Math.round((this.perfAtFrameZeroMs + (frame * 1000) / rate) * 1000);
    block.planes = planes;
    this.blocks++;
    this.options.onBlock(block);
  }

  /**
   * performance.now() time of context frame 0. `getOutputTimestamp()` pairs a context time with the
   * performance time at which that sample reaches the output; the graph processed it
   * `baseLatency + outputLatency` earlier. Where the pair is not available yet (performanceTime
   * 0 right after start), the block's arrival time stands in.
   */
  private calibrate(frame: number): number {
    const rate = this.context.sampleRate;
    const ts = this.context.getOutputTimestamp();
    if (ts.performanceTime && ts.contextTime !== undefined && ts.performanceTime > 0) {
      const latencyMs = ((this.context.baseLatency || 0) + (this.context.outputLatency || 0)) * 1000;
      return ts.performanceTime - ts.contextTime * 1000 - latencyMs;
    }
    return this.options.clock.nowUs() / 1000 - ((frame + this.blockFrames) * 1000) / rate;
  }
}
