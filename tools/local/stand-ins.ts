import type { TerraformJson } from '../validate/aws-projection';

/**
 * What the verify stand-ins serve, derived from the synthesized `local` stacks rather
 * than written by hand: the origin stand-in answers for the origin stack's API custom
 * domains with the TLS versions their `security_policy` allows and trusts exactly the
 * truststore the origin stack writes (its `aws_s3_object` content, evaluated); the edge
 * stand-in answers for the edge stack's proxied DNS names with the zone's minimum TLS
 * version (and TLS 1.3 when the zone turns it on). A hand-written config only shows that
 * the checker works; this one shows what `local` would deploy.
 */

export interface StandInSpec {
  readonly origin: { readonly hostnames: readonly string[]; readonly protocols: readonly string[]; readonly truststorePem: string };
  readonly edge: { readonly hostnames: readonly string[]; readonly protocols: readonly string[] };
}

/**
 * The value an expression of the custody stack (`${tls_self_signed_cert.X.cert_pem}`)
 * has once applied. Offline, the tls provider is missing: `npm run local` answers with
 * its own PKI (tools/local/pki.ts), a test with the stack realized by openssl.
 */
export type PublishedValue = (expression: string, stack: TerraformJson) => string;

/** nginx `ssl_protocols` for an API Gateway security policy (REGIONAL endpoints offer TLS 1.3 under TLS_1_2). */
const API_GATEWAY_PROTOCOLS: Record<string, readonly string[]> = {
  TLS_1_0: ['TLSv1', 'TLSv1.1', 'TLSv1.2'],
  TLS_1_2: ['TLSv1.2', 'TLSv1.3'],
};

const NGINX_VERSIONS = ['1.0', '1.1', '1.2', '1.3'] as const;
const nginxName = (v: string) => (v === '1.0' ? 'TLSv1' : `TLSv${v}`);

/** The TLS versions a zone accepts: from `min_tls_version` up to 1.2, and 1.3 when `tls_1_3` is on. */
function zoneProtocols(min: string, tls13: boolean): string[] {
  const from = NGINX_VERSIONS.indexOf(min as (typeof NGINX_VERSIONS)[number]);
  if (from < 0) throw new Error(`the edge stack's min_tls_version ${JSON.stringify(min)} is not one of ${NGINX_VERSIONS.join(', ')}`);
  return NGINX_VERSIONS.slice(from).filter((v) => v !== '1.3' || tls13).map(nginxName);
}

const resourcesOf = (stack: TerraformJson, type: string): Record<string, any>[] => Object.values<Record<string, any>>(stack.resource?.[type] ?? {});

/**
 * The truststore the origin stack writes: its one `aws_s3_object` whose content is either
 * literal PEM (certificates given in the env file) or the join CDKTF writes of the CA
 * certificates the custody stack publishes to SSM, each `format("%s\n", trimspace(...))`;
 * each SSM read is followed to the custody stack's parameter of that name and its value.
 */
export function truststoreOf(origin: TerraformJson, custody: TerraformJson, published: PublishedValue): string {
  const objects = resourcesOf(origin, 'aws_s3_object');
  if (objects.length !== 1) throw new Error(`expected one aws_s3_object (the truststore) in the origin stack, found ${objects.length}`);
  const content = String(objects[0].content);
  if (!content.includes('${')) return content;
  const whole = /^\$\{join\("", \[(.*)\]\)\}$/s.exec(content);
  const parts = whole ? [...whole[1].matchAll(/format\("%s\\n", trimspace\(data\.aws_ssm_parameter\.([\w-]+)\.insecure_value\)\)(?:, |$)/g)] : [];
  if (!whole || parts.map((p) => p[0]).join('') !== whole[1]) throw new Error(`the truststore's content is not the form the stand-ins evaluate: ${content.slice(0, 200)}`);
  return parts
    .map(([, read]) => {
      const name = origin.data?.aws_ssm_parameter?.[read]?.name;
      const parameter = resourcesOf(custody, 'aws_ssm_parameter').find((p) => p.name === name);
      if (!parameter) throw new Error(`the truststore reads SSM parameter ${name ?? read}, which the custody stack does not publish`);
      return `${published(String(parameter.insecure_value ?? parameter.value), custody).trim()}\n`;
    })
    .join('');
}

/** The stand-ins of the environment whose stacks are `<env>-origin`, `<env>-edge` and `<env>-pki`. */
export function standInSpec(stacks: ReadonlyMap<string, TerraformJson>, env: string, published: PublishedValue): StandInSpec {
  const stack = (concern: string) => {
    const found = stacks.get(`${env}-${concern}`);
    if (!found) throw new Error(`no stack ${env}-${concern} was synthesized`);
    return found;
  };
  const origin = stack('origin');
  const edge = stack('edge');
  const domains = resourcesOf(origin, 'aws_api_gateway_domain_name');
  const policies = [...new Set(domains.map((d) => String(d.security_policy)))];
  if (domains.length === 0 || policies.length !== 1 || !API_GATEWAY_PROTOCOLS[policies[0]]) {
    throw new Error(`the origin stack's custom domains must share one known security_policy (${Object.keys(API_GATEWAY_PROTOCOLS).join(', ')}); found ${policies.join(', ') || 'no domain'}`);
  }
  const setting = (id: string) => resourcesOf(edge, 'cloudflare_zone_setting').find((s) => s.setting_id === id)?.value;
  return {
    origin: { hostnames: domains.map((d) => String(d.domain_name)), protocols: API_GATEWAY_PROTOCOLS[policies[0]], truststorePem: truststoreOf(origin, stack('pki'), published) },
    edge: {
      hostnames: resourcesOf(edge, 'cloudflare_dns_record').filter((r) => r.proxied === true).map((r) => String(r.name)),
      protocols: zoneProtocols(String(setting('min_tls_version') ?? '1.0'), setting('tls_1_3') === 'on'),
    },
  };
}
