/**
 * Copies bytes between one open tunnel's WebSocket and its TCP/TLS socket, unchanged, with
 * bounded buffers both ways (DESIGN.md, "The tunnel wire protocol", backpressure): the side
 * whose peer is not draining stops being read.
 *
 *   RTMP server ─tcp data─► ws.send ──► browser     pause tcp while ws.bufferedAmount > cap
 *   browser ──ws message──► tcp.write ─► RTMP server  pause ws while tcp.writableLength > cap
 *
 * A paused side may still deliver what it had already read (one socket read, one frame), so the
 * bound is the cap plus that. No bytes are ever dropped or parsed.
 */
import type net from 'node:net';
import type { WebSocket, RawData } from 'ws';
import { TunnelCloseCode, closeReason } from '../../transport/tunnel-protocol.js';

/** Limits of one relay. */
export interface RelayOptions {
  /** Per direction: stop reading the other side above this many queued bytes. */
  maxBufferedBytes: number;
  /** Close both sides when no byte moved either way for this long; 0 disables it. */
  idleTimeoutMs: number;
  /** How long a half-closed TCP side may take to flush before it is destroyed. */
  lingerMs?: number;
}

/** How a relay ended, for logs. */
export interface RelayEnd {
  /** The WebSocket close code sent or received. */
  code: number;
  reason: string;
  bytesToServer: number;
  bytesToClient: number;
}

/** One open tunnel's byte pump. It owns both sockets from construction on. */
export class Relay {
  bytesToServer = 0;
  bytesToClient = 0;
  private lastActivity = Date.now();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private tcpPaused = false;
  private wsClosed = false;
  private tcpClosed = false;
  private closeCode: number = TunnelCloseCode.Normal;
  private closeText = '';
  private tcpError: Error | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: net.Socket,
    private readonly options: RelayOptions,
    private readonly onEnd: (end: RelayEnd) => void,
  ) {
    socket.setNoDelay(true); // the browser already writes whole RTMP chunks
    socket.on('data', (chunk: Buffer) => this.fromServer(chunk));
    socket.on('drain', () => {
      if (ws.isPaused) ws.resume();
    });
    socket.on('end', () => undefined); // allowHalfOpen is false: Node ends our side, 'close' follows
    socket.on('error', (e) => {
      this.tcpError ??= e;
    });
    socket.on('close', () => this.onTcpClose());
    ws.on('message', (data, isBinary) => this.fromClient(data, isBinary));
    ws.on('error', () => undefined); // 'close' follows with the code
    ws.on('close', (code, reason) => this.onWsClose(code, reason.toString()));
    this.armIdleTimer();
  }

  /** Bytes from the client waiting to be written to the RTMP server. */
  get bufferedToServer(): number {
    return this.socket.writableLength;
  }

  /** Bytes from the RTMP server waiting to be written to the client. */
  get bufferedToClient(): number {
    return this.ws.bufferedAmount;
  }

  /** Ends both sides now (gateway shutdown): 1001 to the client, the TCP socket destroyed. */
  shutdown(): void {
    this.closeWs(TunnelCloseCode.GoingAway, 'the gateway is shutting down');
    this.socket.destroy();
    // A client that does not answer the close frame is not waited for (ws waits 30 s).
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  private fromServer(chunk: Buffer): void {
    this.bytesToClient += chunk.length;
    this.lastActivity = Date.now();
    if (this.wsClosed) return;
    this.ws.send(chunk, { binary: true }, () => this.afterSend());
    if (!this.tcpPaused && this.ws.bufferedAmount > this.options.maxBufferedBytes) {
      this.tcpPaused = true;
      this.socket.pause();
    }
  }

  /** `ws` has no drain event: the send callback runs once the frame reached the kernel. */
  private afterSend(): void {
    if (this.tcpPaused && this.ws.bufferedAmount <= this.options.maxBufferedBytes / 2) {
      this.tcpPaused = false;
      this.socket.resume();
    }
  }

  private fromClient(data: RawData, isBinary: boolean): void {
    if (!isBinary) {
      // Only binary frames are allowed once the tunnel is open.
      this.closeWs(TunnelCloseCode.ProtocolError, 'text frame after open');
      this.socket.destroy();
      return;
    }
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    this.bytesToServer += bytes.length;
    this.lastActivity = Date.now();
    if (this.tcpClosed || this.socket.destroyed) return;
    this.socket.write(bytes);
    if (this.socket.writableLength > this.options.maxBufferedBytes && !this.ws.isPaused) {
      // Above the cap, write() has returned false, so 'drain' will come and resume.
      this.ws.pause();
    }
  }

  private onTcpClose(): void {
    this.tcpClosed = true;
    if (this.tcpError) {
      const code = (this.tcpError as NodeJS.ErrnoException).code ?? this.tcpError.message;
      this.closeWs(TunnelCloseCode.ServerFailed, `RTMP server connection failed (${code})`);
    } else {
      this.closeWs(TunnelCloseCode.ServerEnded, 'the RTMP server closed the connection');
    }
    this.maybeEnd();
  }

  private onWsClose(code: number, reason: string): void {
    this.wsGone = true;
    if (!this.wsClosed) {
      this.wsClosed = true;
      this.closeCode = code;
      this.closeText = reason;
    }
    if (this.ws.isPaused) this.ws.resume();
    if (!this.tcpClosed && code === TunnelCloseCode.ClientAbort) {
      this.socket.resetAndDestroy(); // RST: the server must not take a cut-off stream as complete
    } else if (!this.tcpClosed) {
      // The client is done: flush what it sent, then FIN; give a stuck server `lingerMs`.
      this.socket.end();
      if (this.tcpPaused) this.socket.resume();
      setTimeout(() => this.socket.destroy(), this.options.lingerMs ?? 5000).unref();
    }
    this.maybeEnd();
  }

  private closeWs(code: number, reason: string): void {
    if (this.wsClosed) return;
    this.wsClosed = true;
    this.closeCode = code;
    this.closeText = reason;
    // close() queues the close frame behind the data already sent, so the client gets it all.
    this.ws.close(code, closeReason(reason));
    // The client's answering close frame may sit behind data we stopped reading: read again (the
    // TCP side is gone, so those bytes are dropped) or the closing handshake would stall.
    if (this.ws.isPaused) this.ws.resume();
  }

  private armIdleTimer(): void {
    if (this.options.idleTimeoutMs <= 0) return;
    const left = this.lastActivity + this.options.idleTimeoutMs - Date.now();
    this.idleTimer = setTimeout(() => {
      if (Date.now() - this.lastActivity < this.options.idleTimeoutMs) {
        this.armIdleTimer();
        return;
      }
      this.closeWs(TunnelCloseCode.IdleTimeout, `no data for ${this.options.idleTimeoutMs} ms`);
      this.socket.destroy();
    }, Math.max(1, left));
  }

  private ended = false;
  private wsGone = false;

  private maybeEnd(): void {
    if (this.ended || !this.tcpClosed || !this.wsGone) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    this.onEnd({ code: this.closeCode, reason: this.closeText, bytesToServer: this.bytesToServer, bytesToClient: this.bytesToClient });
  }
}
