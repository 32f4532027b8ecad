/** IPv4 CIDR arithmetic for validating fixed private addresses against their subnets. */

export function parseIpv4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  if (m.slice(1).some((o) => o.length > 1 && o.startsWith('0'))) return undefined;
  return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

export interface Ipv4Cidr {
  readonly network: number;
  readonly prefix: number;
  readonly size: number;
}

export function parseCidr(cidr: string): Ipv4Cidr | undefined {
  const [ip, p, extra] = cidr.split('/');
  if (extra !== undefined || p === undefined || !/^\d{1,2}$/.test(p)) return undefined;
  const prefix = Number(p);
  const addr = parseIpv4(ip);
  if (addr === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  // A CIDR with host bits set (10.0.0.1/24) is almost always a typo for the address.
  if (addr % size !== 0) return undefined;
  return { network: addr, prefix, size };
}

export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.network >= outer.network && inner.network + inner.size <= outer.network + outer.size;
}

export function ipInCidr(ip: number, cidr: Ipv4Cidr): boolean {
  return ip >= cidr.network && ip < cidr.network + cidr.size;
}

/**
 * AWS reserves the first four addresses and the last one of every subnet
 * (network, VPC router, DNS, future use, broadcast).
 */
export function isAwsReserved(ip: number, subnet: Ipv4Cidr): boolean {
  const offset = ip - subnet.network;
  return offset < 4 || offset === subnet.size - 1;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

const PRIVATE_BLOCKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => parseCidr(c)!);

/** True for an address in the RFC 1918 private ranges. */
export function isPrivateIpv4(ip: number): boolean {
  return PRIVATE_BLOCKS.some((b) => ipInCidr(ip, b));
}

/**
 * The shared address space of RFC 6598 (carrier-grade NAT, 100.64.0.0/10): not routed on
 * the internet, and AWS accepts it for VPCs and subnets like the RFC 1918 ranges.
 */
const SHARED_BLOCK = parseCidr('100.64.0.0/10')!;

/** True when the whole block lies in one RFC 1918 range or in RFC 6598's shared space: what a VPC may use. */
export function isNonPublicBlock(block: Ipv4Cidr): boolean {
  return [...PRIVATE_BLOCKS, SHARED_BLOCK].some((b) => ipInCidr(block.network, b) && ipInCidr(block.network + block.size - 1, b));
}

/** True when two blocks share at least one address. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network < b.network + b.size && b.network < a.network + a.size;
}
