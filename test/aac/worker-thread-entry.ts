/**
 * Test bootstrap: runs the AAC worker entry (src/media/aac/worker.ts) inside a Node worker
 * thread, by giving it the `self` a browser worker has, backed by worker_threads' parentPort.
 */
import { parentPort } from 'node:worker_threads';

const port = parentPort!;
const listeners = new Map<(event: { data: unknown }) => void, (data: unknown) => void>();
(globalThis as { self?: unknown }).self = {
  postMessage: (message: unknown, transfer: Transferable[]) => port.postMessage(message, transfer as never),
  addEventListener: (_type: 'message', listener: (event: { data: unknown }) => void) => {
    const wrapped = (data: unknown) => listener({ data });
    listeners.set(listener, wrapped);
    port.on('message', wrapped);
  },
  removeEventListener: (_type: 'message', listener: (event: { data: unknown }) => void) => {
    const wrapped = listeners.get(listener);
    if (wrapped) port.off('message', wrapped);
  },
};
await import('../../src/media/aac/worker.js');
