import { domainToASCII, domainToUnicode } from 'node:url';

/** DNS name helpers shared by the environment schema and the modules. */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * An `xn--` label must be valid punycode that decodes to a name which encodes back to
 * the same label: otherwise ACM, API Gateway and Cloudflare disagree about what name
 * it is (or refuse it after half the resources exist).
 */
function validAceLabel(label: string): boolean {
  if (!label.startsWith('xn--')) return label.slice(2, 4) !== '--'; // `ab--x`: reserved for future encodings (RFC 5891)
  const unicode = domainToUnicode(label);
  return unicode !== '' && unicode !== label && domainToASCII(unicode) === label;
}

/**
 * At most this many protected hostnames per environment. Each one is an API Gateway
 * custom domain (AWS allows 120 regional ones per account and region by default), a DNS
 * record, origin-pull and API Shield settings (about six resources), and its name goes
 * into the one WAF block rule, whose expression Cloudflare caps at 4096 characters; 50
 * keeps all of that inside the limits and a plan reviewable. More hostnames belong in
 * another environment.
 */
export const MAX_HOSTNAMES_PER_ENVIRONMENT = 50;

/**
 * True for a lowercase fully-qualified name without trailing dot, e.g. `api.example.com`.
 * Not an IP address (the last label, the top-level domain, is never all digits) and
 * every `xn--` label valid punycode.
 */
export function isHostname(name: string): boolean {
  if (name.length > 253 || name !== name.toLowerCase()) return false;
  const labels = name.split('.');
  return labels.length >= 2 && labels.every((l) => LABEL.test(l) && validAceLabel(l)) && !/^\d+$/.test(labels[labels.length - 1]);
}

/** True when `host` is the zone apex or a name below it (`a.b.example.com` in `example.com`). */
export function isInZone(host: string, zone: string): boolean {
  return host === zone || host.endsWith(`.${zone}`);
}
