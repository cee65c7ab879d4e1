/**
 * Node TCP/TLS transport. The only file in `transport/` that imports Node modules: the browser
 * uses the WebSocket tunnel instead.
 */
import net from 'node:net';
import type tls from 'node:tls';
import { LivePusherError, StatusCode } from '../core/codes.js';
import type { Transport, TransportHandlers, TransportTarget } from './transport.js';

export interface TcpTransportOptions {
  /** Give up connecting after this long (status 3002). Default 10 s. */
  connectTimeoutMs?: number;
  /** `write()` returns false above this many queued bytes. Default 1 MiB. */
  highWaterMark?: number;
  /** Extra TLS options for rtmps (CA, servername, rejectUnauthorized for test servers). */
  tls?: tls.ConnectionOptions;
}

/** Size of the buffers `write` batches into, and how many written ones are kept for reuse. */
const BATCH_BYTES = 256 * 1024;
const MAX_SPARE_BUFFERS = 8;

const DNS_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA']);

export class TcpTransport implements Transport {
  private socket: net.Socket | undefined;
  private closedBy: 'peer' | 'local' | undefined;
  readonly copiesWrites = true;
  /**
   * The bytes written in this event-loop turn, copied into one buffer that goes to the socket in
   * one write when the turn ends (or when it is full). A publisher writes a few messages per frame
   * and hundreds per turn when it sends as fast as it reads: a socket.write each, even corked,
   * cost more than the copy, and copying lets the publisher reuse its own memory. Buffers go
   * back to `spare` once the socket is done with them, so a push keeps touching the same pages.
   */
  private batch: Buffer | undefined;
  private batchBytes = 0;
  private readonly spare: Buffer[] = [];
  private flushScheduled = false;
  /** A write returned false while the socket's own queue was short: `drain` is ours to report. */
  private owesDrain = false;
  private onDrain: (() => void) | undefined;
  /** Every byte accepted by `write`, so `bytesSent` needs no walk of Node's write queue. */
  private written = 0;
  private readonly options: Required<Omit<TcpTransportOptions, 'tls'>> & { tls: tls.ConnectionOptions };

  constructor(options: TcpTransportOptions = {}) {
    this.options = {
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      highWaterMark: options.highWaterMark ?? 1 << 20,
      tls: options.tls ?? {},
    };
  }

  get bufferedAmount(): number {
    return (this.socket?.writableLength ?? 0) + this.batchBytes;
  }

  get bytesSent(): number {
    // Not `socket.bytesWritten`: that getter walks Node's whole write queue (~7 ms of bench/rtmp
    // when every message was a write of its own). writableLength counts what waits in Node's
    // queue or in libuv, in O(1).
    const socket = this.socket;
    return socket ? this.written - this.batchBytes - socket.writableLength : 0;
  }

  async open(target: TransportTarget, handlers: TransportHandlers): Promise<void> {
    // Resolve first, separately, so that a name that does not resolve is 3001, not 3002.
    let address: string;
    try {
      // node:dns and node:tls load on demand: an rtmp:// URL with an address needs neither, and
      // loading them is a measurable part of a short push's start-up.
      address = net.isIP(target.host) ? target.host : (await (await import('node:dns/promises')).lookup(target.host)).address;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (DNS_ERRORS.has(code)) {
        throw new LivePusherError(StatusCode.DnsFailed, `cannot resolve ${target.host} (${code})`, { cause: e });
      }
      throw new LivePusherError(StatusCode.DnsFailed, `cannot resolve ${target.host}: ${String(e)}`, { cause: e });
    }
    const tlsModule = target.tls ? await import('node:tls') : undefined;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const common = { host: address, port: target.port, highWaterMark: this.options.highWaterMark };
      const s = tlsModule
        ? tlsModule.connect({ ...common, servername: net.isIP(target.host) ? undefined : target.host, ...this.options.tls })
        : net.connect(common);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new LivePusherError(StatusCode.ConnectFailed, `connecting to ${target.host}:${target.port} timed out`));
      }, this.options.connectTimeoutMs);
      s.once(target.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new LivePusherError(StatusCode.ConnectFailed, `cannot connect to ${target.host}:${target.port} (${e.code ?? e.message})`, {
            cause: e,
          }),
        );
      });
    });
    socket.setNoDelay(true); // RTMP is latency-bound and writes whole chunks already
    this.socket = socket;
    this.onDrain = () => handlers.drain();
    let failure: Error | undefined;
    socket.on('data', (chunk: Buffer) => handlers.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    socket.on('drain', () => handlers.drain());
    socket.on('end', () => {
      this.closedBy ??= 'peer';
    });
    socket.on('error', (e) => {
      failure = e;
      this.closedBy ??= 'peer';
    });
    socket.on('close', () => {
      this.closedBy ??= 'peer';
      handlers.close(failure ? { by: this.closedBy, error: failure } : { by: this.closedBy });
    });
  }

  write(bytes: Uint8Array): boolean {
    const socket = this.socket;
    if (!socket || socket.destroyed || !socket.writable) return false;
    if (!this.batch || this.batchBytes + bytes.length > this.batch.length) {
      this.flush();
      this.batch = this.takeBuffer(bytes.length);
    }
    this.batch.set(bytes, this.batchBytes);
    this.batchBytes += bytes.length;
    this.written += bytes.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
    if (socket.writableLength + this.batchBytes < this.options.highWaterMark) return true;
    this.owesDrain = true;
    return false;
  }

  /** Hands the batch to the socket. */
  private flush(): void {
    const socket = this.socket;
    const batch = this.batch;
    if (!socket || !batch || this.batchBytes === 0) return;
    const n = this.batchBytes;
    this.batch = undefined;
    this.batchBytes = 0;
    if (socket.destroyed || !socket.writable) return;
    const below = socket.write(batch.subarray(0, n), () => this.recycle(batch));
    // Below the mark at once: the socket emits no 'drain', so a writer told to wait hears it here.
    if (this.owesDrain && below) this.onDrain?.();
    this.owesDrain = false;
  }

  /**
   * A batch buffer for at least `n` bytes: a spare one, else a new one of BATCH_BYTES (a few
   * writes per turn at full speed; a small buffer per turn in real time, whose writes can wait in
   * the socket's queue behind a slow network).
   */
  private takeBuffer(n: number): Buffer {
    const size = Math.max(n, BATCH_BYTES);
    for (let spare = this.spare.pop(); spare; spare = this.spare.pop()) if (spare.length >= size) return spare;
    return Buffer.allocUnsafeSlow(size);
  }

  /** Keeps a written batch buffer for reuse, a few at most. */
  private recycle(buffer: Buffer): void {
    if (this.spare.length < MAX_SPARE_BUFFERS) this.spare.push(buffer);
  }

  end(timeoutMs = 5000): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.resolve();
    this.closedBy ??= 'local';
    this.flush();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
      }, timeoutMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }

  destroy(): void {
    this.closedBy ??= 'local';
    this.socket?.destroy();
  }
}
