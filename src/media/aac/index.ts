/**
 * The project's own AAC-LC encoder (ISO/IEC 14496-3), platform-neutral: a WebCodecs-shaped
 * encoder, its worker protocol and client, AudioSpecificConfig and ADTS framing.
 */
export { AacEncoder, DOMExceptionLike } from './encoder.js';
export type {
  AacAudioInput,
  AacChunk,
  AacChunkMetadata,
  AacEncoderInit,
  AacEncoderOptions,
  AacEncoderState,
  AudioDataLike,
} from './encoder.js';
export { AAC_LC_CODEC, DEFAULT_BITRATE, MAX_BITRATE, MIN_BITRATE, audioSpecificConfig } from './config.js';
export type { AacEncoderConfig } from './config.js';
export { ADTS_HEADER_LENGTH, adtsFrame } from './adts.js';
export { AacWorkerClient } from './worker-client.js';
export { serveAacEncoder } from './worker-host.js';
export type * from './worker-protocol.js';
export { isAacWorkerRequest } from './worker-protocol.js';
export { readWav } from './wav.js';
export type { WavAudio } from './wav.js';
