import type { AacEncoderConfig } from './config.js';
import { DOMExceptionLike } from './encoder.js';
import type { AacAudioInput, AacChunk, AacChunkMetadata, AacEncoderInit, AacEncoderOptions, AacEncoderState } from './encoder.js';
import type { AacWorkerCommand, AacWorkerOutput, AacWorkerResponse, MessagePortLike } from './worker-protocol.js';

/**
 * The AacEncoder API, with the encoding done in a worker (or behind any port that speaks the
 * protocol of worker-protocol.ts). encode() transfers the planes' buffers to the worker: the
 * caller must not reuse them. Chunks arrive through `output` as the worker answers, in order.
 */
export class AacWorkerClient {
  private readonly port: MessagePortLike;
  private readonly init: AacEncoderInit;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (data: AacWorkerOutput | null) => void; reject: (e: Error) => void }>();
  private _state: AacEncoderState = 'unconfigured';
  private readonly listener = (event: { data: unknown }): void => this.onMessage(event.data);

  constructor(port: MessagePortLike, init: AacEncoderInit) {
    if (typeof init?.output !== 'function' || typeof init.error !== 'function') {
      throw new TypeError('AacWorkerClient: init needs output and error functions');
    }
    this.port = port;
    this.init = init;
    port.addEventListener('message', this.listener);
    port.start?.();
  }

  get state(): AacEncoderState {
    return this._state;
  }

  /** Requests sent and not yet answered. */
  get encodeQueueSize(): number {
    return this.waiting.size;
  }

  configure(config: AacEncoderConfig, options?: AacEncoderOptions): void {
    this.assertOpen('configure');
    this._state = 'configured';
    void this.send({ type: 'configure', config, ...(options ? { options } : {}) }, []).catch((e: Error) => this.fail(e));
  }

  encode(data: AacAudioInput): void {
    this.assertOpen('encode');
    if (this._state !== 'configured') throw new DOMExceptionLike('InvalidStateError', 'AacWorkerClient.encode: not configured');
    const planes = data.planes.map((p) => (p.byteOffset === 0 && p.byteLength === p.buffer.byteLength ? p : p.slice()));
    const command: AacWorkerCommand = {
      type: 'encode',
      timestamp: data.timestamp,
      sampleRate: data.sampleRate,
      numberOfChannels: data.numberOfChannels,
      planes,
    };
    void this.send(command, planes.map((p) => p.buffer)).then(
      (out) => this.deliver(out),
      (e: Error) => this.fail(e),
    );
  }

  /** Resolves once every chunk of the input given so far has been output. */
  async flush(): Promise<void> {
    this.assertOpen('flush');
    this.deliver(await this.send({ type: 'flush' }, []));
  }

  close(): void {
    if (this._state === 'closed') return;
    this._state = 'closed';
    void this.send({ type: 'close' }, []).catch(() => undefined);
    this.port.removeEventListener('message', this.listener);
    for (const { reject } of this.waiting.values()) reject(new DOMExceptionLike('AbortError', 'AacWorkerClient closed'));
    this.waiting.clear();
  }

  private send(command: AacWorkerCommand, transfer: Transferable[]): Promise<AacWorkerOutput | null> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.port.postMessage({ id, command }, transfer);
    });
  }

  private onMessage(message: unknown): void {
    const response = message as AacWorkerResponse;
    const entry = typeof response?.id === 'number' ? this.waiting.get(response.id) : undefined;
    if (!entry) return;
    this.waiting.delete(response.id);
    if (response.success) entry.resolve(response.data);
    else entry.reject(new DOMExceptionLike(response.error.name, response.error.message));
  }

  private deliver(out: AacWorkerOutput | null): void {
    if (!out || this._state === 'closed') return;
    out.chunks.forEach((c, i) => {
      const chunk: AacChunk = { type: 'key', timestamp: c.timestamp, duration: c.duration, byteLength: c.data.length, data: c.data };
      const metadata: AacChunkMetadata | undefined =
        i === 0 && out.decoderConfig ? { decoderConfig: { ...out.decoderConfig, codec: 'mp4a.40.2' } } : undefined;
      if (metadata) this.init.output(chunk, metadata);
      else this.init.output(chunk);
    });
  }

  private fail(e: Error): void {
    if (this._state === 'closed') return;
    this.close();
    this.init.error(e);
  }

  private assertOpen(method: string): void {
    if (this._state === 'closed') throw new DOMExceptionLike('InvalidStateError', `AacWorkerClient.${method}: closed`);
  }
}
