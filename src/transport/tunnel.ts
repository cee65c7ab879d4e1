/**
 * The browser's transport: RTMP bytes through a WebSocket to the tunnel gateway, which holds the
 * TCP/TLS connection to the RTMP server (DESIGN.md, "The tunnel wire protocol"). Standard
 * WebSocket API only (no Node APIs), so the same code runs in browsers, workers and, with an
 * injected `WebSocket` such as the `ws` package's, in Node.
 */
import { LivePusherError, StatusCode } from '../core/codes.js';
import type { Transport, TransportClose, TransportHandlers, TransportTarget } from './transport.js';
import {
  TUNNEL_SEND_FRAME_BYTES,
  TunnelCloseCode,
  TunnelError,
  TunnelProtocolError,
  parseControlFrame,
  statusForClose,
  tunnelUrl,
} from './tunnel-protocol.js';

/** Options of {@link TunnelTransport}. */
export interface TunnelTransportOptions {
  /** The gateway's `ws://` or `wss://` URL (it may carry its own query parameters). */
  gateway: string;
  /** Signed grant passed as the `token` query parameter, for gateways that require one. */
  token?: string;
  /** WebSocket constructor; default `globalThis.WebSocket` (Node 20 has none: pass `ws`'s). */
  WebSocket?: typeof WebSocket;
  /** `write()` returns false above this many queued bytes. Default 1 MiB. */
  highWaterMark?: number;
  /** Give up when the gateway has not answered `open`/`error` after this long (3002). Default 15 s. */
  openTimeoutMs?: number;
  /** How often `bufferedAmount` is polled while above the high-water mark. Default 15 ms. */
  drainPollMs?: number;
}

// WebSocket.readyState values (the constants are on the constructor, which may be injected).
const OPEN = 1;
const CLOSED = 3;

/**
 * A {@link Transport} over the tunnel. `open()` resolves on the gateway's `open` frame and
 * rejects with a {@link TunnelError} (3001/3002) on its `error` frame, or a `LivePusherError`
 * 3002 when the gateway cannot be reached or does not answer within `openTimeoutMs`.
 * The constructor throws TypeError for a `gateway` that is not a ws:// or wss:// URL, or when
 * there is no WebSocket to use.
 */
export class TunnelTransport implements Transport {
  private readonly options: Required<Omit<TunnelTransportOptions, 'token' | 'WebSocket'>> & { token: string | undefined };
  private readonly WebSocketImpl: typeof WebSocket;
  private socket: WebSocket | undefined;
  private handlers: TransportHandlers | undefined;
  private written = 0;
  private sentHighWater = 0;
  private closedBy: 'peer' | 'local' | undefined;
  private failure: Error | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private closeWaiters: (() => void)[] = [];
  private closed = false;

  constructor(options: TunnelTransportOptions) {
    if (typeof options?.gateway !== 'string') throw new TypeError('options.gateway must be a ws:// or wss:// URL');
    tunnelUrl(options.gateway, { scheme: 'rtmp', host: 'example.com', port: 1935 }); // throws TypeError naming options.gateway
    const impl = options.WebSocket ?? (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
    if (typeof impl !== 'function') {
      throw new TypeError('options.WebSocket: this platform has no global WebSocket; pass one (for example the ws package)');
    }
    this.WebSocketImpl = impl;
    this.options = {
      gateway: options.gateway,
      token: options.token,
      highWaterMark: options.highWaterMark ?? 1 << 20,
      openTimeoutMs: options.openTimeoutMs ?? 15_000,
      drainPollMs: options.drainPollMs ?? 15,
    };
  }

  /** Bytes the WebSocket has queued and not yet handed to the network. */
  get bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /** Bytes handed to the network: written minus what the WebSocket still queues. */
  get bytesSent(): number {
    // Some implementations count frame headers in bufferedAmount; never report a step back.
    this.sentHighWater = Math.max(this.sentHighWater, this.written - this.bufferedAmount);
    return this.sentHighWater;
  }

  open(target: TransportTarget, handlers: TransportHandlers): Promise<void> {
    if (this.socket) return Promise.reject(new Error('TunnelTransport.open() called twice'));
    const url = tunnelUrl(this.options.gateway, { scheme: target.tls ? 'rtmps' : 'rtmp', host: target.host, port: target.port }, this.options.token);
    const where = `${target.host}:${target.port}`;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: LivePusherError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.closedBy = 'local';
        socket.close(TunnelCloseCode.Normal);
        reject(error);
      };
      let socket: WebSocket;
      try {
        socket = new this.WebSocketImpl(url);
      } catch (e) {
        reject(new LivePusherError(StatusCode.ConnectFailed, `cannot open the tunnel to ${where}: ${String(e)}`, { cause: e }));
        return;
      }
      this.socket = socket;
      socket.binaryType = 'arraybuffer';
      const timer = setTimeout(
        () => fail(new LivePusherError(StatusCode.ConnectFailed, `the tunnel to ${where} did not open within ${this.options.openTimeoutMs} ms`)),
        this.options.openTimeoutMs,
      );
      socket.onmessage = (event: MessageEvent) => {
        if (settled) {
          this.onMessage(event.data);
          return;
        }
        try {
          const frame = parseControlFrame(event.data);
          switch (frame.type) {
            case 'open':
              settled = true;
              clearTimeout(timer);
              this.handlers = handlers;
              resolve();
              break;
            case 'error':
              fail(new TunnelError(frame.code, frame.reason, `tunnel to ${where}: ${frame.message}`));
              break;
            default: {
              const never: never = frame;
              throw new TunnelProtocolError(`unhandled frame ${JSON.stringify(never)}`);
            }
          }
        } catch (e) {
          fail(new LivePusherError(StatusCode.ConnectFailed, `the tunnel gateway broke the protocol: ${(e as Error).message}`, { cause: e }));
        }
      };
      // Browsers fire `error` without details and then `close`: the close code says more.
      socket.onerror = () => undefined;
      socket.onclose = (event: CloseEvent) => {
        this.stopPolling();
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          this.closed = true;
          reject(
            new LivePusherError(
              StatusCode.ConnectFailed,
              `the tunnel gateway for ${where} closed before opening (${event.code}${event.reason ? `: ${event.reason}` : ''})`,
            ),
          );
          this.flushCloseWaiters();
          return;
        }
        this.onClose(event.code, event.reason);
      };
    });
  }

  /** Sends bytes as binary frames of at most 64 KiB; false when above the high-water mark. */
  write(bytes: Uint8Array): boolean {
    const socket = this.socket;
    if (!socket || !this.handlers || socket.readyState !== OPEN) return false;
    for (let at = 0; at < bytes.length; at += TUNNEL_SEND_FRAME_BYTES) {
      socket.send(at === 0 && bytes.length <= TUNNEL_SEND_FRAME_BYTES ? bytes : bytes.subarray(at, at + TUNNEL_SEND_FRAME_BYTES));
    }
    this.written += bytes.length;
    if (socket.bufferedAmount <= this.options.highWaterMark) return true;
    this.startPolling();
    return false;
  }

  /**
   * Closes the WebSocket with 1000 after what is queued (the gateway then flushes and half-closes
   * the TCP side), and resolves when it is closed, or after `timeoutMs` (then it is dropped).
   */
  end(timeoutMs = 5000): Promise<void> {
    const socket = this.socket;
    if (!socket || this.closed || socket.readyState === CLOSED) return Promise.resolve();
    this.closedBy ??= 'local';
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.destroy();
        resolve();
      }, timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(TunnelCloseCode.Normal);
    });
  }

  /** Drops the tunnel at once; `handlers.close` follows with `by: 'local'`. */
  destroy(): void {
    this.closedBy ??= 'local';
    this.stopPolling();
    const socket = this.socket;
    if (!socket || this.closed) return;
    // The standard API has no abort: 4010 asks the gateway to reset the TCP side, not flush it.
    socket.close(TunnelCloseCode.ClientAbort);
    if (this.handlers) {
      // Report now: a browser may keep the socket in CLOSING until the gateway answers.
      this.onClose(TunnelCloseCode.Normal, '');
    }
  }

  private onMessage(data: unknown): void {
    if (this.closed || !this.handlers) return;
    if (data instanceof ArrayBuffer) {
      this.handlers.data(new Uint8Array(data));
      return;
    }
    // After `open` only binary frames are allowed.
    this.failure = new LivePusherError(StatusCode.ReadWriteFailed, 'the tunnel gateway sent a text frame after open');
    this.closedBy ??= 'peer';
    this.socket?.close(TunnelCloseCode.Normal);
    this.onClose(TunnelCloseCode.ProtocolError, '');
  }

  private onClose(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stopPolling();
    const by = this.closedBy ?? 'peer';
    const error = this.failure ?? (by === 'peer' ? statusForClose(code, reason) : undefined);
    const info: TransportClose = error ? { by, error } : { by };
    this.handlers?.close(info);
    this.flushCloseWaiters();
  }

  private flushCloseWaiters(): void {
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const w of waiters) w();
  }

  /** Browsers have no drain event: poll while above the high-water mark (DESIGN.md, backpressure). */
  private startPolling(): void {
    if (this.pollTimer !== undefined) return;
    this.pollTimer = setInterval(() => {
      if (this.bufferedAmount > this.options.highWaterMark) return;
      this.stopPolling();
      this.handlers?.drain();
    }, this.options.drainPollMs);
  }

  private stopPolling(): void {
    if (this.pollTimer === undefined) return;
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }
}
