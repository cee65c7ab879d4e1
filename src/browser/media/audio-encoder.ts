/**
 * AAC-LC out as FLV audio tags (DESIGN.md "Data flow (browser)": AudioData ─► AudioEncoder(AAC)
 * or AAC worker ─► FLV tag).
 *
 * Backends, first that works:
 * - 'webcodecs': the browser's `AudioEncoder` when `isConfigSupported({ codec: 'mp4a.40.2' })`
 *   says yes (Chromium builds with proprietary codecs on macOS/Windows/Android; not Debian's).
 * - 'aac-worker': the project's AAC encoder (src/media/aac/) in a worker, through a factory the
 *   caller passes (`createWorkerEncoder`) — see {@link AacWorkerEncoderFactory}.
 * - 'aac-inline': the same encoder on this thread; correct but costs main-thread time, so it
 *   is the last resort.
 *
 * Output: the AAC sequence header (AudioSpecificConfig, ISO/IEC 14496-3 §1.6.2.1) once, then one
 * raw access unit per tag (FLV spec §E.4.2.1, AACPacketType 1), timestamps in ms on the session
 * clock. The encoder's priming delay is taken off the timestamps, so a decoded sample plays at
 * the session time it was captured (DESIGN.md "Timing": lip sync by construction). The project's
 * encoder counts output time in samples from its first input; the capture's slow drift
 * correction (audio-capture.ts) is carried over by adding the difference between the blocks'
 * timestamps and that count.
 */
import { LivePusherError, StatusCode } from '../../core/codes.js';
import { audioSpecificConfig } from '../../media/aac/config.js';
import { AacEncoder, type AacAudioInput } from '../../media/aac/encoder.js';
import { AAC_AUDIO_TAG_HEADER_SIZE, AacPacketType, buildAacAudioTag, SoundFormat, SoundRate } from '../../media/flv/audio.js';
import { FlvTagType, type FlvTag } from '../../media/flv/tag.js';
import type { PcmBlock } from './audio-capture.js';
import type { SessionClock } from './clock.js';

/** WebCodecs codec string of AAC-LC. */
const AAC_LC = 'mp4a.40.2';
/** Largest change of the drift correction per input block, µs. */
const MAX_CORRECTION_STEP_US = 500;

/** An encoded access unit from any backend (EncodedAudioChunk or the project's AacChunk). */
export type AudioChunkLike = { readonly timestamp: number; readonly byteLength: number } & (
  | { copyTo(destination: Uint8Array): void }
  | { readonly data: Uint8Array }
);

/** The output callbacks every backend calls. */
export interface AudioEncoderLikeInit {
  output(chunk: AudioChunkLike, metadata?: { decoderConfig?: { description?: AllowSharedBufferSource } }): void;
  error(error: Error): void;
}

/**
 * A WebCodecs-shaped AAC encoder that takes planar PCM: what a backend must offer. The project's
 * `AacEncoder` has this shape; the WebCodecs `AudioEncoder` gets an adapter here.
 */
export interface AudioEncoderLike {
  readonly encodeQueueSize: number;
  configure(config: { codec: string; sampleRate: number; numberOfChannels: number; bitrate: number }): void;
  encode(input: AacAudioInput): void;
  flush(): Promise<void>;
  close(): void;
}

/**
 * Makes a worker-backed AAC encoder. `aacWorkerEncoder` (aac-worker-encoder.ts) is the one for
 * src/media/aac's worker; any other must give timestamps back unchanged (µs, first chunk = first input) and put
 * `decoderConfig.description` on the first chunk (or the AudioSpecificConfig is built here).
 */
export type AacWorkerEncoderFactory = (init: AudioEncoderLikeInit) => AudioEncoderLike;

export type AudioBackendKind = 'webcodecs' | 'aac-worker' | 'aac-inline';

export interface AacTagEncoderOptions {
  sampleRate: number;
  numberOfChannels: 1 | 2;
  /** Bits per second. Default 64000 mono / 128000 stereo at 48 kHz, half that at 16 kHz. */
  bitrate?: number;
  clock: SessionClock;
  /** Receives the sequence header, then one tag per AAC frame. */
  onTag(tag: FlvTag): void;
  /** Encoding failed (status −1304); the encoder is closed. */
  onError(error: LivePusherError): void;
  /** Worker-backed encoder, used when WebCodecs has no AAC. */
  createWorkerEncoder?: AacWorkerEncoderFactory;
  /** Force a backend (tests). */
  backend?: AudioBackendKind;
}

/** Counters for netstatus (audioBitrate). */
export interface AacTagEncoderStats {
  /** PCM blocks given. */
  blocks: number;
  /** AAC frames out (tags, sequence header not counted). */
  frames: number;
  /** AAC frames not sent because they start before FLV timestamp 0 (capture began before the push). */
  skipped: number;
  bytes: number;
}

/** Whether the browser's WebCodecs encodes AAC-LC at this rate and channel count. */
export async function webCodecsHasAac(sampleRate: number, numberOfChannels: number, bitrate: number): Promise<boolean> {
  if (typeof AudioEncoder === 'undefined') return false;
  try {
    return (await AudioEncoder.isConfigSupported({ codec: AAC_LC, sampleRate, numberOfChannels, bitrate })).supported === true;
  } catch {
    return false; // isConfigSupported throws TypeError for configs it cannot even parse
  }
}

/** AAC encoder producing FLV audio tags. Create with {@link AacTagEncoder.create}. */
export class AacTagEncoder {
  readonly stats: AacTagEncoderStats = { blocks: 0, frames: 0, skipped: 0, bytes: 0 };
  private readonly options: AacTagEncoderOptions;
  private backendKind: AudioBackendKind;
  private encoder: AudioEncoderLike;
  private readonly init: AudioEncoderLikeInit;
  private readonly bitrate: number;
  private readonly input: AacAudioInput;
  /** Priming samples of the backend, as µs to take off timestamps. */
  private readonly delayUs: number;
  private sentHeader = false;
  private closed = false;
  /** First block's timestamp and samples given since, for the drift correction. */
  private firstInputUs: number | null = null;
  private samplesIn = 0;
  private correctionUs = 0;
  /**
   * The correction in force from each block's first sample on (µs on the encoder's sample count),
   * oldest first: a frame takes the correction of the input it holds. Taking the latest instead
   * steps the timestamps by several blocks' corrections at once when a worker hands frames back
   * in a burst (seen under load: a 23 ms step between 21.3 ms frames).
   */
  private readonly corrections: { fromUs: number; correctionUs: number }[] = [];

  private constructor(options: AacTagEncoderOptions, backend: AudioBackendKind, bitrate: number) {
    this.options = options;
    this.backendKind = backend;
    this.bitrate = bitrate;
    const init: AudioEncoderLikeInit = {
      output: (chunk, metadata) => this.handleOutput(chunk, metadata?.decoderConfig?.description),
      error: (error) => this.fail(error),
    };
    this.init = init;
    this.encoder =
      backend === 'webcodecs' ? new WebCodecsAacAdapter(init) : backend === 'aac-worker' ? options.createWorkerEncoder!(init) : new AacEncoder(init);
    // The project's encoder primes with one frame (AacEncoder.encoderDelay samples); WebCodecs
    // encoders already give timestamps of the decoded output.
    this.delayUs = backend === 'webcodecs' ? 0 : Math.round((AacEncoder.encoderDelay * 1e6) / options.sampleRate);
    this.input = { timestamp: 0, sampleRate: options.sampleRate, numberOfChannels: options.numberOfChannels, planes: [] };
    this.encoder.configure({ codec: AAC_LC, sampleRate: options.sampleRate, numberOfChannels: options.numberOfChannels, bitrate });
  }

  /** The backend encoding now ('aac-worker' becomes 'aac-inline' if the worker cannot load). */
  get backend(): AudioBackendKind {
    return this.backendKind;
  }

  /** Picks the backend and configures it. Throws {@link LivePusherError} −1306 for a rate AAC-LC cannot carry. */
  static async create(options: AacTagEncoderOptions): Promise<AacTagEncoder> {
    const { sampleRate, numberOfChannels } = options;
    const bitrate = options.bitrate ?? Math.round(((numberOfChannels === 2 ? 128_000 : 64_000) * Math.min(sampleRate, 48_000)) / 48_000);
    let backend = options.backend;
    if (!backend) {
      if (await webCodecsHasAac(sampleRate, numberOfChannels, bitrate)) backend = 'webcodecs';
      else backend = options.createWorkerEncoder ? 'aac-worker' : 'aac-inline';
    }
    if (backend === 'aac-worker' && !options.createWorkerEncoder) throw new TypeError("AacTagEncoder: backend 'aac-worker' needs options.createWorkerEncoder");
    if (backend !== 'webcodecs') {
      const check = await AacEncoder.isConfigSupported({ sampleRate, numberOfChannels, bitrate, codec: AAC_LC });
      if (!check.supported) {
        throw new LivePusherError(StatusCode.UnsupportedSampleRate, `AAC-LC encoder refuses ${sampleRate} Hz, ${numberOfChannels} channel(s), ${bitrate} bit/s`);
      }
    }
    try {
      return new AacTagEncoder(options, backend, bitrate);
    } catch (e) {
      throw new LivePusherError(StatusCode.AudioEncodeFailed, `AAC encoder (${backend}) failed to start: ${String(e)}`, { cause: e });
    }
  }

  /** Blocks waiting inside the backend (netstatus audioCache's encoder part). */
  get queueSize(): number {
    return this.closed ? 0 : this.encoder.encodeQueueSize;
  }

  /** Encodes one block (copied; the block may be reused after this returns). */
  encode(block: PcmBlock): void {
    if (this.closed) return;
    if (block.sampleRate !== this.options.sampleRate || block.numberOfChannels !== this.options.numberOfChannels) {
      this.fail(new TypeError(`AacTagEncoder.encode: block is ${block.sampleRate} Hz × ${block.numberOfChannels}, encoder ${this.options.sampleRate} Hz × ${this.options.numberOfChannels}`));
      return;
    }
    this.input.timestamp = block.timestamp;
    this.input.planes = block.planes;
    this.stats.blocks++;
    if (this.backend !== 'webcodecs') {
      // WebCodecs keeps input timestamps itself; the project's encoder only counts samples.
      // Slewed (≤ 0.5 ms per block) so that jittery input timestamps cannot jitter the output.
      if (this.firstInputUs === null) this.firstInputUs = block.timestamp;
      const error = block.timestamp - (this.firstInputUs + (this.samplesIn * 1e6) / block.sampleRate) - this.correctionUs;
      this.correctionUs += Math.max(-MAX_CORRECTION_STEP_US, Math.min(MAX_CORRECTION_STEP_US, error));
      this.corrections.push({ fromUs: this.firstInputUs + (this.samplesIn * 1e6) / block.sampleRate, correctionUs: this.correctionUs });
      this.samplesIn += block.numberOfFrames;
    }
    try {
      this.encoder.encode(this.input);
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Encodes what is buffered (padded with silence) and waits for the output. */
  async flush(): Promise<void> {
    if (this.closed) return;
    await this.encoder.flush();
    // The next input starts a new stream segment in the encoder (it counts from there).
    this.firstInputUs = null;
    this.samplesIn = 0;
    this.corrections.length = 0;
  }

  /** Stops; buffered audio is discarded. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.encoder.close();
  }

  private handleOutput(chunk: AudioChunkLike, description: AllowSharedBufferSource | undefined): void {
    if (this.closed) return;
    const inputUs = chunk.timestamp - this.delayUs;
    const us = inputUs + this.correctionAt(inputUs);
    // Frames from before the push started (including the priming frame when the microphone started
    // with the push) are left out rather than clamped to 0, which would break the 1024-sample
    // spacing; AAC frames decode on their own, so the stream stays valid.
    if (this.options.clock.isBeforeOrigin(us)) {
      this.stats.skipped++;
      return;
    }
    const timestamp = this.options.clock.flvTimestamp(us);
    if (!this.sentHeader) {
      this.sentHeader = true;
      const config = description ? toBytes(description) : audioSpecificConfig(this.options.sampleRate, this.options.numberOfChannels);
      this.emit({ type: FlvTagType.Audio, timestamp, data: buildAacAudioTag({ kind: 'sequence-header', config }) });
    }
    const body = new Uint8Array(AAC_AUDIO_TAG_HEADER_SIZE + chunk.byteLength);
    // AAC always declares 44 kHz, 16-bit, stereo here; the AudioSpecificConfig has the truth (§E.4.2.1).
    body[0] = (SoundFormat.Aac << 4) | (SoundRate.Rate44k << 2) | (1 << 1) | 1; // SoundFormat, SoundRate, SoundSize, SoundType
    body[1] = AacPacketType.Raw; // AACPacketType
    if ('data' in chunk) body.set(chunk.data, AAC_AUDIO_TAG_HEADER_SIZE); // raw AAC frame
    else chunk.copyTo(body.subarray(AAC_AUDIO_TAG_HEADER_SIZE)); // raw AAC frame
    this.stats.frames++;
    this.emit({ type: FlvTagType.Audio, timestamp, data: body });
  }

  /** The correction of the block holding the sample at `inputUs`; blocks before it are done with. */
  private correctionAt(inputUs: number): number {
    while (this.corrections.length > 1 && this.corrections[1]!.fromUs <= inputUs) this.corrections.shift();
    return this.corrections[0]?.correctionUs ?? 0;
  }

  private emit(tag: FlvTag): void {
    this.stats.bytes += tag.data.length;
    this.options.onTag(tag);
  }

  private fail(error: Error): void {
    if (this.closed) return;
    if (this.backendKind === 'aac-worker' && this.stats.frames === 0) {
      // The worker never worked (its file is not served beside the bundle, or a CSP forbids
      // workers): the same encoder runs on the main thread instead of the stream losing its sound.
      this.encoder.close();
      this.backendKind = 'aac-inline';
      this.encoder = new AacEncoder(this.init);
      this.encoder.configure({ codec: AAC_LC, sampleRate: this.options.sampleRate, numberOfChannels: this.options.numberOfChannels, bitrate: this.bitrate });
      this.firstInputUs = null;
      this.samplesIn = 0;
      this.correctionUs = 0;
      this.corrections.length = 0;
      console.warn(`<live-pusher>: ${error.message}; encoding AAC on the main thread instead`);
      return;
    }
    this.close();
    this.options.onError(
      error instanceof LivePusherError ? error : new LivePusherError(StatusCode.AudioEncodeFailed, `AAC encoder (${this.backend}) failed: ${error.message}`, { cause: error }),
    );
  }
}

/**
 * WebCodecs' AudioEncoder behind {@link AudioEncoderLike}: planar PCM becomes an 'f32-planar'
 * AudioData (planes back to back in one buffer, WebCodecs §9.2), built from a reused scratch
 * buffer; AudioData copies it, so the scratch is free again when encode() returns.
 */
class WebCodecsAacAdapter implements AudioEncoderLike {
  private readonly encoder: AudioEncoder;
  private scratch = new Float32Array(0);

  constructor(init: AudioEncoderLikeInit) {
    this.encoder = new AudioEncoder({ output: (chunk, metadata) => init.output(chunk, metadata), error: (e) => init.error(e) });
  }

  get encodeQueueSize(): number {
    return this.encoder.encodeQueueSize;
  }

  configure(config: { codec: string; sampleRate: number; numberOfChannels: number; bitrate: number }): void {
    this.encoder.configure(config);
  }

  encode(input: AacAudioInput): void {
    const frames = input.planes[0]?.length ?? 0;
    const size = frames * input.numberOfChannels;
    if (this.scratch.length < size) this.scratch = new Float32Array(size);
    for (let c = 0; c < input.numberOfChannels; c++) this.scratch.set(input.planes[c]!, c * frames);
    const data = new AudioData({
      format: 'f32-planar',
      sampleRate: input.sampleRate,
      numberOfFrames: frames,
      numberOfChannels: input.numberOfChannels,
      timestamp: input.timestamp,
      data: this.scratch.subarray(0, size),
    });
    try {
      this.encoder.encode(data);
    } finally {
      data.close();
    }
  }

  flush(): Promise<void> {
    return this.encoder.flush();
  }

  close(): void {
    if (this.encoder.state !== 'closed') this.encoder.close();
  }
}

function toBytes(source: AllowSharedBufferSource): Uint8Array {
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice();
  return new Uint8Array(source).slice();
}
