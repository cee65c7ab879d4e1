/**
 * H.264 through WebCodecs' VideoEncoder, out as FLV video tags (DESIGN.md "Data flow (browser)":
 * VideoFrame ─► VideoEncoder(H.264) ─► FLV tag).
 *
 * - Configuration: AVCC output (`avc: { format: 'avc' }`), so SPS/PPS arrive once as
 *   `decoderConfig.description` (an AVCDecoderConfigurationRecord, which is exactly the FLV AVC
 *   sequence header body) and frames as length-prefixed NAL units (the FLV NALU body).
 *   `latencyMode: 'realtime'`: no B-frames, so composition time is always 0, and the encoder may
 *   drop quality rather than fall behind.
 * - Hardware first, software after (status 1103 when hardware was refused or failed).
 * - A key frame every `gopSeconds` (default 2, what RTMP CDNs expect for join time), requested with
 *   `encode(frame, { keyFrame: true })`.
 * - Realtime: a frame that arrives while `encodeQueueSize` exceeds the limit is dropped (closed),
 *   not queued, so latency stays bounded on a slow machine.
 * - `sendMessage`: queued SEI user_data_unregistered NAL units go into the next encoded frame
 *   (spec §3 `sendMessage`).
 * - Errors: an encoder error restarts the encoder (1104) up to `maxRestarts` times within a minute;
 *   beyond that the encoder fails with −1303.
 */
import { LivePusherError, StatusCode } from '../../core/codes.js';
import { parseAvcDecoderConfigurationRecord } from '../../media/avc/config-record.js';
import { buildUserDataUnregisteredSei } from '../../media/avc/sei.js';
import { FlvTagType, type FlvTag } from '../../media/flv/tag.js';
import { buildAvcVideoTag } from '../../media/flv/video.js';
import { buildNaluTagBody } from './avc-tags.js';
import type { SessionClock } from './clock.js';

/**
 * The UUID (uuid_iso_iec_11578, H.264 §D.1.6) that marks this package's `sendMessage` payloads:
 * a player that looks for it finds the app's text and skips other SEI.
 */
export const SEND_MESSAGE_UUID = new Uint8Array([
  0x6c, 0x69, 0x76, 0x65, 0x2d, 0x70, 0x75, 0x73, 0x68, 0x65, 0x72, 0x2d, 0x6d, 0x73, 0x67, 0x31,
]); // "live-pusher-msg1"

/** H.264 profile of the stream. Baseline is what every software and hardware encoder can do. */
export type AvcProfile = 'baseline' | 'main' | 'high';

/** Which encoder implementation runs. */
export type Acceleration = 'hardware' | 'software';

/** What the element turns into status codes. */
export type H264EncoderEvent =
  /** Encoding began (status 1008). */
  | { type: 'started'; acceleration: Acceleration; codec: string }
  /** Hardware refused or failed; software runs now (status 1103). */
  | { type: 'software-fallback'; reason: string }
  /** The encoder failed and was restarted (status 1104). */
  | { type: 'restarted'; error: Error }
  /** The encoder cannot continue (status −1303); it is closed. */
  | { type: 'failed'; error: LivePusherError };

export interface H264EncoderOptions {
  /** Pushed size; must match the frames given to encode(). */
  width: number;
  height: number;
  /** Frames per second the source delivers (for rate control). */
  fps: number;
  /** Target bitrate in bits per second. */
  bitrate: number;
  clock: SessionClock;
  /** Receives the sequence header, then one tag per encoded frame. */
  onTag(tag: FlvTag): void;
  onEvent?(event: H264EncoderEvent): void;
  /** Seconds between key frames. Default 2. */
  gopSeconds?: number;
  /** Default 'baseline'. */
  profile?: AvcProfile;
  /** Frames allowed to wait inside the encoder before new ones are dropped. Default 2. */
  maxQueue?: number;
  /** Try hardware first. Default true. */
  preferHardware?: boolean;
  /** Restarts allowed per minute before failing with −1303. Default 3. */
  maxRestarts?: number;
}

/** Counters for netstatus (videoFPS, videoBitrate, videoGOP). */
export interface H264EncoderStats {
  /** Frames given to the encoder. */
  encoded: number;
  /** Frames dropped because the encoder was backed up or restarting. */
  dropped: number;
  /** Encoded frames that came out (tags emitted, sequence headers not counted). */
  output: number;
  keyframes: number;
  /** Bytes of tag bodies emitted. */
  bytes: number;
  /** SEI messages written into the stream. */
  messages: number;
}

/** encode() options, shared rather than allocated per frame. */
const KEY_FRAME: VideoEncoderEncodeOptions = Object.freeze({ keyFrame: true });
const DELTA_FRAME: VideoEncoderEncodeOptions = Object.freeze({ keyFrame: false });

/** H.264 levels (Table A-1): level_idc, MaxFS (macroblocks per frame), MaxMBPS (macroblocks per second). */
const LEVELS: ReadonlyArray<readonly [number, number, number]> = [
  [0x1f, 3600, 108000], // 3.1
  [0x20, 5120, 216000], // 3.2
  [0x28, 8192, 245760], // 4.0
  [0x2a, 8704, 522240], // 4.2
  [0x32, 22080, 589824], // 5.0
  [0x33, 36864, 983040], // 5.1
];

const PROFILE_BYTES: Record<AvcProfile, string> = { baseline: '4200', main: '4d00', high: '6400' };

/** The `avc1.PPCCLL` codec string for a profile, size and frame rate (RFC 6381 §3.3). */
export function avcCodecFor(profile: AvcProfile, width: number, height: number, fps: number): string {
  const frameMbs = Math.ceil(width / 16) * Math.ceil(height / 16);
  const level = LEVELS.find(([, maxFs, maxMbps]) => frameMbs <= maxFs && frameMbs * fps <= maxMbps) ?? LEVELS[LEVELS.length - 1]!;
  return `avc1.${PROFILE_BYTES[profile]}${level[0].toString(16).padStart(2, '0')}`;
}

/**
 * Finds a configuration the browser supports, hardware first when asked. Resolves null when
 * neither works (status −1305, unsupported resolution).
 */
export async function findH264Config(
  options: Pick<H264EncoderOptions, 'width' | 'height' | 'fps' | 'bitrate' | 'profile' | 'preferHardware'>,
): Promise<{ config: VideoEncoderConfig; acceleration: Acceleration } | null> {
  if (typeof VideoEncoder === 'undefined') return null;
  const base: VideoEncoderConfig = {
    codec: avcCodecFor(options.profile ?? 'baseline', options.width, options.height, options.fps),
    width: options.width,
    height: options.height,
    bitrate: options.bitrate,
    framerate: options.fps,
    latencyMode: 'realtime',
    avc: { format: 'avc' },
  };
  if (options.preferHardware ?? true) {
    const config = { ...base, hardwareAcceleration: 'prefer-hardware' as const };
    if ((await VideoEncoder.isConfigSupported(config)).supported) return { config, acceleration: 'hardware' };
  }
  const config = { ...base, hardwareAcceleration: 'prefer-software' as const };
  if ((await VideoEncoder.isConfigSupported(config)).supported) return { config, acceleration: 'software' };
  return null;
}

/** H.264 encoder producing FLV video tags. Create with {@link H264Encoder.create}. */
export class H264Encoder {
  readonly stats: H264EncoderStats = { encoded: 0, dropped: 0, output: 0, keyframes: 0, bytes: 0, messages: 0 };
  private readonly options: H264EncoderOptions;
  private config: VideoEncoderConfig;
  private _acceleration: Acceleration;
  private encoder: VideoEncoder;
  private readonly gopUs: number;
  private readonly maxQueue: number;
  private lastKeyUs: number | null = null;
  private forceKey = true;
  private lengthSize: 1 | 2 | 4 = 4;
  private lastDescription: Uint8Array | null = null;
  private pendingSei: Uint8Array[] = [];
  private restarts: number[] = [];
  private closed = false;
  private started = false;

  private constructor(options: H264EncoderOptions, config: VideoEncoderConfig, acceleration: Acceleration) {
    this.options = options;
    this.config = config;
    this._acceleration = acceleration;
    this.gopUs = (options.gopSeconds ?? 2) * 1e6;
    this.maxQueue = options.maxQueue ?? 2;
    this.encoder = this.createEncoder();
  }

  /**
   * Picks a supported configuration (hardware first when preferred) and starts the encoder.
   * A machine without a hardware encoder simply gets software: 1103 ('software-fallback') is for
   * a hardware encoder that fails while running, as in the mini-program, not for one that was
   * never there. Throws {@link LivePusherError} −1305 when no H.264 encoder accepts the size.
   */
  static async create(options: H264EncoderOptions): Promise<H264Encoder> {
    for (const [name, v] of [['width', options.width], ['height', options.height], ['fps', options.fps], ['bitrate', options.bitrate]] as const) {
      if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new TypeError(`H264Encoder: options.${name} must be a positive number, got ${v}`);
    }
    const found = await findH264Config(options);
    if (!found) {
      throw new LivePusherError(StatusCode.UnsupportedResolution, `no H.264 encoder accepts ${options.width}×${options.height} at ${options.fps} fps`);
    }
    return new H264Encoder(options, found.config, found.acceleration);
  }

  /** 'hardware' or 'software': the implementation in use. */
  get acceleration(): Acceleration {
    return this._acceleration;
  }

  /** The codec string in use (avc1.PPCCLL). */
  get codec(): string {
    return this.config.codec;
  }

  /** Frames waiting inside the encoder (netstatus videoCache's encoder part). */
  get queueSize(): number {
    return this.closed ? 0 : this.encoder.encodeQueueSize;
  }

  /**
   * Encodes `frame` (timestamp in µs on the session clock) or drops it when the encoder is backed
   * up. Takes ownership: the frame is closed either way.
   */
  encode(frame: VideoFrame): void {
    try {
      if (this.closed || this.encoder.state !== 'configured' || this.encoder.encodeQueueSize > this.maxQueue) {
        this.stats.dropped++;
        return;
      }
      const keyFrame = this.forceKey || this.lastKeyUs === null || frame.timestamp - this.lastKeyUs >= this.gopUs;
      if (keyFrame) {
        this.forceKey = false;
        this.lastKeyUs = frame.timestamp;
      }
      this.encoder.encode(frame, keyFrame ? KEY_FRAME : DELTA_FRAME);
      this.stats.encoded++;
    } finally {
      frame.close();
    }
  }

  /**
   * Queues `message` (text as UTF-8, or bytes) as an SEI user_data_unregistered message with
   * {@link SEND_MESSAGE_UUID}; it goes into the next encoded frame.
   */
  sendMessage(message: string | Uint8Array): void {
    if (this.closed) throw new Error('H264Encoder.sendMessage: the encoder is closed');
    this.pendingSei.push(buildUserDataUnregisteredSei(SEND_MESSAGE_UUID, message));
  }

  /** The next frame will be a key frame. */
  requestKeyFrame(): void {
    this.forceKey = true;
  }

  /**
   * Changes the target bitrate (adaptive bitrate, status 1006). Reconfigures the running encoder:
   * WebCodecs applies a configure() with the same codec and size without a new stream where the
   * implementation can (Chromium does for its software and most hardware encoders).
   */
  setBitrate(bitrate: number): void {
    if (!(bitrate > 0 && Number.isFinite(bitrate))) throw new RangeError(`H264Encoder.setBitrate: bitrate must be positive, got ${bitrate}`);
    if (this.closed || bitrate === this.config.bitrate) return;
    this.config = { ...this.config, bitrate };
    this.encoder.configure(this.config);
  }

  /**
   * Changes the encoded size (adaptive resolution, status 1005; orientation). The running encoder
   * is reconfigured with the level the new size needs; a new sequence header and a key frame
   * follow. Frames of the old size still queued come out first.
   */
  setSize(width: number, height: number): void {
    for (const [name, v] of [['width', width], ['height', height]] as const) {
      if (!(Number.isInteger(v) && v > 0 && v % 2 === 0)) throw new RangeError(`H264Encoder.setSize: ${name} must be a positive even integer, got ${v}`);
    }
    if (this.closed || (width === this.config.width && height === this.config.height)) return;
    const profile = this.options.profile ?? 'baseline';
    this.config = { ...this.config, width, height, codec: avcCodecFor(profile, width, height, this.options.fps) };
    this.forceKey = true;
    this.encoder.configure(this.config);
  }

  /** Waits for every queued frame to come out. */
  async flush(): Promise<void> {
    if (this.closed || this.encoder.state !== 'configured') return;
    await this.encoder.flush();
  }

  /** Stops encoding; queued frames are discarded. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pendingSei = [];
    if (this.encoder.state !== 'closed') this.encoder.close();
  }

  private createEncoder(): VideoEncoder {
    const encoder = new VideoEncoder({
      output: (chunk, metadata) => this.handleOutput(encoder, chunk, metadata),
      error: (error) => this.handleError(encoder, error),
    });
    encoder.configure(this.config);
    return encoder;
  }

  private handleOutput(source: VideoEncoder, chunk: EncodedVideoChunk, metadata?: EncodedVideoChunkMetadata): void {
    if (this.closed || source !== this.encoder) return;
    const timestamp = this.options.clock.flvTimestamp(chunk.timestamp);
    const description = metadata?.decoderConfig?.description;
    if (description) {
      const record = toBytes(description);
      if (!this.lastDescription || !sameBytes(record, this.lastDescription)) {
        this.lengthSize = parseAvcDecoderConfigurationRecord(record).lengthSize;
        this.lastDescription = record;
        this.emit({ type: FlvTagType.Video, timestamp, data: buildAvcVideoTag({ kind: 'sequence-header', config: record }) });
      }
    }
    if (!this.lastDescription) {
      // A frame without a preceding AVCDecoderConfigurationRecord cannot be decoded by anyone.
      this.handleError(source, new DOMException('VideoEncoder output came before its decoderConfig', 'EncodingError'));
      return;
    }
    if (!this.started) {
      this.started = true;
      this.options.onEvent?.({ type: 'started', acceleration: this._acceleration, codec: this.config.codec });
    }
    const keyframe = chunk.type === 'key';
    if (keyframe) {
      this.stats.keyframes++;
      if (this.lastKeyUs === null || chunk.timestamp > this.lastKeyUs) this.lastKeyUs = chunk.timestamp;
    }
    const sei = this.pendingSei;
    if (sei.length > 0) {
      this.pendingSei = [];
      this.stats.messages += sei.length;
    }
    const body = buildNaluTagBody(chunk, keyframe, sei, this.lengthSize);
    this.stats.output++;
    this.emit({ type: FlvTagType.Video, timestamp, data: body });
  }

  private emit(tag: FlvTag): void {
    this.stats.bytes += tag.data.length;
    this.options.onTag(tag);
  }

  private handleError(source: VideoEncoder, error: Error): void {
    if (this.closed || source !== this.encoder) return;
    if (source.state !== 'closed') source.close();
    const now = performance.now();
    this.restarts = this.restarts.filter((t) => now - t < 60_000);
    const fallback = this._acceleration === 'hardware';
    if (fallback) {
      // A hardware encoder that fails at run time (driver reset, session limit) gets replaced by
      // software rather than retried.
      this._acceleration = 'software';
      this.config = { ...this.config, hardwareAcceleration: 'prefer-software' };
      this.options.onEvent?.({ type: 'software-fallback', reason: `hardware encoder failed: ${error.message}` });
    } else if (this.restarts.length >= (this.options.maxRestarts ?? 3)) {
      this.close();
      this.options.onEvent?.({
        type: 'failed',
        error: new LivePusherError(StatusCode.VideoEncodeFailed, `video encoder failed ${this.restarts.length + 1} times in a minute: ${error.message}`, {
          cause: error,
        }),
      });
      return;
    }
    this.restarts.push(now);
    this.forceKey = true;
    try {
      this.encoder = this.createEncoder();
    } catch (e) {
      this.close();
      this.options.onEvent?.({ type: 'failed', error: new LivePusherError(StatusCode.VideoEncodeFailed, `video encoder could not restart: ${String(e)}`, { cause: e }) });
      return;
    }
    if (!fallback) this.options.onEvent?.({ type: 'restarted', error });
  }
}

function toBytes(source: AllowSharedBufferSource): Uint8Array {
  if (source instanceof Uint8Array) return source.slice();
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice();
  return new Uint8Array(source).slice();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
