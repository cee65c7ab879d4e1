/**
 * Opens the TCP/TLS side of a tunnel once the allowlist has passed the target (DESIGN.md, "The
 * tunnel wire protocol"): one DNS lookup, the address policy on every address it returned, then a
 * connect to that exact address, so a name cannot resolve to a public address for the check and
 * to a private one for the connect (DNS rebinding). TLS verifies the certificate against the host
 * name (SNI = host name), not the address.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { TunnelErrorReason, TunnelTarget } from '../../transport/tunnel-protocol.js';
import { isPublicAddress, sameAddress } from './address-policy.js';

/** A refusal or failure before the tunnel opened; becomes the `error` control frame. */
export class DialError extends Error {
  override name = 'DialError';
  constructor(
    readonly reason: TunnelErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What {@link dial} needs besides the target. */
export interface DialOptions {
  /** Private and other special addresses are allowed (trusted networks, tests). */
  allowPrivate: boolean;
  /** The allowlist rule that matched names the target's IP literally (so it may be private). */
  namesAddress: boolean;
  connectTimeoutMs: number;
  /** Extra TLS options for rtmps (a test CA, for example). */
  tls?: tls.ConnectionOptions;
  /** Aborts a dial in progress (the client went away). */
  signal?: AbortSignal;
}

/** The connected socket and the address it went to. */
export interface Dialed {
  socket: net.Socket;
  address: string;
}

/**
 * Resolves `target.host` and returns the first address the policy allows. DNS failure →
 * `dns`; only refused addresses → `private-address`.
 */
export async function resolveTarget(target: TunnelTarget, options: Pick<DialOptions, 'allowPrivate' | 'namesAddress'>): Promise<string> {
  let addresses: string[];
  if (net.isIP(target.host)) {
    addresses = [target.host];
  } else {
    try {
      addresses = (await lookup(target.host, { all: true, verbatim: true })).map((a) => a.address);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      throw new DialError('dns', `cannot resolve ${target.host} (${code})`, { cause: e });
    }
  }
  for (const address of addresses) {
    if (options.allowPrivate || isPublicAddress(address)) return address;
    if (options.namesAddress && sameAddress(address, target.host)) return address;
  }
  throw new DialError('private-address', `${target.host} resolves to a non-public address (${addresses.join(', ')}) that this gateway does not allow`);
}

/** Connects to `address` (already checked) with a timeout; rtmps gets TLS with SNI = host. */
export function connectTo(target: TunnelTarget, address: string, options: Pick<DialOptions, 'connectTimeoutMs' | 'tls' | 'signal'>): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const where = `${target.host}:${target.port}`;
    const socket =
      target.scheme === 'rtmps'
        ? tls.connect({ host: address, port: target.port, servername: net.isIP(target.host) ? undefined : target.host, ...options.tls })
        : net.connect({ host: address, port: target.port });
    const done = (error?: DialError) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      if (!error) {
        resolve(socket);
        return;
      }
      socket.destroy();
      reject(error);
    };
    const onError = (e: NodeJS.ErrnoException) => done(new DialError('connect', `cannot connect to ${where} (${e.code ?? e.message})`, { cause: e }));
    const onAbort = () => done(new DialError('connect', `connecting to ${where} was abandoned`));
    const timer = setTimeout(() => done(new DialError('connect', `connecting to ${where} timed out after ${options.connectTimeoutMs} ms`)), options.connectTimeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once(target.scheme === 'rtmps' ? 'secureConnect' : 'connect', () => done());
  });
}

/** {@link resolveTarget} then {@link connectTo}: the whole TCP side of opening a tunnel. */
export async function dial(target: TunnelTarget, options: DialOptions): Promise<Dialed> {
  const address = await resolveTarget(target, options);
  if (options.signal?.aborted) throw new DialError('connect', 'the client went away');
  const socket = await connectTo(target, address, options);
  return { socket, address };
}
