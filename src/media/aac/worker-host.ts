import { AacEncoder } from './encoder.js';
import type { AacChunk, AacChunkMetadata } from './encoder.js';
import { isAacWorkerRequest } from './worker-protocol.js';
import type { AacWorkerCommand, AacWorkerOutput, AacWorkerResponse, MessagePortLike } from './worker-protocol.js';

/**
 * The worker side of the protocol, bound to any port: worker.ts attaches it to `self`, tests to
 * one end of a MessageChannel. One encoder per port; requests are handled in arrival order.
 * Returns a function that detaches it.
 */
export function serveAacEncoder(port: MessagePortLike): () => void {
  let encoder: AacEncoder | null = null;
  let pending: AacWorkerOutput = { chunks: [] };
  let failure: Error | null = null;

  const onOutput = (chunk: AacChunk, metadata?: AacChunkMetadata): void => {
    pending.chunks.push({ timestamp: chunk.timestamp, duration: chunk.duration, data: chunk.data });
    if (metadata?.decoderConfig) pending.decoderConfig = metadata.decoderConfig;
  };

  const run = async (command: AacWorkerCommand): Promise<AacWorkerOutput | null> => {
    switch (command.type) {
      case 'configure':
        encoder?.close();
        failure = null;
        encoder = new AacEncoder({ output: onOutput, error: (e) => (failure = e) }, command.options);
        encoder.configure(command.config);
        return null;
      case 'encode':
        requireEncoder(encoder).encode(command);
        return takeOutput();
      case 'flush':
        await requireEncoder(encoder).flush();
        return takeOutput();
      case 'close':
        encoder?.close();
        encoder = null;
        return null;
      default: {
        const never: never = command;
        throw new TypeError(`unknown command ${JSON.stringify((never as { type: unknown }).type)}`);
      }
    }
  };

  const takeOutput = (): AacWorkerOutput => {
    if (failure) throw failure;
    const out = pending;
    pending = { chunks: [] };
    return out;
  };

  // Requests run one after another, so answers (and their chunks) keep the order of requests.
  let queue: Promise<void> = Promise.resolve();
  const listener = (event: { data: unknown }): void => {
    const message = event.data;
    if (!isAacWorkerRequest(message)) return;
    queue = queue.then(() => handle(message.id, message.command));
  };
  const handle = (id: number, command: AacWorkerCommand): Promise<void> =>
    run(command).then(
      (data) => {
        const response: AacWorkerResponse = { id, success: true, data };
        port.postMessage(response, data ? data.chunks.map((c) => c.data.buffer) : []);
      },
      (e: unknown) => {
        pending = { chunks: [] };
        const error = e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
        const response: AacWorkerResponse = { id, success: false, error };
        port.postMessage(response, []);
      },
    );
  port.addEventListener('message', listener);
  port.start?.();
  return () => port.removeEventListener('message', listener);
}

function requireEncoder(encoder: AacEncoder | null): AacEncoder {
  if (!encoder) {
    const e = new Error('the worker has no configured encoder');
    e.name = 'InvalidStateError';
    throw e;
  }
  return encoder;
}
