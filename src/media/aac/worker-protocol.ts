import type { AacEncoderConfig } from './config.js';
import type { AacEncoderOptions } from './encoder.js';

/**
 * The message protocol between {@link AacWorkerClient} and the encoder worker (worker.ts).
 *
 * Every request is `{ id, command }` and gets exactly one answer `{ id, success, data | error }`
 * with the same id. PCM planes travel to the worker and encoded chunks travel back as
 * transferred ArrayBuffers, so no sample is copied between threads.
 */

/** A port that carries structured-clone messages: a Worker, `self` inside one, a MessagePort. */
export interface MessagePortLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  /** MessagePorts deliver to addEventListener listeners only once started. */
  start?(): void;
}

export type AacWorkerCommand =
  | { type: 'configure'; config: AacEncoderConfig; options?: AacEncoderOptions }
  | { type: 'encode'; timestamp: number; sampleRate: number; numberOfChannels: number; planes: Float32Array[] }
  | { type: 'flush' }
  | { type: 'close' };

export interface AacWorkerRequest {
  id: number;
  command: AacWorkerCommand;
}

/** An encoded chunk as it crosses the thread boundary. */
export interface AacWorkerChunk {
  timestamp: number;
  duration: number;
  data: Uint8Array;
}

/** What 'encode' and 'flush' answer: the chunks they completed, and on the very first one the decoder config. */
export interface AacWorkerOutput {
  chunks: AacWorkerChunk[];
  decoderConfig?: { codec: string; sampleRate: number; numberOfChannels: number; description: Uint8Array };
}

export interface AacWorkerError {
  /** Error name: 'TypeError' for bad input, 'InvalidStateError', 'EncodingError', … */
  name: string;
  message: string;
}

export type AacWorkerResponse =
  | { id: number; success: true; data: AacWorkerOutput | null }
  | { id: number; success: false; error: AacWorkerError };

/** Narrows an incoming message to a request. */
export function isAacWorkerRequest(message: unknown): message is AacWorkerRequest {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as { id?: unknown; command?: { type?: unknown } };
  return typeof m.id === 'number' && typeof m.command === 'object' && m.command !== null && typeof m.command.type === 'string';
}
