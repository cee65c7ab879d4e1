/**
 * Which resolved addresses a tunnel may reach (DESIGN.md, "The tunnel wire protocol": no open
 * relay into the gateway's own network). Loopback, private, link-local, unspecified, multicast
 * and other special-purpose ranges are refused unless the operator allows them; IPv4-mapped IPv6
 * addresses (`::ffff:127.0.0.1`) are judged as the IPv4 address they carry.
 */
import net from 'node:net';

/** Special-purpose IPv4 ranges (RFC 6890 and successors) a public RTMP ingest never lives in. */
const IPV4_SPECIAL: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services live here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
];

/** Special-purpose IPv6 ranges. IPv4-mapped (::ffff:0:0/96) is unwrapped before the check. */
const IPV6_SPECIAL: readonly [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (private)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some stacks)
  ['ff00::', 8], // multicast
];

const special = new net.BlockList();
for (const [prefix, bits] of IPV4_SPECIAL) special.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of IPV6_SPECIAL) special.addSubnet(prefix, bits, 'ipv6');

const MAPPED_DOTTED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

/**
 * The IPv4 address an IPv4-mapped (`::ffff:a.b.c.d`) or IPv4-compatible (`::a.b.c.d`) IPv6
 * address carries, else the address itself.
 */
export function unmapAddress(address: string): string {
  const dotted = MAPPED_DOTTED.exec(address) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) return dotted[1]!;
  const hex = MAPPED_HEX.exec(address);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return address;
}

/** True for a globally routable unicast address; false for anything special or not an IP. */
export function isPublicAddress(address: string): boolean {
  const ip = unmapAddress(address);
  const family = net.isIP(ip);
  if (family === 4) return !special.check(ip, 'ipv4');
  if (family === 6) {
    // BlockList also matches IPv4-mapped forms against IPv4 rules; unmapAddress covered those.
    return !special.check(ip, 'ipv6');
  }
  return false;
}

/** The same IP address, whatever its spelling (`::1` = `0:0::1`, `::ffff:7f00:1` = `127.0.0.1`). */
export function sameAddress(a: string, b: string): boolean {
  const x = unmapAddress(a);
  const y = unmapAddress(b);
  const fx = net.isIP(x);
  if (fx === 0 || fx !== net.isIP(y)) return false;
  const list = new net.BlockList();
  list.addAddress(x, fx === 4 ? 'ipv4' : 'ipv6');
  return list.check(y, fx === 4 ? 'ipv4' : 'ipv6');
}
