import { MAX_BITS_PER_CHANNEL, SAMPLE_RATE_INDEX } from './constants.js';

/**
 * Encoder configuration: what is supported, the AudioSpecificConfig that describes the stream,
 * and the audio bandwidth chosen for a bitrate.
 */

/** Configuration accepted by {@link AacEncoder.configure}, shaped like WebCodecs' AudioEncoderConfig. */
export interface AacEncoderConfig {
  /** 48000, 44100, 32000, 24000, 22050 or 16000. */
  sampleRate: number;
  /** 1 or 2. */
  numberOfChannels: number;
  /**
   * Target bitrate in bits per second, 32000–256000 (default 128000); clamped to what the
   * decoder buffer allows at low sampling rates (6144 bits per channel per frame).
   */
  bitrate?: number;
  /** WebCodecs codec string; only 'mp4a.40.2' (AAC-LC) is accepted when given. */
  codec?: string;
}

export const AAC_LC_CODEC = 'mp4a.40.2';
export const MIN_BITRATE = 32_000;
export const MAX_BITRATE = 256_000;
export const DEFAULT_BITRATE = 128_000;

/** A configuration with every field checked and defaulted. @internal */
export interface ResolvedConfig {
  readonly sampleRate: number;
  readonly numberOfChannels: 1 | 2;
  readonly bitrate: number;
}

/** Why `config` is not supported, or null when it is. @internal */
export function configProblem(config: AacEncoderConfig): string | null {
  if (config.codec !== undefined && config.codec !== AAC_LC_CODEC) {
    return `codec must be '${AAC_LC_CODEC}', got '${config.codec}'`;
  }
  if (!SAMPLE_RATE_INDEX.has(config.sampleRate)) {
    return `sampleRate must be one of ${[...SAMPLE_RATE_INDEX.keys()].join(', ')}; got ${config.sampleRate}`;
  }
  if (config.numberOfChannels !== 1 && config.numberOfChannels !== 2) {
    return `numberOfChannels must be 1 or 2; got ${config.numberOfChannels}`;
  }
  const bitrate = config.bitrate ?? DEFAULT_BITRATE;
  if (!Number.isFinite(bitrate) || bitrate < MIN_BITRATE || bitrate > MAX_BITRATE) {
    return `bitrate must be within ${MIN_BITRATE}–${MAX_BITRATE}; got ${bitrate}`;
  }
  return null;
}

/** Checks a configuration; throws TypeError naming the offending property. @internal */
export function resolveConfig(config: AacEncoderConfig): ResolvedConfig {
  const problem = configProblem(config);
  if (problem) throw new TypeError(`AacEncoder config: ${problem}`);
  const numberOfChannels = config.numberOfChannels as 1 | 2;
  return {
    sampleRate: config.sampleRate,
    numberOfChannels,
    bitrate: Math.min(config.bitrate ?? DEFAULT_BITRATE, maxBitrate(config.sampleRate, numberOfChannels)),
  };
}

/**
 * The highest bitrate a stream can hold: a decoder buffers at most 6144 bits per channel
 * (§4.5.3.2), so no frame may be larger, e.g. 96 kbit/s per channel at 16 kHz. Higher requests
 * are clamped to it.
 * @internal
 */
export function maxBitrate(sampleRate: number, numberOfChannels: number): number {
  return Math.floor((MAX_BITS_PER_CHANNEL * numberOfChannels * sampleRate) / 1024);
}

/**
 * AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1) for AAC-LC: audioObjectType 2 (5 bits),
 * samplingFrequencyIndex (4), channelConfiguration (4), then GASpecificConfig with
 * frameLengthFlag, dependsOnCoreCoder and extensionFlag all 0: 16 bits in total.
 */
export function audioSpecificConfig(sampleRate: number, numberOfChannels: number): Uint8Array {
  const index = SAMPLE_RATE_INDEX.get(sampleRate);
  if (index === undefined) throw new TypeError(`AudioSpecificConfig: unsupported sampleRate ${sampleRate}`);
  const bits = (2 << 11) | (index << 7) | (numberOfChannels << 3);
  return new Uint8Array([bits >>> 8, bits & 0xff]);
}

/**
 * Audio bandwidth in Hz kept at a bitrate: coding the top octave costs more bits than it is worth
 * at low rates, where the bits do more good below it. The figures follow common practice for
 * AAC-LC (about 11 kHz at 32 kbit/s per channel, 15–16 kHz at 48–64, full band from 96).
 * @internal
 */
export function bandwidthFor(bitrate: number, numberOfChannels: number, sampleRate: number): number {
  const perChannel = bitrate / numberOfChannels;
  let hz: number;
  if (perChannel < 24_000) hz = 7_000;
  else if (perChannel < 32_000) hz = 9_000;
  else if (perChannel < 48_000) hz = 11_000 + ((perChannel - 32_000) / 16_000) * 4_000;
  else if (perChannel < 64_000) hz = 15_000 + ((perChannel - 48_000) / 16_000) * 1_500;
  else if (perChannel < 96_000) hz = 16_500 + ((perChannel - 64_000) / 32_000) * 3_500;
  else hz = 20_000;
  return Math.min(hz, sampleRate / 2);
}
