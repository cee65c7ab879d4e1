/**
 * The tunnel gateway (DESIGN.md, "The tunnel wire protocol"): accepts WebSocket tunnels, decides
 * on each target (allowlist before DNS, address policy after), dials the RTMP server, answers
 * `open` or `error`, and then only copies bytes. It never parses media, so one process carries
 * many streams; it keeps no state beyond its open tunnels, so gateways scale behind any
 * WebSocket-capable load balancer.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  TUNNEL_MAX_FRAME_BYTES,
  TunnelCloseCode,
  TunnelProtocolError,
  TunnelQuery,
  closeReason,
  encodeControlFrame,
  errorFrame,
  formatTunnelTarget,
  parseTunnelTarget,
  type TunnelErrorReason,
  type TunnelTarget,
} from '../../transport/tunnel-protocol.js';
import { Allowlist, type AllowPredicate, type AllowRule } from './allowlist.js';
import { DialError, dial } from './dial.js';
import { Relay, type RelayEnd } from './relay.js';

/** Options of {@link createGateway}. Give `server` (attach) or `port` (listen on its own). */
export interface GatewayOptions {
  /** An HTTP(S) server to attach to; the gateway handles upgrades on `path` only. */
  server?: http.Server | https.Server;
  /** Port to listen on when no `server` is given (0 picks a free one). */
  port?: number;
  /** Interface to listen on without `server`. Default 127.0.0.1. */
  host?: string;
  /** The WebSocket path. Default `/tunnel`. */
  path?: string;
  /** Targets tunnels may reach: `rtmp(s)://host[:port]` patterns and predicates (see allowlist.ts). */
  allow: readonly AllowRule[] | AllowPredicate;
  /** Allow loopback, private, link-local and other non-public addresses. Default false. */
  allowPrivate?: boolean;
  /** Tunnels open or opening at once; more are refused (`limit`). Default 1000. */
  maxConnections?: number;
  /** Close a tunnel when no byte moved either way for this long. Default 60 s; 0 disables. */
  idleTimeoutMs?: number;
  /** Per tunnel and direction: bytes queued before the other side stops being read. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** TCP/TLS connect timeout (3002). Default 10 s. */
  connectTimeoutMs?: number;
  /** Extra TLS options for rtmps targets (a private CA, for example). */
  tls?: tls.ConnectionOptions;
  /**
   * Checks the `token` parameter (an HMAC grant, say) for an allowed target; false refuses with
   * `unauthorized`. Without it, tokens are ignored.
   */
  authorize?: (request: { target: TunnelTarget; token: string | undefined; origin: string | undefined }) => boolean | Promise<boolean>;
  /** One call per tunnel event, for logs. Targets are `scheme://host:port`, never stream keys. */
  onEvent?: (event: GatewayEvent) => void;
}

/** What a gateway reports through `onEvent`. */
export type GatewayEvent =
  | { type: 'open'; id: number; target: string; address: string; remote: string }
  | { type: 'refused'; id: number; target: string | undefined; reason: TunnelErrorReason; message: string; remote: string }
  | ({ type: 'close'; id: number; target: string } & RelayEnd);

/** Counters of a running gateway. */
export interface GatewayStats {
  /** Tunnels relaying bytes now. */
  connections: number;
  /** Tunnels being checked or dialled now. */
  opening: number;
  /** Bytes queued in user space over all tunnels, both directions. */
  bufferedBytes: number;
  bufferedToServer: number;
  bufferedToClient: number;
  /** Totals since start, closed tunnels included. */
  tunnelsOpened: number;
  tunnelsRefused: number;
  bytesToServer: number;
  bytesToClient: number;
}

/** A running gateway. */
export interface Gateway {
  /** Where it listens; `url` is the ws:// address to give to `TunnelTransport`. */
  address(): { address: string; port: number; family: string; url: string };
  stats(): GatewayStats;
  /** Refuses new tunnels, closes open ones (1001), and stops listening if it listens itself. */
  close(): Promise<void>;
}

const DEFAULTS = { path: '/tunnel', host: '127.0.0.1', maxConnections: 1000, idleTimeoutMs: 60_000, maxBufferedBytes: 1 << 20, connectTimeoutMs: 10_000 };

/** Starts a gateway. Throws TypeError / AllowlistError for bad options. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const allow = new Allowlist(typeof options.allow === 'function' ? [options.allow] : options.allow);
  const path = options.path ?? DEFAULTS.path;
  const maxConnections = options.maxConnections ?? DEFAULTS.maxConnections;
  const relayOptions = {
    maxBufferedBytes: options.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
  };
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
  const allowPrivate = options.allowPrivate ?? false;
  for (const [name, v] of Object.entries({ maxConnections, connectTimeoutMs, ...relayOptions })) {
    if (!Number.isFinite(v) || v < 0) throw new TypeError(`options.${name} must be a number ≥ 0, not ${String(v)}`);
  }

  // noServer: the gateway handles only its own path and leaves other upgrades to their owners.
  const wss = new WebSocketServer({ noServer: true, maxPayload: TUNNEL_MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: false });
  const relays = new Set<Relay>();
  const opening = new Set<WebSocket>();
  const totals = { tunnelsOpened: 0, tunnelsRefused: 0, bytesToServer: 0, bytesToClient: 0 };
  let nextId = 1;
  let closing = false;

  const server = options.server ?? http.createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end(`live-pusher tunnel gateway: connect with a WebSocket to ${path}\n`);
  });
  const emit = (event: GatewayEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // a logging hook must not take tunnels down
    }
  };
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://gateway');
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    if (url.pathname !== path) {
      // Someone else's path: leave it to them, or refuse when nobody else listens.
      if (server.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => void accept(ws, req, url));
  };
  server.on('upgrade', onUpgrade);
  if (!options.server) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? DEFAULTS.host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
  }

  async function accept(ws: WebSocket, req: http.IncomingMessage, url: URL): Promise<void> {
    const id = nextId++;
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    let targetText: string | undefined;
    const refuse = (reason: TunnelErrorReason, message: string) => {
      totals.tunnelsRefused++;
      emit({ type: 'refused', id, target: targetText, reason, message, remote });
      if (ws.readyState !== ws.OPEN) return;
      ws.send(encodeControlFrame(errorFrame(reason, message)));
      ws.close(reason === 'limit' ? TunnelCloseCode.TryAgainLater : TunnelCloseCode.Refused, closeReason(message));
    };
    ws.on('error', () => undefined); // a client's bad frame: 'close' follows
    if (relays.size + opening.size >= maxConnections) {
      refuse('limit', `the gateway is at its limit of ${maxConnections} tunnels`);
      return;
    }
    opening.add(ws);
    const aborter = new AbortController();
    const early = (_data: unknown) => {
      // The client must wait for `open` before sending (the bytes would have nowhere to go).
      aborter.abort();
      refuse('protocol', 'data sent before the open frame');
    };
    ws.on('message', early);
    ws.once('close', () => aborter.abort());
    try {
      let target: TunnelTarget;
      try {
        target = parseTunnelTarget(url.searchParams.get(TunnelQuery.Target));
      } catch (e) {
        if (e instanceof TunnelProtocolError) throw new DialError('bad-target', e.message);
        throw e;
      }
      targetText = formatTunnelTarget(target);
      // The allowlist decides on the text, before any DNS lookup or connect.
      const verdict = allow.check(target);
      if (!verdict.allowed) throw new DialError('not-allowed', `${targetText} is not allowed by this gateway`);
      if (options.authorize) {
        const token = url.searchParams.get(TunnelQuery.Token) ?? undefined;
        const ok = await Promise.resolve()
          .then(() => options.authorize!({ target, token, origin: req.headers.origin }))
          .catch(() => false); // a throwing hook refuses, it does not crash the gateway
        if (ok !== true) throw new DialError('unauthorized', `no valid token for ${targetText}`);
      }
      const { socket, address } = await dial(target, {
        allowPrivate,
        namesAddress: verdict.namesAddress,
        connectTimeoutMs,
        signal: aborter.signal,
        ...(options.tls ? { tls: options.tls } : {}),
      });
      opening.delete(ws);
      ws.removeListener('message', early);
      if (ws.readyState !== ws.OPEN || closing) {
        socket.destroy();
        return;
      }
      ws.send(encodeControlFrame({ type: 'open' }));
      totals.tunnelsOpened++;
      emit({ type: 'open', id, target: targetText, address, remote });
      const opened = targetText;
      const relay = new Relay(ws, socket, relayOptions, (end) => {
        relays.delete(relay);
        totals.bytesToServer += end.bytesToServer;
        totals.bytesToClient += end.bytesToClient;
        emit({ type: 'close', id, target: opened, ...end });
      });
      relays.add(relay);
    } catch (e) {
      opening.delete(ws);
      ws.removeListener('message', early);
      if (aborter.signal.aborted && ws.readyState !== ws.OPEN) return; // the client went away
      if (e instanceof DialError) refuse(e.reason, e.message);
      else {
        refuse('connect', 'internal gateway error');
        ws.close(TunnelCloseCode.InternalError);
      }
    }
  }

  return {
    address() {
      const a = server.address() as net.AddressInfo;
      const host = a.address.includes(':') ? `[${a.address}]` : a.address;
      const scheme = server instanceof https.Server ? 'wss' : 'ws';
      return { address: a.address, port: a.port, family: String(a.family), url: `${scheme}://${host}:${a.port}${path}` };
    },
    stats() {
      let toServer = 0;
      let toClient = 0;
      let bytesToServer = totals.bytesToServer;
      let bytesToClient = totals.bytesToClient;
      for (const r of relays) {
        toServer += r.bufferedToServer;
        toClient += r.bufferedToClient;
        bytesToServer += r.bytesToServer;
        bytesToClient += r.bytesToClient;
      }
      return {
        connections: relays.size,
        opening: opening.size,
        bufferedBytes: toServer + toClient,
        bufferedToServer: toServer,
        bufferedToClient: toClient,
        tunnelsOpened: totals.tunnelsOpened,
        tunnelsRefused: totals.tunnelsRefused,
        bytesToServer,
        bytesToClient,
      };
    },
    async close() {
      if (closing) return;
      closing = true;
      server.removeListener('upgrade', onUpgrade);
      for (const ws of opening) ws.close(TunnelCloseCode.GoingAway, 'the gateway is shutting down');
      for (const r of relays) r.shutdown();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      if (!options.server) {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
    },
  };
}
