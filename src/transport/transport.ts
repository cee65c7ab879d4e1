/**
 * The byte pipe the RTMP client talks through (DESIGN.md, "transport/"). The client never opens
 * sockets itself, so the same protocol code runs over Node TCP/TLS and over the browser's
 * WebSocket tunnel.
 */
export interface TransportTarget {
  host: string;
  port: number;
  tls: boolean;
}

/** How a transport ended: `peer` when the other side closed or reset it, `local` when we did. */
export interface TransportClose {
  by: 'peer' | 'local';
  /** Set when the connection failed rather than ended (a reset, a write error). */
  error?: Error;
}

export interface TransportHandlers {
  data(bytes: Uint8Array): void;
  /** The write queue fell back under its high-water mark. */
  drain(): void;
  close(info: TransportClose): void;
}

export interface Transport {
  /**
   * Connects. Rejects with a `LivePusherError` of 3001 (name resolution) or 3002 (connection
   * refused or timed out). Handlers are called only after it resolves.
   */
  open(target: TransportTarget, handlers: TransportHandlers): Promise<void>;
  /** Queues bytes; returns false when the queue is above its high-water mark. */
  write(bytes: Uint8Array): boolean;
  /**
   * True when `write` has copied the bytes by the time it returns, so the caller may reuse the
   * array at once (the publisher then chunks every message into the same memory).
   */
  readonly copiesWrites?: boolean;
  /** Bytes queued locally and not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Bytes handed to the network so far. */
  readonly bytesSent: number;
  /** Flushes, half-closes, and resolves when the peer has closed too (or after `timeoutMs`). */
  end(timeoutMs?: number): Promise<void>;
  /** Drops the connection at once. */
  destroy(): void;
}
