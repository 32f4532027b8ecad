import type { PlanReport, ResourceReport, StackReport } from './plan-report';

/**
 * Which planned changes can cut traffic: a replacement or deletion of a resource that
 * serves requests. Replacing one means a moment (or longer) without it, however the
 * replacement is ordered: a custom domain gets a new regional name the DNS record has
 * not caught up with, a key server at a fixed address is destroyed before its successor
 * boots, a tunnel gets a new id and token. Each risk says why the resource goes and
 * which hostname (or key server) it serves, so a reviewer can tell an intended removal
 * from collateral damage.
 */

/** What a serving resource is for, by Terraform type. */
const SERVING: Readonly<Record<string, string>> = {
  aws_api_gateway_domain_name: 'API custom domain',
  aws_api_gateway_base_path_mapping: 'API base path mapping',
  aws_acm_certificate: 'ACM certificate in use by an API domain',
  cloudflare_dns_record: 'DNS record',
  aws_route53_record: 'DNS record',
  cloudflare_zero_trust_tunnel_cloudflared: 'Cloudflare tunnel',
  cloudflare_zero_trust_tunnel_cloudflared_config: 'tunnel configuration',
  cloudflare_zero_trust_tunnel_cloudflared_route: 'tunnel route',
  cloudflare_zero_trust_tunnel_cloudflared_virtual_network: 'tunnel virtual network',
  cloudflare_authenticated_origin_pulls_certificate: 'AOP certificate',
  cloudflare_authenticated_origin_pulls_hostname_certificate: 'AOP certificate',
  cloudflare_authenticated_origin_pulls: 'AOP hostname setting',
  cloudflare_authenticated_origin_pulls_settings: 'AOP zone setting',
  cloudflare_mtls_certificate: 'API Shield client CA certificate',
  cloudflare_certificate_authorities_hostname_associations: 'API Shield CA hostname association',
  cloudflare_keyless_certificate: 'Keyless SSL configuration',
};

export interface OutageRisk {
  readonly stack: string;
  readonly address: string;
  readonly constructPath?: string;
  readonly action: 'replace' | 'delete';
  /** What the resource is (`API custom domain`, `key server`). */
  readonly what: string;
  /** Why it goes: `replaced because \`domain_name\` changed`, `deleted: no longer in the code`. */
  readonly why: string;
  /** The hostname (or key server) whose traffic is at risk, when it can be told. */
  readonly serves?: string;
}

/** `key server`, `API custom domain`..., or undefined when the resource does not serve traffic. */
export function servingRole(r: Pick<ResourceReport, 'type' | 'constructPath' | 'address'>): string | undefined {
  // A deleted host has no construct path any more; its address still carries the id.
  if (r.type === 'aws_instance') return /\/KeyServer-[^/]+\//.test(r.constructPath ?? '') || /\.KeyServer-/.test(r.address) ? 'key server' : undefined;
  return SERVING[r.type];
}

/** The hostname or key server a resource serves: from the construct path (ids are keyed by it), else the changed name. */
/** What a resource shared by many hostnames serves, when no single hostname can be named. */
const SHARED_SCOPE: Readonly<Record<string, string>> = {
  cloudflare_zero_trust_tunnel_cloudflared: 'every key server (and the tunnel\'s public hostnames)',
  cloudflare_zero_trust_tunnel_cloudflared_config: 'the tunnel\'s public hostnames',
  cloudflare_zero_trust_tunnel_cloudflared_virtual_network: 'every key server',
  cloudflare_authenticated_origin_pulls_certificate: 'every proxied hostname of the zone',
  cloudflare_authenticated_origin_pulls_hostname_certificate: 'every hostname with per-hostname origin pulls',
  cloudflare_authenticated_origin_pulls_settings: 'every proxied hostname of the zone',
  cloudflare_mtls_certificate: 'every hostname behind API Shield',
  cloudflare_certificate_authorities_hostname_associations: 'every hostname behind API Shield',
};

export function servedBy(r: Pick<ResourceReport, 'constructPath' | 'attributes' | 'identity' | 'type'>): string | undefined {
  const path = r.constructPath ?? '';
  const key = path.match(/\/KeyServer-([^/]+)\//);
  if (key) return `key server ${key[1]}`;
  const host = path.match(/\/(?:Domain|Public|Record|MinTls|Hostname|Application|Policy)-((?:[a-z0-9-]+\.)+[a-z0-9-]+)(?:\/|$)/i);
  if (host) return host[1];
  if (SHARED_SCOPE[r.type]) return SHARED_SCOPE[r.type];
  if (r.identity) return r.type === 'aws_instance' ? `host ${r.identity}` : r.identity;
  for (const name of ['domain_name', 'hostname', 'name']) {
    const a = r.attributes.find((x) => x.path === name);
    if (a && typeof a.before === 'string') return a.before;
  }
  return undefined;
}

function why(r: ResourceReport): string {
  if (r.action === 'delete') return 'deleted: no longer in the code';
  const forcing = r.attributes.filter((a) => a.forcesReplacement).map((a) => `\`${a.path}\``);
  return forcing.length > 0 ? `replaced because ${forcing.join(', ')} changed` : 'replaced';
}

export function stackOutageRisks(s: Pick<StackReport, 'stack' | 'changes'>): OutageRisk[] {
  const out: OutageRisk[] = [];
  for (const r of s.changes) {
    if (r.action !== 'replace' && r.action !== 'delete') continue;
    const what = servingRole(r);
    if (!what) continue;
    const serves = servedBy(r);
    out.push({ stack: s.stack, address: r.address, ...(r.constructPath ? { constructPath: r.constructPath } : {}), action: r.action, what, why: why(r), ...(serves ? { serves } : {}) });
  }
  return out;
}

/** Every outage risk of a plan, by stack and address. */
export function outageRisks(report: Pick<PlanReport, 'stacks'>): OutageRisk[] {
  return report.stacks.flatMap(stackOutageRisks);
}

/** `**outage risk**: API custom domain, replaced because `domain_name` changed; serves api.example.com` */
export function outageMark(risk: OutageRisk): string {
  return `**outage risk**: ${risk.what}, ${risk.why}${risk.serves ? `; serves ${risk.serves}` : ''}`;
}

/** The mark of one resource change, or undefined when it is no outage risk. */
export function outageMarkOf(stack: string, r: ResourceReport): string | undefined {
  const [risk] = stackOutageRisks({ stack, changes: [r] });
  return risk ? outageMark(risk) : undefined;
}

/**
 * What `npm run apply` asks on a terminal: with no outage risk, "yes"; with some, the
 * number of them typed back, so nobody applies them by reflex.
 */
export function confirmation(report: Pick<PlanReport, 'stacks' | 'env'>): { question: string; accepts: (answer: string) => boolean } {
  const n = outageRisks(report).length;
  if (n === 0) return { question: `\nApply these plans to ${report.env}? Only "yes" applies: `, accepts: (a) => a.trim() === 'yes' };
  return {
    question: `\nThese plans carry ${n} outage risk${n === 1 ? '' : 's'} (marked **outage risk** above). To apply them to ${report.env}, type the number of outage risks: `,
    accepts: (a) => a.trim() === String(n),
  };
}

/**
 * Key servers a plan would replace or delete, when more than one: Keyless SSL would lose
 * every key server at once. `npm run apply` refuses such a round (roll one per apply:
 * docs/keyless.md, "Rolling key servers").
 */
export function keyServersAtOnce(report: Pick<PlanReport, 'stacks'>): OutageRisk[] {
  const hits = outageRisks(report).filter((r) => r.what === 'key server');
  return hits.length > 1 ? hits : [];
}
