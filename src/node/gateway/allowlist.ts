/**
 * The gateway's allowlist (DESIGN.md, "The tunnel wire protocol"): which `scheme://host:port`
 * targets a tunnel may reach. Decided on the target text alone, before any DNS lookup, so a
 * refused name is never resolved and a gateway cannot be used to probe DNS.
 *
 * Pattern grammar:  scheme "://" host [ ":" port ]
 *   scheme  rtmp | rtmps
 *   host    a name (`live.example.com`), `*.example.com` (any subdomain, not the apex), `*`
 *           (any host; the address policy still refuses private addresses), an IPv4 address,
 *           or a bracketed IPv6 address
 *   port    a number, or `*`; absent means the scheme's default (1935, 443)
 */
import net from 'node:net';
import type { TunnelTarget } from '../../transport/tunnel-protocol.js';
import { sameAddress } from './address-policy.js';

/** A custom allow rule: return true to allow the target. */
export type AllowPredicate = (target: Readonly<TunnelTarget>) => boolean;

/** One allowlist entry: a pattern string (see the module doc) or a predicate. */
export type AllowRule = string | AllowPredicate;

/** A bad allowlist pattern, reported when the gateway is created (never at connect time). */
export class AllowlistError extends TypeError {
  override name = 'AllowlistError';
}

interface CompiledPattern {
  scheme: 'rtmp' | 'rtmps';
  /** Exact host, `*.suffix` or `*`. */
  host: string;
  /** An IP literal when the pattern names an address; such rules also allow that address. */
  address: string | undefined;
  port: number | '*';
}

type Compiled = CompiledPattern | AllowPredicate;

const PATTERN_RE = /^(rtmps?):\/\/(\[[0-9A-Fa-f:.]+\]|\*|(?:\*\.)?[A-Za-z0-9.-]+)(?::(\d{1,5}|\*))?\/?$/;
const DEFAULT_PORT = { rtmp: 1935, rtmps: 443 } as const;

function compile(rule: AllowRule, index: number): Compiled {
  if (typeof rule === 'function') return rule;
  if (typeof rule !== 'string') throw new AllowlistError(`allow[${index}] must be a pattern string or a function`);
  const m = PATTERN_RE.exec(rule.trim());
  if (!m) throw new AllowlistError(`allow[${index}]: ${JSON.stringify(rule)} is not rtmp(s)://host[:port] (host may be *.domain or *, port may be *)`);
  const scheme = m[1] as 'rtmp' | 'rtmps';
  let host = m[2]!.toLowerCase();
  if (host.startsWith('[')) host = host.slice(1, -1);
  if (host.includes(':') && net.isIPv6(host) === false) throw new AllowlistError(`allow[${index}]: ${host} is not an IPv6 address`);
  const portText = m[3];
  const port = portText === undefined ? DEFAULT_PORT[scheme] : portText === '*' ? '*' : Number(portText);
  if (port !== '*' && (port < 1 || port > 65535)) throw new AllowlistError(`allow[${index}]: port ${port} is out of range`);
  return { scheme, host, address: net.isIP(host) ? host : undefined, port };
}

function hostMatches(pattern: CompiledPattern, host: string): boolean {
  if (pattern.host === '*') return true;
  if (pattern.address !== undefined) return net.isIP(host) !== 0 && sameAddress(pattern.address, host);
  if (pattern.host.startsWith('*.')) return host.endsWith(pattern.host.slice(1)) && host.length > pattern.host.length - 1;
  return host === pattern.host;
}

/** The verdict on a target: refused, or allowed and whether a rule names its address literally. */
export type AllowVerdict = { allowed: false } | { allowed: true; namesAddress: boolean };

/** A compiled allowlist. */
export class Allowlist {
  private readonly rules: Compiled[];

  /** Compiles the rules; throws {@link AllowlistError} for a bad pattern. */
  constructor(rules: readonly AllowRule[]) {
    if (!Array.isArray(rules)) throw new AllowlistError('allow must be an array of patterns or functions');
    this.rules = rules.map(compile);
  }

  /** Parses and checks a pattern without building a list (CLI validation). */
  static validate(pattern: string): void {
    compile(pattern, 0);
  }

  /**
   * Judges a target. `namesAddress` is true when a matching pattern is an IP literal equal to
   * the target's host: the operator then chose that address on purpose, so it may be private.
   * A predicate that throws counts as "not allowed".
   */
  check(target: TunnelTarget): AllowVerdict {
    let allowed = false;
    for (const rule of this.rules) {
      if (typeof rule === 'function') {
        let ok = false;
        try {
          ok = rule({ ...target }) === true;
        } catch {
          ok = false;
        }
        allowed ||= ok;
        continue;
      }
      if (rule.scheme !== target.scheme || (rule.port !== '*' && rule.port !== target.port) || !hostMatches(rule, target.host)) continue;
      if (rule.address !== undefined) return { allowed: true, namesAddress: true };
      allowed = true;
    }
    return allowed ? { allowed: true, namesAddress: false } : { allowed: false };
  }
}

