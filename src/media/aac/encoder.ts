import { AAC_LC_CODEC, audioSpecificConfig, configProblem, resolveConfig } from './config.js';
import type { AacEncoderConfig, ResolvedConfig } from './config.js';
import { FRAME_LENGTH, WindowShape } from './constants.js';
import { ENCODER_DELAY, FrameEncoder } from './frame-encoder.js';

/**
 * An AAC-LC encoder shaped like WebCodecs' AudioEncoder, in pure TypeScript: for browsers whose
 * WebCodecs has no AAC encoder (run it in a worker, see worker-client.ts) and for Node.
 *
 * Differences from AudioEncoder, all deliberate: `output` is called synchronously from `encode()`
 * and `flush()` (there is no internal queue to wait for), and chunks are plain objects.
 */

/** Planar float PCM, the shape of one WebCodecs AudioData in 'f32-planar'. */
export interface AacAudioInput {
  /** Presentation time of the first sample, in microseconds. */
  timestamp: number;
  sampleRate: number;
  numberOfChannels: number;
  /** One Float32Array per channel, all of the same length, samples in [−1, 1]. */
  planes: readonly Float32Array[];
}

/** The part of WebCodecs' AudioData the encoder uses. */
export interface AudioDataLike {
  timestamp: number;
  sampleRate: number;
  numberOfChannels: number;
  numberOfFrames: number;
  copyTo(destination: Float32Array, options: { planeIndex: number; format?: 'f32-planar' }): void;
}

/** One access unit (a raw_data_block), like WebCodecs' EncodedAudioChunk. */
export interface AacChunk {
  /** Every AAC-LC access unit can start decoding (given the AudioSpecificConfig). */
  readonly type: 'key';
  /** Microseconds; the first chunk carries the first input's timestamp. */
  readonly timestamp: number;
  /** Microseconds: 1024 samples. */
  readonly duration: number;
  readonly byteLength: number;
  readonly data: Uint8Array;
}

/** Like WebCodecs' EncodedAudioChunkMetadata; present on the first chunk after configure(). */
export interface AacChunkMetadata {
  decoderConfig?: {
    codec: typeof AAC_LC_CODEC;
    sampleRate: number;
    numberOfChannels: number;
    /** The 2-byte AudioSpecificConfig. */
    description: Uint8Array;
  };
}

export interface AacEncoderInit {
  output(chunk: AacChunk, metadata?: AacChunkMetadata): void;
  error(error: Error): void;
}

export type AacEncoderState = 'unconfigured' | 'configured' | 'closed';

/** Encoder options beyond AudioEncoderConfig. */
export interface AacEncoderOptions {
  /** MDCT window shape (§4.6.11.3.1): 'sine' (default) or 'kbd'. */
  windowShape?: 'sine' | 'kbd';
}

export class AacEncoder {
  /**
   * Samples of priming at the start of the decoded stream: the decoded output of the first chunk
   * precedes the input by this much. Containers with edit lists (MP4 `elst`, iTunSMPB) should skip it.
   */
  static readonly encoderDelay = ENCODER_DELAY;

  private readonly init: AacEncoderInit;
  private readonly options: AacEncoderOptions;
  private _state: AacEncoderState = 'unconfigured';
  private config: ResolvedConfig | null = null;
  private core: FrameEncoder | null = null;
  private planes: Float32Array[] = [];
  /** Samples waiting in `planes` for a full block. */
  private fill = 0;
  private baseTimestamp: number | null = null;
  private chunksOut = 0;
  private sentConfig = false;

  constructor(init: AacEncoderInit, options: AacEncoderOptions = {}) {
    if (typeof init?.output !== 'function') throw new TypeError('AacEncoder: init.output must be a function');
    if (typeof init.error !== 'function') throw new TypeError('AacEncoder: init.error must be a function');
    this.init = init;
    this.options = options;
  }

  get state(): AacEncoderState {
    return this._state;
  }

  /** Always 0: encoding happens synchronously inside encode(). */
  get encodeQueueSize(): number {
    return 0;
  }

  /** Whether `config` is supported, in WebCodecs' shape. */
  static isConfigSupported(config: AacEncoderConfig): Promise<{ supported: boolean; config: AacEncoderConfig }> {
    return Promise.resolve({ supported: configProblem(config) === null, config: { ...config } });
  }

  configure(config: AacEncoderConfig): void {
    this.assertNotClosed('configure');
    this.config = resolveConfig(config);
    this.startStream();
    this.sentConfig = false;
    this._state = 'configured';
  }

  /** Queues PCM; emits a chunk for every 1024 samples completed (after one block of look-ahead). */
  encode(data: AacAudioInput | AudioDataLike): void {
    this.assertNotClosed('encode');
    const config = this.config;
    if (!config || !this.core) throw new DOMExceptionLike('InvalidStateError', 'AacEncoder.encode: not configured');
    if (data.sampleRate !== config.sampleRate) {
      throw new TypeError(`AacEncoder.encode: data.sampleRate ${data.sampleRate} differs from the configured ${config.sampleRate}`);
    }
    if (data.numberOfChannels !== config.numberOfChannels) {
      throw new TypeError(
        `AacEncoder.encode: data.numberOfChannels ${data.numberOfChannels} differs from the configured ${config.numberOfChannels}`,
      );
    }
    const planes = inputPlanes(data);
    if (this.baseTimestamp === null) this.baseTimestamp = data.timestamp;
    const length = planes[0]!.length;
    let offset = 0;
    while (offset < length) {
      const take = Math.min(FRAME_LENGTH - this.fill, length - offset);
      for (let c = 0; c < planes.length; c++) this.planes[c]!.set(planes[c]!.subarray(offset, offset + take), this.fill);
      this.fill += take;
      offset += take;
      if (this.fill === FRAME_LENGTH && !this.encodeBlock()) return;
    }
  }

  /**
   * Encodes what is buffered, padded with silence, and drains the look-ahead, so that the chunks
   * emitted so far decode to all input given. The next encode() starts a new stream segment.
   */
  flush(): Promise<void> {
    if (this._state !== 'configured') {
      return Promise.reject(new DOMExceptionLike('InvalidStateError', `AacEncoder.flush: encoder is ${this._state}`));
    }
    if (this.baseTimestamp !== null) {
      // The partial block, then the block still held as look-ahead, then the frame whose first
      // half is the last input block.
      const blocks = this.fill > 0 ? 3 : 2;
      for (let i = 0; i < blocks; i++) {
        for (const p of this.planes) p.fill(0, this.fill);
        this.fill = FRAME_LENGTH;
        if (!this.encodeBlock()) return Promise.reject(new DOMExceptionLike('EncodingError', 'AacEncoder.flush failed'));
      }
    }
    this.startStream();
    return Promise.resolve();
  }

  /** Drops buffered input and returns to 'unconfigured'. */
  reset(): void {
    this.assertNotClosed('reset');
    this.config = null;
    this.core = null;
    this._state = 'unconfigured';
  }

  close(): void {
    this.config = null;
    this.core = null;
    this.planes = [];
    this._state = 'closed';
  }

  private startStream(): void {
    const config = this.config!;
    this.core = new FrameEncoder(config, this.options.windowShape === 'kbd' ? WindowShape.Kbd : WindowShape.Sine);
    this.planes = Array.from({ length: config.numberOfChannels }, () => new Float32Array(FRAME_LENGTH));
    this.fill = 0;
    this.baseTimestamp = null;
    this.chunksOut = 0;
  }

  /** Encodes the full block in `planes`; on an internal failure closes and reports through error(). */
  private encodeBlock(): boolean {
    const config = this.config!;
    let au: Uint8Array | null;
    try {
      au = this.core!.encodeBlock(this.planes);
    } catch (e) {
      this.close();
      this.init.error(e instanceof Error ? e : new Error(String(e)));
      return false;
    }
    this.fill = 0;
    if (!au) return true;
    const n = this.chunksOut++;
    const toUs = (samples: number) => Math.round((samples * 1e6) / config.sampleRate);
    const timestamp = this.baseTimestamp! + toUs(n * FRAME_LENGTH);
    const duration = this.baseTimestamp! + toUs((n + 1) * FRAME_LENGTH) - timestamp;
    const chunk: AacChunk = { type: 'key', timestamp, duration, byteLength: au.length, data: au };
    if (this.sentConfig) {
      this.init.output(chunk);
      return true;
    }
    this.sentConfig = true;
    this.init.output(chunk, {
      decoderConfig: {
        codec: AAC_LC_CODEC,
        sampleRate: config.sampleRate,
        numberOfChannels: config.numberOfChannels,
        description: audioSpecificConfig(config.sampleRate, config.numberOfChannels),
      },
    });
    return true;
  }

  private assertNotClosed(method: string): void {
    if (this._state === 'closed') throw new DOMExceptionLike('InvalidStateError', `AacEncoder.${method}: encoder is closed`);
  }
}

/** An Error whose `name` matches the DOMException WebCodecs would throw (no DOM needed). */
export class DOMExceptionLike extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

function inputPlanes(data: AacAudioInput | AudioDataLike): readonly Float32Array[] {
  if ('planes' in data && Array.isArray(data.planes)) {
    const planes = data.planes;
    if (planes.length !== data.numberOfChannels) {
      throw new TypeError(`AacEncoder.encode: data.planes has ${planes.length} planes for ${data.numberOfChannels} channels`);
    }
    for (const p of planes) {
      if (!(p instanceof Float32Array) || p.length !== planes[0]!.length) {
        throw new TypeError('AacEncoder.encode: data.planes must be Float32Arrays of equal length');
      }
    }
    return planes;
  }
  if ('copyTo' in data && typeof data.copyTo === 'function') {
    return Array.from({ length: data.numberOfChannels }, (_, planeIndex) => {
      const plane = new Float32Array(data.numberOfFrames);
      data.copyTo(plane, { planeIndex, format: 'f32-planar' });
      return plane;
    });
  }
  throw new TypeError('AacEncoder.encode: data needs planes (Float32Array[]) or copyTo() like AudioData');
}
