/**
 * The tunnel wire protocol (DESIGN.md, "The tunnel wire protocol"), shared by the browser's
 * {@link TunnelTransport} and the Node gateway. Platform-neutral: no DOM, no Node APIs.
 *
 *   browser                                   gateway                          RTMP server
 *   GET <gateway>?target=rtmp%3A%2F%2Fh%3A1935[&token=…]  (WebSocket upgrade)
 *                                             allowlist → DNS → address policy → TCP/TLS connect
 *          ◄── text {"type":"open"}                            (or {"type":"error",…} + close)
 *   binary ──────────────────────────────────► TCP bytes, unchanged ──────────────►
 *          ◄────────────────────────────────── TCP bytes, unchanged ◄──────────────
 *          ◄── close(code, reason): how the TCP side ended (→ 3004 / 3005)
 *
 * Only `scheme://host:port` crosses to the gateway: the RTMP app, stream name and key travel
 * inside the RTMP bytes, so they never appear in gateway URLs or access logs.
 */
import { LivePusherError, StatusCode } from '../core/codes.js';

/** Query parameter names of the upgrade request. */
export const TunnelQuery = {
  /** `rtmp://host:port` or `rtmps://host:port`, URL-encoded. Never a path. */
  Target: 'target',
  /** Optional signed grant, for gateways that require one. */
  Token: 'token',
} as const;

/**
 * Largest binary frame a gateway must accept. Senders split larger writes (TCP is a byte stream,
 * so frame boundaries carry no meaning); gateways set their WebSocket `maxPayload` to this.
 */
export const TUNNEL_MAX_FRAME_BYTES = 1 << 20;

/** Frame size the browser side splits writes into: small frames keep gateway buffers tight. */
export const TUNNEL_SEND_FRAME_BYTES = 64 << 10;

/** The scheme, host and port the tunnel connects to. `host` has no IPv6 brackets. */
export interface TunnelTarget {
  scheme: 'rtmp' | 'rtmps';
  host: string;
  port: number;
}

/** Why a gateway refused or failed to open a tunnel, sent with the `error` frame. */
export type TunnelErrorReason =
  /** The `target` parameter is missing or not `rtmp(s)://host:port`. */
  | 'bad-target'
  /** The target is not on the gateway's allowlist (checked before any DNS lookup). */
  | 'not-allowed'
  /** The host resolves to a loopback, private, link-local or otherwise non-public address. */
  | 'private-address'
  /** The token is missing or not valid for this target. */
  | 'unauthorized'
  /** The gateway carries as many tunnels as it is allowed to. */
  | 'limit'
  /** The host name did not resolve (status 3001). */
  | 'dns'
  /** TCP/TLS connect refused, reset or timed out (status 3002). */
  | 'connect'
  /** The client broke this protocol. */
  | 'protocol';

const REASONS: ReadonlySet<string> = new Set<TunnelErrorReason>([
  'bad-target',
  'not-allowed',
  'private-address',
  'unauthorized',
  'limit',
  'dns',
  'connect',
  'protocol',
]);

/** The status code a browser reports for each refusal: only a failed lookup is 3001. */
export function statusForReason(reason: TunnelErrorReason): StatusCode {
  switch (reason) {
    case 'dns':
      return StatusCode.DnsFailed;
    case 'bad-target':
    case 'not-allowed':
    case 'private-address':
    case 'unauthorized':
    case 'limit':
    case 'connect':
    case 'protocol':
      return StatusCode.ConnectFailed;
    default: {
      const never: never = reason;
      throw new TypeError(`unknown tunnel error reason ${String(never)}`);
    }
  }
}

/** Text frames the gateway sends before any binary frame. */
export type ControlFrame =
  | { type: 'open' }
  | { type: 'error'; code: StatusCode; reason: TunnelErrorReason; message: string };

/** The `error` control frame. */
export type ErrorFrame = Extract<ControlFrame, { type: 'error' }>;

/** The peer broke the tunnel protocol (a malformed control frame, a bad target string). */
export class TunnelProtocolError extends Error {
  override name = 'TunnelProtocolError';
}

/** A tunnel the gateway refused or could not open; `code` is 3001 or 3002. */
export class TunnelError extends LivePusherError {
  override name = 'TunnelError';
  constructor(
    code: StatusCode,
    readonly reason: TunnelErrorReason,
    message: string,
  ) {
    super(code, message);
  }
}

/** Serializes a control frame (one WebSocket text frame). */
export function encodeControlFrame(frame: ControlFrame): string {
  return JSON.stringify(frame);
}

const MAX_CONTROL_FRAME_CHARS = 4096;

/**
 * Parses a control frame. Anything that is not exactly one of the two frame shapes (bad JSON,
 * unknown type, a code that is not a status code, an oversized frame) throws
 * {@link TunnelProtocolError}; nothing else is ever thrown.
 */
export function parseControlFrame(text: unknown): ControlFrame {
  if (typeof text !== 'string') throw new TunnelProtocolError('control frame is not text');
  if (text.length > MAX_CONTROL_FRAME_CHARS) throw new TunnelProtocolError(`control frame of ${text.length} chars`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TunnelProtocolError(`control frame is not JSON: ${text.slice(0, 80)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TunnelProtocolError('control frame is not a JSON object');
  }
  const obj = value as Record<string, unknown>;
  switch (obj['type']) {
    case 'open':
      return { type: 'open' };
    case 'error': {
      const { code, message } = obj;
      const reason = obj['reason'] ?? (code === StatusCode.DnsFailed ? 'dns' : 'connect');
      if (code !== StatusCode.DnsFailed && code !== StatusCode.ConnectFailed) {
        throw new TunnelProtocolError(`error frame with code ${JSON.stringify(code)}`);
      }
      if (typeof reason !== 'string' || !REASONS.has(reason)) {
        throw new TunnelProtocolError(`error frame with reason ${JSON.stringify(reason)}`);
      }
      return { type: 'error', code, reason: reason as TunnelErrorReason, message: typeof message === 'string' ? message : '' };
    }
    default:
      throw new TunnelProtocolError(`unknown control frame type ${JSON.stringify(obj['type'])}`);
  }
}

/** `{"type":"error",…}` for a refusal, with the status code that belongs to the reason. */
export function errorFrame(reason: TunnelErrorReason, message: string): ErrorFrame {
  return { type: 'error', code: statusForReason(reason), reason, message };
}

const DEFAULT_PORT = { rtmp: 1935, rtmps: 443 } as const;

/** `rtmp://host:port`: the `target` value for a connection (IPv6 hosts in brackets). */
export function formatTunnelTarget(target: TunnelTarget): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${target.scheme}://${host}:${target.port}`;
}

/**
 * The WebSocket URL for a tunnel to `target`: the gateway address with `target` (and `token`)
 * added to its query. Throws TypeError when `gateway` is not a ws:// or wss:// URL.
 */
export function tunnelUrl(gateway: string, target: TunnelTarget, token?: string): string {
  let url: URL;
  try {
    url = new URL(gateway);
  } catch {
    throw new TypeError(`options.gateway: ${JSON.stringify(gateway)} is not a URL`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`options.gateway: ${JSON.stringify(gateway)} must be a ws:// or wss:// URL`);
  }
  url.searchParams.set(TunnelQuery.Target, formatTunnelTarget(target));
  if (token !== undefined) url.searchParams.set(TunnelQuery.Token, token);
  return url.href;
}

// scheme :// ( [v6] | name-or-v4 ) [:port] [/]
const TARGET_RE = /^(rtmps?):\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/;
const LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Parses a `target` value. Strict on purpose, since the gateway decides on it before any DNS
 * lookup: no user info, path, query or fragment; the host is a DNS name (letters, digits,
 * hyphens; not all-numeric, so `2130706433` or `0x7f.1` cannot smuggle in an address that
 * getaddrinfo would read as loopback), a dotted-quad IPv4 address, or a bracketed IPv6 address.
 * Host names are lower-cased; the port defaults to the scheme's (1935, 443).
 * Throws {@link TunnelProtocolError}.
 */
export function parseTunnelTarget(text: unknown): TunnelTarget {
  if (typeof text !== 'string' || text.length > 300) throw new TunnelProtocolError('target is missing or too long');
  const m = TARGET_RE.exec(text);
  if (!m) throw new TunnelProtocolError(`target ${JSON.stringify(text)} is not rtmp://host[:port] or rtmps://host[:port]`);
  const scheme = m[1] as 'rtmp' | 'rtmps';
  let host = m[2]!.toLowerCase();
  const port = m[3] === undefined ? DEFAULT_PORT[scheme] : Number(m[3]);
  if (port < 1 || port > 65535) throw new TunnelProtocolError(`target port ${port} is out of range`);
  if (host.startsWith('[')) {
    host = host.slice(1, -1);
    if (!host.includes(':')) throw new TunnelProtocolError(`target host [${host}] is not an IPv6 address`);
  } else if (!IPV4_RE.test(host)) {
    const name = host.endsWith('.') ? host.slice(0, -1) : host;
    const labels = name.split('.');
    if (name.length > 253 || !labels.every((l) => LABEL_RE.test(l)) || /^\d+$/.test(labels[labels.length - 1]!) || /^0x/.test(labels[0]!)) {
      throw new TunnelProtocolError(`target host ${JSON.stringify(host)} is not a host name or IP address`);
    }
    host = name;
  }
  return { scheme, host, port };
}

/**
 * WebSocket close codes the gateway uses once a tunnel is open (4000–4999 is the range RFC 6455
 * leaves to applications), and the standard ones it may also see.
 */
export const TunnelCloseCode = {
  /** The client ended the tunnel (its `end()`). */
  Normal: 1000,
  /** The gateway is shutting down. */
  GoingAway: 1001,
  /** The peer broke this protocol. */
  ProtocolError: 1002,
  /** A frame over {@link TUNNEL_MAX_FRAME_BYTES} (sent by `ws` itself). */
  TooBig: 1009,
  /** The gateway failed internally. */
  InternalError: 1011,
  /** The gateway is at its connection limit (after an `error` frame). */
  TryAgainLater: 1013,
  /** The RTMP server closed the TCP connection cleanly (FIN). */
  ServerEnded: 4000,
  /** The TCP connection failed (reset, TLS error, write error); the reason names the error. */
  ServerFailed: 4001,
  /** No bytes moved either way for the gateway's idle timeout. */
  IdleTimeout: 4002,
  /** The tunnel was refused before opening (after an `error` frame). */
  Refused: 4003,
  /** Sent by the client's `destroy()`: the gateway resets the TCP side instead of flushing it. */
  ClientAbort: 4010,
} as const;
export type TunnelCloseCode = (typeof TunnelCloseCode)[keyof typeof TunnelCloseCode];

/**
 * Close reasons are at most 123 bytes of UTF-8 (RFC 6455 §5.5: control frames carry ≤125 bytes,
 * two of them the code). Keeps ASCII and cuts the rest.
 */
export function closeReason(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > 123 ? `${ascii.slice(0, 120)}...` : ascii;
}

/**
 * How a tunnel that was open ended, in the terms of the Transport interface: a clean end by the
 * RTMP server (4000) is a plain peer close (the publisher reports 3004); the gateway going away
 * is 3004 with an error; everything else (TCP failure, idle timeout, protocol or size errors, an
 * abnormal 1006 close without a close frame) is a read/write failure, 3005.
 */
export function statusForClose(code: number, reason: string): LivePusherError | undefined {
  const why = reason ? `: ${reason}` : '';
  switch (code) {
    case TunnelCloseCode.ServerEnded:
      return undefined;
    case TunnelCloseCode.Normal:
    case TunnelCloseCode.GoingAway:
      return new LivePusherError(StatusCode.ServerClosed, `the tunnel gateway closed the connection (${code}${why})`);
    case TunnelCloseCode.ServerFailed:
      return new LivePusherError(StatusCode.ReadWriteFailed, `the connection to the RTMP server failed${why}`);
    case TunnelCloseCode.IdleTimeout:
      return new LivePusherError(StatusCode.ReadWriteFailed, `the tunnel gateway closed an idle connection${why}`);
    default:
      return new LivePusherError(StatusCode.ReadWriteFailed, `the tunnel closed abnormally (${code}${why})`);
  }
}
