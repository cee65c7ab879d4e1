/**
 * The project's AAC encoder in a worker (src/media/aac/worker.ts, bundled on its own as
 * dist/browser/aac-worker.js by scripts/bundle.mjs), as an {@link AacWorkerEncoderFactory} for
 * {@link AacTagEncoder}: AAC without blocking the main thread where WebCodecs has no AAC encoder.
 */
import type { AacAudioInput } from '../../media/aac/encoder.js';
import { AacWorkerClient } from '../../media/aac/worker-client.js';
import type { MessagePortLike } from '../../media/aac/worker-protocol.js';
import type { AacTagEncoder, AacWorkerEncoderFactory, AudioEncoderLike, AudioEncoderLikeInit } from './audio-encoder.js';

/** Starts a module Worker from `workerUrl` per encoder and talks to it with `AacWorkerClient`. */
export function aacWorkerEncoder(workerUrl: string | URL): AacWorkerEncoderFactory {
  return (init) => new AacWorkerAdapter(workerUrl, init);
}

/**
 * `AacWorkerClient` behind {@link AudioEncoderLike}. The client transfers the planes' buffers to
 * the worker; capture blocks are reused (pcm-tap-worklet.ts recycles them), so each block is
 * copied into fresh arrays that the transfer may take.
 */
class AacWorkerAdapter implements AudioEncoderLike {
  private readonly worker: Worker;
  private readonly client: AacWorkerClient;
  private readonly input: AacAudioInput = { timestamp: 0, sampleRate: 0, numberOfChannels: 0, planes: [] };

  constructor(workerUrl: string | URL, init: AudioEncoderLikeInit) {
    this.worker = new Worker(workerUrl, { type: 'module', name: 'live-pusher-aac' });
    // A worker that fails to load (404, CSP) only says so through an 'error' event.
    this.worker.addEventListener('error', (e) => init.error(new Error(`AAC worker ${String(workerUrl)} failed: ${e.message || 'could not load'}`)));
    this.client = new AacWorkerClient(this.worker as unknown as MessagePortLike, init);
  }

  get encodeQueueSize(): number {
    return this.client.encodeQueueSize;
  }

  configure(config: { codec: string; sampleRate: number; numberOfChannels: number; bitrate: number }): void {
    this.client.configure(config);
  }

  encode(input: AacAudioInput): void {
    this.input.timestamp = input.timestamp;
    this.input.sampleRate = input.sampleRate;
    this.input.numberOfChannels = input.numberOfChannels;
    this.input.planes = input.planes.map((p) => p.slice());
    this.client.encode(this.input);
  }

  flush(): Promise<void> {
    return this.client.flush();
  }

  close(): void {
    this.client.close();
    this.worker.terminate();
  }
}
