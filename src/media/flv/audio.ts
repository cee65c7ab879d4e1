/**
 * AAC audio tag bodies (FLV spec v10.1 §E.4.2.1 AUDIODATA / AudioTagHeader), and just enough of
 * the AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1) to describe a stream in onMetaData.
 */
import { BitReader } from '../bytes/bit-reader.js';
import { ByteReader } from '../bytes/byte-reader.js';
import { ByteWriter } from '../bytes/byte-writer.js';
import { FormatError } from '../errors.js';

/** SoundFormat (UB[4]) values of the AudioTagHeader. Only AAC bodies are built and parsed here. */
export const SoundFormat = {
  LinearPcmPlatformEndian: 0,
  Adpcm: 1,
  Mp3: 2,
  LinearPcmLittleEndian: 3,
  Nellymoser16kMono: 4,
  Nellymoser8kMono: 5,
  Nellymoser: 6,
  G711ALaw: 7,
  G711MuLaw: 8,
  Aac: 10,
  Speex: 11,
  Mp3_8k: 14,
  DeviceSpecific: 15,
} as const;
export type SoundFormat = (typeof SoundFormat)[keyof typeof SoundFormat];

/** SoundRate (UB[2]). */
export const SoundRate = { Rate5_5k: 0, Rate11k: 1, Rate22k: 2, Rate44k: 3 } as const;
export type SoundRate = (typeof SoundRate)[keyof typeof SoundRate];

/** AACPacketType (UI8), present when SoundFormat = 10. */
export const AacPacketType = {
  /** Body is an AudioSpecificConfig. */
  SequenceHeader: 0,
  /** Body is one raw AAC frame (no ADTS header). */
  Raw: 1,
} as const;
export type AacPacketType = (typeof AacPacketType)[keyof typeof AacPacketType];

/** A parsed or to-be-built AAC audio tag body, by AACPacketType. */
export type AacAudioTag =
  | {
      kind: 'sequence-header';
      /** AudioSpecificConfig bytes. */
      config: Uint8Array;
    }
  | {
      kind: 'raw';
      /** One raw AAC access unit. */
      data: Uint8Array;
    };

/** The AudioTagHeader bits of a parsed AAC tag, for checking what the sender declared. */
export interface AacAudioTagHeader {
  soundRate: SoundRate;
  /** SoundSize: true for 16-bit samples. */
  sixteenBit: boolean;
  /** SoundType: true for stereo. */
  stereo: boolean;
}

/*
 * AudioTagHeader for AAC (§E.4.2.1), 2 bytes, then the body:
 *
 *   0                                        1
 *  +-------------+-----------+-------+-------+----------------+
 *  | SoundFormat | SoundRate | Sound | Sound | AACPacketType  |
 *  | UB[4] = 10  | UB[2]     | Size  | Type  | UI8            |
 *  +-------------+-----------+-------+-------+----------------+
 *
 * For AAC the spec fixes SoundRate = 3 (44 kHz), SoundSize = 1 (16-bit), SoundType = 1 (stereo):
 * the decoder takes the real rate and channels from the AudioSpecificConfig. So the first byte
 * is always 0xAF.
 */

/** Length of the AAC AudioTagHeader. */
export const AAC_AUDIO_TAG_HEADER_SIZE = 2;

/** Builds an AAC audio tag body. */
export function buildAacAudioTag(tag: AacAudioTag): Uint8Array {
  const payload = tag.kind === 'sequence-header' ? tag.config : tag.data;
  const w = new ByteWriter(AAC_AUDIO_TAG_HEADER_SIZE + payload.length);
  w.writeU8((SoundFormat.Aac << 4) | (SoundRate.Rate44k << 2) | (1 << 1) | 1); // SoundFormat, SoundRate, SoundSize, SoundType
  switch (tag.kind) {
    case 'sequence-header':
      w.writeU8(AacPacketType.SequenceHeader); // AACPacketType
      break;
    case 'raw':
      w.writeU8(AacPacketType.Raw); // AACPacketType
      break;
    default:
      assertNever(tag);
  }
  w.writeBytes(payload); // AudioSpecificConfig or raw AAC frame
  return w.toBytes();
}

/** Reads SoundFormat from any audio tag body. */
export function parseSoundFormat(body: Uint8Array): number {
  return new ByteReader(body).readU8() >>> 4;
}

/**
 * Parses an AAC audio tag body; `config`/`data` are views into `body`. Throws
 * {@link FormatError} for other formats, unknown AACPacketTypes and an empty sequence header.
 */
export function parseAacAudioTag(body: Uint8Array): AacAudioTag & AacAudioTagHeader {
  const r = new ByteReader(body);
  const first = r.readU8();
  const format = first >>> 4;
  if (format !== SoundFormat.Aac) throw new FormatError(`audio SoundFormat ${format} is not AAC (10)`);
  const header: AacAudioTagHeader = {
    soundRate: ((first >>> 2) & 3) as SoundRate,
    sixteenBit: (first & 2) !== 0,
    stereo: (first & 1) !== 0,
  };
  const packetType = r.readU8();
  switch (packetType) {
    case AacPacketType.SequenceHeader:
      if (r.remaining < 2) throw new FormatError('AAC sequence header has no AudioSpecificConfig');
      return { kind: 'sequence-header', config: r.readBytes(r.remaining), ...header };
    case AacPacketType.Raw:
      return { kind: 'raw', data: r.readBytes(r.remaining), ...header };
    default:
      throw new FormatError(`unknown AACPacketType ${packetType}`);
  }
}

/** The AudioSpecificConfig fields that describe a stream (ISO/IEC 14496-3 §1.6.2.1). */
export interface AudioSpecificConfigInfo {
  /** audioObjectType: 2 = AAC LC, 5 = SBR (HE-AAC), 29 = PS. */
  objectType: number;
  /** samplingFrequencyIndex, or 15 when the frequency is given explicitly. */
  samplingFrequencyIndex: number;
  /** Sampling frequency in Hz. */
  sampleRate: number;
  /** channelConfiguration: 1 = mono, 2 = stereo, 0 = defined in a program config element. */
  channelConfiguration: number;
}

/** Sampling frequencies by samplingFrequencyIndex (ISO/IEC 14496-3 Table 1.18). */
const SAMPLING_FREQUENCIES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/**
 * Reads object type, sample rate and channels from an AudioSpecificConfig. Throws
 * {@link FormatError} on reserved values or truncation.
 */
export function parseAudioSpecificConfigInfo(config: Uint8Array): AudioSpecificConfigInfo {
  const r = new BitReader(config);
  // audioObjectType: 5 bits; 31 is an escape to 32 + the next 6 bits (§1.6.2.1 GetAudioObjectType).
  let objectType = r.readBits(5);
  if (objectType === 31) objectType = 32 + r.readBits(6);
  if (objectType === 0) throw new FormatError('AudioSpecificConfig has audioObjectType 0 (null object)');
  const samplingFrequencyIndex = r.readBits(4);
  let sampleRate: number;
  if (samplingFrequencyIndex === 0xf) {
    sampleRate = r.readBits(24); // samplingFrequency
    if (sampleRate === 0) throw new FormatError('AudioSpecificConfig has an explicit sampling frequency of 0');
  } else {
    const known = SAMPLING_FREQUENCIES[samplingFrequencyIndex];
    if (known === undefined) throw new FormatError(`reserved samplingFrequencyIndex ${samplingFrequencyIndex}`);
    sampleRate = known;
  }
  const channelConfiguration = r.readBits(4);
  if (channelConfiguration > 7 && channelConfiguration < 11) {
    // 8–10 are reserved; 11–14 were added by later amendments.
    throw new FormatError(`reserved channelConfiguration ${channelConfiguration}`);
  }
  return { objectType, samplingFrequencyIndex, sampleRate, channelConfiguration };
}

function assertNever(value: never): never {
  throw new TypeError(`unexpected AAC audio tag ${JSON.stringify(value)}`);
}
