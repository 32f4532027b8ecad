import { canonicalIp, coversPublicSpace } from '../../lib/address-space';
import { ipInCidr, type Ipv4Cidr, parseCidr, parseIpv4 } from '../../lib/cidr';

/**
 * Bypass detection: live resources outside the stacks that reach the origin without
 * passing Cloudflare's mTLS. Everything here is a pure function over typed inputs the
 * collectors (aws.ts, cloudflare.ts) gather; nothing is excluded silently, a resource the
 * stacks declare is reported too when it is itself weak (marked `declared`).
 */

export type FindingKind =
  | 'dns-unproxied-origin'
  | 'dns-unproxied-account-address'
  | 'rest-api-execute-api'
  | 'http-api-execute-api'
  | 'domain-without-mtls'
  | 'domain-foreign-truststore'
  | 'domain-weak-tls'
  | 'security-group-internet';

export interface Finding {
  readonly kind: FindingKind;
  /** The live resource: record id and name, API id, domain name, `sg-…` rule. */
  readonly resource: string;
  /** Why it reaches the origin around mTLS. */
  readonly why: string;
  /** What to do about it. */
  readonly fix: string;
  /** True when the resource is in the environment's state (its identity, never its name): it is weak anyway. @default false */
  readonly declared: boolean;
}

/** What the environment says the origin is, from its resolved config. */
export interface BypassContext {
  /** Environment name. @default none */
  readonly environment?: string;
  /** AWS region of the origin (`aws.region`). */
  readonly region: string;
  /** Ids the environment's state holds (API ids, domain names, DNS record ids, group ids): what "declared" means. @default none */
  readonly declaredIds?: ReadonlySet<string>;
  /** Public addresses of the account (Elastic IPs, instance public IPv4/IPv6), every region swept. @default none */
  readonly accountAddresses?: readonly string[];
  /** This environment's truststore: S3 URI, object version and the CA certificates it holds (PEM bodies). @default none: every truststore counts as ours */
  readonly truststore?: { readonly uri: string; readonly version?: string; readonly cas: readonly string[] };
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

/** `d-abc123.execute-api.us-east-1.amazonaws.com` and `abc123.execute-api…`, any case, trailing dot; any region when none is given. */
export function isExecuteApiName(content: string, region?: string): boolean {
  const escaped = region === undefined ? '[a-z0-9-]+' : region.replace(/[^a-z0-9-]/g, '');
  return new RegExp(`^[a-z0-9-]+\\.execute-api\\.${escaped}\\.amazonaws\\.com$`).test(trimDot(content));
}

/** A name AWS serves for one of the account's endpoints: `*.amazonaws.com`, CloudFront, Global Accelerator, Lambda URLs. */
export function isAwsEndpointName(content: string): boolean {
  return /(^|\.)(amazonaws\.com|cloudfront\.net|awsglobalaccelerator\.com|on\.aws)$/.test(trimDot(content));
}

/**
 * Unproxied records that reach the origin or the account around the edge: a CNAME at an
 * execute-api name of any region, at a live custom domain's target (`regionalNames`) or
 * at any other AWS endpoint name; an A/AAAA record at one of the account's public
 * addresses (Elastic IPs, instance addresses, every region swept); an A record inside
 * the keyless VPC. A proxied record goes through the edge, where mTLS is enforced.
 */
export function dnsFindings(records: readonly DnsRecordInput[], ctx: BypassContext, regionalNames: readonly string[] = []): Finding[] {
  const vpc: Ipv4Cidr | undefined = ctx.vpcCidr ? parseCidr(ctx.vpcCidr) : undefined;
  const targets = new Set(regionalNames.map(trimDot));
  const addresses = new Set((ctx.accountAddresses ?? []).map(canonicalIp).filter((a) => a !== undefined));
  const out: Finding[] = [];
  for (const r of records) {
    if (r.proxied) continue;
    const content = trimDot(r.content);
    let why: string | undefined;
    let kind: FindingKind = 'dns-unproxied-origin';
    if (r.type === 'CNAME' && (targets.has(content) || isExecuteApiName(content))) {
      why = `unproxied CNAME to the API Gateway name ${content}: clients reach the origin directly, without Cloudflare's client-certificate check or WAF`;
    } else if (r.type === 'CNAME' && isAwsEndpointName(content)) {
      why = `unproxied CNAME to the AWS endpoint ${content}: it publishes an endpoint of the account outside the edge`;
    } else if ((r.type === 'A' || r.type === 'AAAA') && addresses.has(canonicalIp(content) ?? '')) {
      kind = 'dns-unproxied-account-address';
      why = `unproxied ${r.type} record to ${content}, a public address of the account (Elastic IP or instance): it reaches a host directly, around the edge`;
    } else if (r.type === 'A' && vpc) {
      const ip = parseIpv4(content);
      if (ip !== undefined && ipInCidr(ip, vpc)) {
        why = `unproxied A record to ${content} in the keyless VPC ${ctx.vpcCidr}: it publishes a private origin or key-server address outside the edge`;
      }
    }
    if (why) {
      out.push({
        kind,
        resource: `dns record ${r.id} (${trimDot(r.name)} ${r.type})`,
        why,
        fix: 'delete the record, or set it proxied so traffic passes the edge (the stacks create their own records proxied)',
        declared: ctx.declaredIds?.has(r.id) ?? false,
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
  /** The region it lives in. @default the environment's */
  readonly region?: string;
}

/** Every API whose default `execute-api` endpoint answers: it skips the custom domain's mTLS. */
export function apiFindings(apis: readonly ApiInput[], ctx: BypassContext): Finding[] {
  return apis
    .filter((a) => a.disableExecuteApiEndpoint !== true)
    .map((a) => ({
      kind: a.protocol === 'REST' ? ('rest-api-execute-api' as const) : ('http-api-execute-api' as const),
      resource: `${a.protocol} API ${a.id} (${a.name})${a.region && a.region !== ctx.region ? ` in ${a.region}` : ''}`,
      why: `its default endpoint https://${a.id}.execute-api.${a.region ?? ctx.region}.amazonaws.com is enabled and never asks for a client certificate`,
      fix: a.protocol === 'REST' ? 'set disableExecuteApiEndpoint: true (aws apigateway update-rest-api --patch-operations op=replace,path=/disableExecuteApiEndpoint,value=true)' : 'set DisableExecuteApiEndpoint: true (aws apigatewayv2 update-api --disable-execute-api-endpoint)',
      declared: ctx.declaredIds?.has(a.id) ?? false,
    }));
}

/** A custom domain name (v1 or v2), reduced to what decides its client authentication. */
export interface DomainInput {
  readonly protocol: 'REST' | 'HTTP';
  readonly domainName: string;
  /** `mutualTlsAuthentication.truststoreUri`. @default none: no mTLS */
  readonly truststoreUri?: string;
  /** `mutualTlsAuthentication.truststoreVersion`. @default none: the latest object version */
  readonly truststoreVersion?: string;
  /** The CA certificates (PEM bodies) of the trust store the domain names, when the collector could read it. @default unknown */
  readonly truststoreCas?: readonly string[];
  /** The region the domain lives in. @default the environment's */
  readonly region?: string;
  /** `securityPolicy`, e.g. TLS_1_2. @default none */
  readonly securityPolicy?: string;
  /** The regional target (d-xxxx.execute-api…), matched against DNS records. @default none */
  readonly regionalDomainName?: string;
}

/** The CA set of a trust store, compared as a set of normalized PEM bodies. */
const sameCas = (a: readonly string[], b: readonly string[]) => {
  const norm = (xs: readonly string[]) => [...new Set(xs.map((x) => x.replace(/\s+/g, '')))].sort().join('|');
  return norm(a) === norm(b);
};

export function domainFindings(domains: readonly DomainInput[], ctx: BypassContext): Finding[] {
  const out: Finding[] = [];
  for (const d of domains) {
    const where = d.region && d.region !== ctx.region ? ` (${d.region})` : '';
    const common = { resource: `${d.protocol} custom domain ${d.domainName}${where}`, declared: ctx.declaredIds?.has(d.domainName) ?? false };
    if (!d.truststoreUri) {
      out.push({ ...common, kind: 'domain-without-mtls', why: 'no mutual TLS trust store: anyone resolving its regional name gets a TLS session without a client certificate', fix: 'set mutualTlsAuthentication.truststoreUri to the origin-pull trust store, or delete the domain' });
    } else if (ctx.truststore && !(d.truststoreUri === ctx.truststore.uri && (d.truststoreVersion ?? undefined) === ctx.truststore.version) && !(d.truststoreCas && sameCas(d.truststoreCas, ctx.truststore.cas))) {
      const names = `${d.truststoreUri}${d.truststoreVersion ? ` version ${d.truststoreVersion}` : ''}`;
      out.push({
        ...common,
        kind: 'domain-foreign-truststore',
        why: `mutual TLS with a trust store that is not this environment's (${names}; ours is ${ctx.truststore.uri} version ${ctx.truststore.version ?? '(latest)'}${d.truststoreCas ? ', and its CAs differ' : ', unreadable'}): whoever holds a certificate of those CAs gets in`,
        fix: `point the domain at ${ctx.truststore.uri} version ${ctx.truststore.version ?? '(latest)'}, or delete it`,
      });
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

const ports = (r: IngressRuleInput) => (r.protocol === '-1' ? 'all traffic' : `${r.protocol} ${r.fromPort ?? '*'}-${r.toPort ?? '*'}`);

/**
 * Inbound rules open to the internet on groups `scopes` names (group id -> why it
 * matters). Open means the ranges together cover the public address space, however they
 * are split (`0.0.0.0/1` + `128.0.0.0/1`): per rule, and per group across its rules.
 */
export function securityGroupFindings(rules: readonly IngressRuleInput[], scopes: ReadonlyMap<string, GroupScope>): Finding[] {
  const out: Finding[] = [];
  const finding = (groupId: string, what: string, scope: GroupScope): Finding => ({
    kind: 'security-group-internet',
    resource: `${groupId} ingress ${what}`,
    why: scope === 'key-server' ? 'a key server holds the private key; the internet can reach it without the tunnel or mTLS' : 'a group in the keyless VPC admits the internet, a way to the origin and key servers around the edge',
    fix: `revoke the rule (aws ec2 revoke-security-group-ingress --group-id ${groupId} ...); key servers take traffic only from Cloudflare Tunnel`,
    declared: false,
  });
  const openByGroup = new Map<string, Set<4 | 6>>();
  for (const r of rules) {
    const scope = scopes.get(r.groupId);
    if (!scope) continue;
    const open = coversPublicSpace([...r.cidrIpv4, ...r.cidrIpv6]);
    const seen = openByGroup.get(r.groupId) ?? new Set();
    openByGroup.set(r.groupId, seen);
    if (open.ipv4) {
      seen.add(4);
      out.push(finding(r.groupId, `${ports(r)} from ${r.cidrIpv4.join(' + ')}`, scope));
    }
    if (open.ipv6) {
      seen.add(6);
      out.push(finding(r.groupId, `${ports(r)} from ${r.cidrIpv6.join(' + ')}`, scope));
    }
  }
  // Split across rules: no single rule covers the internet, the group's rules together do.
  for (const [groupId, seen] of openByGroup) {
    const groupRules = rules.filter((r) => r.groupId === groupId);
    const open = coversPublicSpace(groupRules.flatMap((r) => [...r.cidrIpv4, ...r.cidrIpv6]));
    for (const family of [4, 6] as const) {
      if ((family === 4 ? open.ipv4 : open.ipv6) && !seen.has(family)) {
        const parts = groupRules.filter((r) => (family === 4 ? r.cidrIpv4 : r.cidrIpv6).length > 0).map((r) => `${ports(r)} from ${(family === 4 ? r.cidrIpv4 : r.cidrIpv6).join(' + ')}`);
        out.push(finding(groupId, `(${parts.length} rules together) ${parts.join('; ')}`, scopes.get(groupId)!));
      }
    }
  }
  return out;
}
