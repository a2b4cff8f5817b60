/**
 * @module address-policy
 * The importer's SSRF guard: which IP addresses a registry (or a token realm, or a redirect
 * target) may resolve to. Checked on every connection, after DNS resolution and before the
 * socket connects, so a name that resolves to a blocked address (or is rebound to one) is
 * refused.
 *
 * Refused by default: "this" network, link-local (169.254.0.0/16 with the instance metadata
 * service 169.254.169.254, fe80::/10), carrier-grade NAT (100.64.0.0/10, where some clouds put
 * their metadata service), IETF protocol assignments (192.0.0.0/24), benchmarking, multicast,
 * reserved and broadcast ranges, the unspecified addresses, AWS's IPv6 metadata address and —
 * unless `allowLoopback` — loopback (127.0.0.0/8, ::1). IPv4-mapped and NAT64 IPv6 addresses
 * are judged by the IPv4 address they carry. `allowedCidrs` are exceptions to every default
 * block; `blockedCidrs` add blocks (private ranges, for instance).
 */
import { isIP } from 'node:net';

export interface Cidr {
  readonly family: 4 | 6;
  /** The network address as a 32- or 128-bit integer. */
  readonly base: bigint;
  readonly prefix: number;
  readonly text: string;
}

export interface AddressPolicy {
  readonly allowLoopback: boolean;
  /** Exceptions to the default blocks (checked first). */
  readonly allowedCidrs: readonly Cidr[];
  /** Extra blocked ranges (on top of the defaults). */
  readonly blockedCidrs: readonly Cidr[];
}

export type AddressVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

function v4ToBigInt(ip: string): bigint | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function v6ToBigInt(ip: string): bigint | undefined {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // A trailing dotted IPv4 part (::ffff:1.2.3.4).
  const lastColon = text.lastIndexOf(':');
  let tail: number[] = [];
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = v4ToBigInt(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [Number((v4 >> 16n) & 0xffffn), Number(v4 & 0xffffn)];
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups = halves.length === 2 ? [...head, ...Array<string>(8 - head.length - rest.length).fill('0'), ...rest] : head;
  if (groups.length !== 8) return undefined;
  if (tail.length === 2) {
    groups[6] = tail[0]!.toString(16);
    groups[7] = tail[1]!.toString(16);
  }
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (a /32 or /128). Throws on bad input. */
export function parseCidr(text: string): Cidr {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addr = slash >= 0 ? t.slice(0, slash) : t;
  const family = isIP(addr);
  if (family !== 4 && family !== 6) throw new Error(`invalid CIDR "${text}"`);
  const bits = family === 4 ? 32 : 128;
  const prefix = slash >= 0 ? Number(t.slice(slash + 1)) : bits;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) throw new Error(`invalid CIDR "${text}"`);
  const value = family === 4 ? v4ToBigInt(addr) : v6ToBigInt(addr);
  if (value === undefined) throw new Error(`invalid CIDR "${text}"`);
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { family, base: value & mask, prefix, text: t };
}

/** Comma-separated CIDRs (empty entries ignored). */
export const parseCidrList = (text: string | undefined): Cidr[] =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseCidr);

function contains(cidr: Cidr, family: 4 | 6, value: bigint): boolean {
  if (cidr.family !== family) return false;
  const bits = family === 4 ? 32 : 128;
  const shift = BigInt(bits - cidr.prefix);
  return value >> shift === cidr.base >> shift;
}

const named = (text: string, label: string): [Cidr, string] => [parseCidr(text), label];

const DEFAULT_BLOCKS: readonly [Cidr, string][] = [
  named('0.0.0.0/8', 'this network'),
  named('169.254.0.0/16', 'link-local (instance metadata)'),
  named('100.64.0.0/10', 'carrier-grade NAT'),
  named('192.0.0.0/24', 'IETF protocol assignments'),
  named('192.0.2.0/24', 'documentation'),
  named('198.18.0.0/15', 'benchmarking'),
  named('198.51.100.0/24', 'documentation'),
  named('203.0.113.0/24', 'documentation'),
  named('224.0.0.0/4', 'multicast'),
  named('240.0.0.0/4', 'reserved'),
  named('::/128', 'unspecified'),
  named('fe80::/10', 'link-local'),
  named('fd00:ec2::/32', 'instance metadata'),
  named('ff00::/8', 'multicast'),
  named('2001:db8::/32', 'documentation'),
];

const LOOPBACK: readonly [Cidr, string][] = [named('127.0.0.0/8', 'loopback'), named('::1/128', 'loopback')];

const MAPPED_V4 = parseCidr('::ffff:0:0/96');
const NAT64 = parseCidr('64:ff9b::/96');

/** Judges one IP address (v4 or v6 text) against the policy. */
export function checkAddress(ip: string, policy: AddressPolicy): AddressVerdict {
  const family = isIP(ip);
  if (family !== 4 && family !== 6) return { allowed: false, reason: `"${ip}" is not an IP address` };
  let value = family === 4 ? v4ToBigInt(ip) : v6ToBigInt(ip);
  if (value === undefined) return { allowed: false, reason: `"${ip}" is not an IP address` };
  let fam: 4 | 6 = family;
  if (fam === 6 && (contains(MAPPED_V4, 6, value) || contains(NAT64, 6, value))) {
    value = value & 0xffffffffn;
    fam = 4;
  }
  if (policy.allowedCidrs.some((c) => contains(c, fam, value))) return { allowed: true };
  const blocked = policy.blockedCidrs.find((c) => contains(c, fam, value));
  if (blocked) return { allowed: false, reason: `address ${ip} is in the blocked range ${blocked.text}` };
  for (const [cidr, label] of DEFAULT_BLOCKS) {
    if (contains(cidr, fam, value)) return { allowed: false, reason: `address ${ip} is ${label} (${cidr.text})` };
  }
  if (!policy.allowLoopback) {
    for (const [cidr, label] of LOOPBACK) {
      if (contains(cidr, fam, value)) return { allowed: false, reason: `address ${ip} is ${label} (${cidr.text}) and loopback registries are not allowed` };
    }
  }
  return { allowed: true };
}

export const DEFAULT_ADDRESS_POLICY: AddressPolicy = { allowLoopback: false, allowedCidrs: [], blockedCidrs: [] };
