/**
 * Entry point of the AAC encoder worker: `new Worker(new URL('./worker.js', import.meta.url),
 * { type: 'module' })`, then talk to it with {@link AacWorkerClient}.
 */
import { serveAacEncoder } from './worker-host.js';
import type { MessagePortLike } from './worker-protocol.js';

serveAacEncoder(self as unknown as MessagePortLike);
