/**
 * The client side of the RTMP simple handshake (RTMP spec §5.2):
 *
 *   client ── C0 (version 3) + C1 (1536 bytes: time, zero, random) ──► server
 *   client ◄── S0 (version) + S1 (1536) + S2 (1536, echo of C1) ────── server
 *   client ── C2 (echo of S1) ─────────────────────────────────────────► server
 *
 * S2 is not checked against C1: servers that attempt the digest ("complex") handshake fill it
 * differently, and every server accepts the simple C2 anyway.
 */
import { LivePusherError, StatusCode } from '../core/codes.js';

export const RTMP_VERSION = 3;
export const HANDSHAKE_SIZE = 1536;

export type HandshakeStep =
  | { done: false }
  | { done: true; /** C2, to send. */ c2: Uint8Array; /** Bytes after S2: the first chunks. */ rest: Uint8Array };

export class ClientHandshake {
  private received = new Uint8Array(0);

  /** C0 + C1. `epochMs` is the time field of C1. */
  start(epochMs = 0): Uint8Array {
    const out = new Uint8Array(1 + HANDSHAKE_SIZE);
    const view = new DataView(out.buffer);
    out[0] = RTMP_VERSION; // C0 version
    view.setUint32(1, epochMs >>> 0, false); // C1 time
    view.setUint32(5, 0, false); // C1 zero
    // C1 random-data only has to differ between connections (servers echo it in S2; nobody
    // relies on its secrecy). Math.random, not crypto.getRandomValues: in Node the first use of
    // globalThis.crypto loads the Web Crypto modules, ~5 ms of CPU for a short push.
    for (let i = 9; i < out.length; i++) out[i] = (Math.random() * 256) | 0;
    return out;
  }

  /** Feeds server bytes; throws 3003 when S0 is not an RTMP version this client speaks. */
  push(bytes: Uint8Array, nowMs = 0): HandshakeStep {
    const all = new Uint8Array(this.received.length + bytes.length);
    all.set(this.received);
    all.set(bytes, this.received.length);
    this.received = all;
    if (all.length >= 1 && all[0] !== RTMP_VERSION) {
      throw new LivePusherError(
        StatusCode.HandshakeFailed,
        `RTMP handshake failed: the server answered version ${all[0]} (expected ${RTMP_VERSION}); is this an RTMP server?`,
      );
    }
    const need = 1 + 2 * HANDSHAKE_SIZE;
    if (all.length < need) return { done: false };
    const s1 = all.subarray(1, 1 + HANDSHAKE_SIZE);
    const c2 = s1.slice();
    new DataView(c2.buffer).setUint32(4, nowMs >>> 0, false); // C2 time2: when S1 was read
    return { done: true, c2, rest: all.slice(need) };
  }
}
