/**
 * Address-space coverage: whether a set of CIDR blocks, however split
 * (`0.0.0.0/1` + `128.0.0.0/1`, a thousand /10s), admits every public address. Used
 * by the bypass check: "open to the internet" is a property of the union of ranges,
 * not of one exact string.
 */

type Interval = readonly [bigint, bigint];

const V4_BITS = 32n;
const V6_BITS = 128n;

function parseV4(ip: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return o.reduce((acc, x) => (acc << 8n) + BigInt(x), 0n);
}

export function parseV6(ip: string): bigint | undefined {
  if (!/^[0-9a-f:.]+$/i.test(ip) || ip.split('::').length > 2) return undefined;
  let groups: string[];
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  let text = ip;
  let tail: bigint | undefined;
  if (v4tail) {
    tail = parseV4(v4tail[1]);
    if (tail === undefined) return undefined;
    text = ip.slice(0, -v4tail[1].length) + '0:0';
  }
  if (text.includes('::')) {
    const [a, b] = text.split('::');
    const left = a ? a.split(':') : [];
    const right = b ? b.split(':') : [];
    const fill = 8 - left.length - right.length;
    if (fill < 1) return undefined;
    groups = [...left, ...Array<string>(fill).fill('0'), ...right];
  } else groups = text.split(':');
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  let n = groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
  if (tail !== undefined) n = (n & ~0xffffffffn) | tail;
  return n;
}

/** `a.b.c.d/p` or `x::/p` as an inclusive interval; undefined when malformed. */
export function cidrInterval(cidr: string): { family: 4 | 6; interval: Interval } | undefined {
  const [ip, p] = cidr.split('/');
  const v6 = ip.includes(':');
  const bits = v6 ? V6_BITS : V4_BITS;
  const prefix = p === undefined ? bits : /^\d{1,3}$/.test(p) ? BigInt(p) : -1n;
  if (prefix < 0n || prefix > bits) return undefined;
  const addr = v6 ? parseV6(ip) : parseV4(ip);
  if (addr === undefined) return undefined;
  const size = 1n << (bits - prefix);
  const start = (addr / size) * size;
  return { family: v6 ? 6 : 4, interval: [start, start + size - 1n] };
}

/** IPv4 blocks that are not public unicast (RFC 6890 special-purpose, multicast, reserved). */
const V4_NOT_PUBLIC = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/3'];
/** The IPv6 global unicast block; everything outside it is not routed on the internet. */
const V6_PUBLIC = '2000::/3';

function merge(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Array<[bigint, bigint]> = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1n) last[1] = e > last[1] ? e : last[1];
    else out.push([s, e]);
  }
  return out;
}

/** The complement of `holes` within `[0, max]`. */
function complement(holes: readonly Interval[], max: bigint): Interval[] {
  const out: Interval[] = [];
  let next = 0n;
  for (const [s, e] of merge(holes)) {
    if (s > next) out.push([next, s - 1n]);
    next = e + 1n;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

const PUBLIC_V4 = complement(V4_NOT_PUBLIC.map((c) => cidrInterval(c)!.interval), (1n << V4_BITS) - 1n);
const PUBLIC_V6 = [cidrInterval(V6_PUBLIC)!.interval];

function covers(union: readonly Interval[], wanted: readonly Interval[]): boolean {
  const merged = merge(union);
  return wanted.every(([s, e]) => merged.some(([us, ue]) => us <= s && ue >= e));
}

/**
 * True when the blocks together admit every public IPv4 address, or every global
 * unicast IPv6 address: open to the internet, whatever the split.
 */
export function coversPublicSpace(cidrs: readonly string[]): { ipv4: boolean; ipv6: boolean } {
  const parsed = cidrs.map(cidrInterval).filter((x) => x !== undefined);
  return {
    ipv4: covers(parsed.filter((p) => p.family === 4).map((p) => p.interval), PUBLIC_V4),
    ipv6: covers(parsed.filter((p) => p.family === 6).map((p) => p.interval), PUBLIC_V6),
  };
}

/** Canonical text of an address (IPv6 lower-case, zeros compressed as parsed), for set membership. */
export function canonicalIp(ip: string): string | undefined {
  const v4 = parseV4(ip);
  if (v4 !== undefined) return ip;
  const v6 = parseV6(ip);
  return v6 === undefined ? undefined : `v6:${v6.toString(16)}`;
}
