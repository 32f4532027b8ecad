import { ipInCidr, type Ipv4Cidr, parseCidr, parseIpv4 } from '../../lib/cidr';

/**
 * Bypass detection: live resources outside the stacks that reach the origin without
 * passing Cloudflare's mTLS. Everything here is a pure function over typed inputs the
 * collectors (aws.ts, cloudflare.ts) gather; nothing is excluded silently, a resource the
 * stacks declare is reported too when it is itself weak (marked `declared`).
 */

export type FindingKind = 'dns-unproxied-origin' | 'rest-api-execute-api' | 'http-api-execute-api' | 'domain-without-mtls' | 'domain-weak-tls' | 'security-group-internet';

export interface Finding {
  readonly kind: FindingKind;
  /** The live resource: record id and name, API id, domain name, `sg-…` rule. */
  readonly resource: string;
  /** Why it reaches the origin around mTLS. */
  readonly why: string;
  /** What to do about it. */
  readonly fix: string;
  /** True when the stacks declare a resource of that name (it is weak anyway). @default false */
  readonly declared: boolean;
}

/** What the environment says the origin is, from its resolved config. */
export interface BypassContext {
  /** Environment name; the stacks name their APIs `<env>-…`. @default none: no API counts as declared */
  readonly environment?: string;
  /** AWS region of the origin (`aws.region`). */
  readonly region: string;
  /** The keyless VPC's IPv4 block (`keyless.vpc.cidr`). @default none: keyless disabled */
  readonly vpcCidr?: string;
  /** Hostnames the stacks serve (`hostnames[].name`, keyless origin host). @default [] */
  readonly declaredHostnames: readonly string[];
}

/** A DNS record as the Cloudflare DNS records list returns it (the fields that matter). */
export interface DnsRecordInput {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly content: string;
  readonly proxied: boolean;
}

const trimDot = (s: string) => s.toLowerCase().replace(/\.$/, '');

/** `d-abc123.execute-api.us-east-1.amazonaws.com` and `abc123.execute-api…`, any case, trailing dot. */
export function isExecuteApiName(content: string, region: string): boolean {
  const escaped = region.replace(/[^a-z0-9-]/g, '');
  return new RegExp(`^[a-z0-9-]+\\.execute-api\\.${escaped}\\.amazonaws\\.com$`).test(trimDot(content));
}

/**
 * Unproxied records pointing at the origin: a CNAME at an execute-api name of the region
 * (or one of `regionalNames`, the live custom domains' targets), or an A record inside the
 * keyless VPC. A proxied record goes through the edge, where mTLS is enforced.
 */
export function dnsFindings(records: readonly DnsRecordInput[], ctx: BypassContext, regionalNames: readonly string[] = []): Finding[] {
  const vpc: Ipv4Cidr | undefined = ctx.vpcCidr ? parseCidr(ctx.vpcCidr) : undefined;
  const targets = new Set(regionalNames.map(trimDot));
  const out: Finding[] = [];
  for (const r of records) {
    if (r.proxied) continue;
    const content = trimDot(r.content);
    let why: string | undefined;
    if (r.type === 'CNAME' && (targets.has(content) || isExecuteApiName(content, ctx.region))) {
      why = `unproxied CNAME to the API Gateway name ${content}: clients reach the origin directly, without Cloudflare's client-certificate check or WAF`;
    } else if (r.type === 'A' && vpc) {
      const ip = parseIpv4(content);
      if (ip !== undefined && ipInCidr(ip, vpc)) {
        why = `unproxied A record to ${content} in the keyless VPC ${ctx.vpcCidr}: it publishes a private origin or key-server address outside the edge`;
      }
    }
    if (why) {
      out.push({
        kind: 'dns-unproxied-origin',
        resource: `dns record ${r.id} (${trimDot(r.name)} ${r.type})`,
        why,
        fix: 'delete the record, or set it proxied so traffic passes the edge (the stacks create their own records proxied)',
        declared: ctx.declaredHostnames.map(trimDot).includes(trimDot(r.name)),
      });
    }
  }
  return out;
}

/** A REST (v1) or HTTP (v2) API; `disableExecuteApiEndpoint` as the API returns it. */
export interface ApiInput {
  readonly protocol: 'REST' | 'HTTP';
  readonly id: string;
  readonly name: string;
  /** Absent in the response means false: the default endpoint is on. */
  readonly disableExecuteApiEndpoint?: boolean;
}

/** Every API whose default `execute-api` endpoint answers: it skips the custom domain's mTLS. */
export function apiFindings(apis: readonly ApiInput[], ctx: BypassContext): Finding[] {
  return apis
    .filter((a) => a.disableExecuteApiEndpoint !== true)
    .map((a) => ({
      kind: a.protocol === 'REST' ? ('rest-api-execute-api' as const) : ('http-api-execute-api' as const),
      resource: `${a.protocol} API ${a.id} (${a.name})`,
      why: `its default endpoint https://${a.id}.execute-api.${ctx.region}.amazonaws.com is enabled and never asks for a client certificate`,
      fix: a.protocol === 'REST' ? 'set disableExecuteApiEndpoint: true (aws apigateway update-rest-api --patch-operations op=replace,path=/disableExecuteApiEndpoint,value=true)' : 'set DisableExecuteApiEndpoint: true (aws apigatewayv2 update-api --disable-execute-api-endpoint)',
      declared: ctx.environment !== undefined && a.name.startsWith(`${ctx.environment}-`),
    }));
}

/** A custom domain name (v1 or v2), reduced to what decides its client authentication. */
export interface DomainInput {
  readonly protocol: 'REST' | 'HTTP';
  readonly domainName: string;
  /** `mutualTlsAuthentication.truststoreUri`. @default none: no mTLS */
  readonly truststoreUri?: string;
  /** `securityPolicy`, e.g. TLS_1_2. @default none */
  readonly securityPolicy?: string;
  /** The regional target (d-xxxx.execute-api…), matched against DNS records. @default none */
  readonly regionalDomainName?: string;
}

export function domainFindings(domains: readonly DomainInput[], ctx: BypassContext): Finding[] {
  const declared = ctx.declaredHostnames.map(trimDot);
  const out: Finding[] = [];
  for (const d of domains) {
    const common = { resource: `${d.protocol} custom domain ${d.domainName}`, declared: declared.includes(trimDot(d.domainName)) };
    if (!d.truststoreUri) {
      out.push({ ...common, kind: 'domain-without-mtls', why: 'no mutual TLS trust store: anyone resolving its regional name gets a TLS session without a client certificate', fix: 'set mutualTlsAuthentication.truststoreUri to the origin-pull trust store, or delete the domain' });
    }
    if (d.securityPolicy !== 'TLS_1_2') {
      out.push({ ...common, kind: 'domain-weak-tls', why: `security policy ${d.securityPolicy ?? '(none)'} instead of TLS_1_2 allows older protocol versions`, fix: 'set securityPolicy TLS_1_2 (mutual TLS requires it anyway)' });
    }
  }
  return out;
}

/** One inbound rule of a security group, as DescribeSecurityGroups returns it. */
export interface IngressRuleInput {
  readonly groupId: string;
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrIpv4: readonly string[];
  readonly cidrIpv6: readonly string[];
}

/** Why a group is in scope: attached to a key server, or in the keyless VPC. */
export type GroupScope = 'key-server' | 'keyless-vpc';

const INTERNET = ['0.0.0.0/0', '::/0'];

/** Inbound rules open to the internet on groups `scopes` names (group id -> why it matters). */
export function securityGroupFindings(rules: readonly IngressRuleInput[], scopes: ReadonlyMap<string, GroupScope>): Finding[] {
  const out: Finding[] = [];
  for (const r of rules) {
    const scope = scopes.get(r.groupId);
    if (!scope) continue;
    for (const cidr of [...r.cidrIpv4, ...r.cidrIpv6].filter((c) => INTERNET.includes(c))) {
      const ports = r.protocol === '-1' ? 'all traffic' : `${r.protocol} ${r.fromPort ?? '*'}-${r.toPort ?? '*'}`;
      out.push({
        kind: 'security-group-internet',
        resource: `${r.groupId} ingress ${ports} from ${cidr}`,
        why: scope === 'key-server' ? 'a key server holds the private key; the internet can reach it without the tunnel or mTLS' : 'a group in the keyless VPC admits the internet, a way to the origin and key servers around the edge',
        fix: `revoke the rule (aws ec2 revoke-security-group-ingress --group-id ${r.groupId} ...); key servers take traffic only from Cloudflare Tunnel`,
        declared: false,
      });
    }
  }
  return out;
}
