import { X509Certificate } from 'node:crypto';
import type { TerraformJson } from '../validate/aws-projection';
import { oneLineDn } from '../../lib/x509';

/**
 * The security-relevant settings of a synthesized stack, pulled out for reviewers.
 * Table-driven over resource types: a type that is not in the stack shows nothing,
 * a type that lands later needs one row here.
 */

export interface SecuritySetting {
  /** `aws_api_gateway_domain_name.Api` */
  readonly resource: string;
  readonly setting: string;
  readonly value: string;
  /** Set when the value is a known weak or dangerous choice. */
  readonly warning?: boolean;
}

type Row = [setting: string, value: string, warning?: boolean];
type Extractor = (config: Record<string, any>, stack: TerraformJson) => Row[];

/** A single nested block, whether CDKTF wrote it as an object or a one-item list. */
const block = (v: unknown): Record<string, any> | undefined => (Array.isArray(v) ? v[0] : (v as Record<string, any> | undefined));
const list = (v: unknown): Record<string, any>[] => (Array.isArray(v) ? v : v ? [v as Record<string, any>] : []);
const show = (v: unknown): string => (v === undefined ? '(not set)' : typeof v === 'string' ? v : JSON.stringify(v));

function ruleText(r: Record<string, any>): string {
  const ports = r.from_port === r.to_port ? `${r.from_port}` : `${r.from_port}-${r.to_port}`;
  const sources = [...(r.cidr_blocks ?? []), ...(r.ipv6_cidr_blocks ?? []), ...(r.security_groups ?? []), r.cidr_ipv4, r.cidr_ipv6, r.source_security_group_id, r.referenced_security_group_id]
    .filter(Boolean)
    .join(', ');
  return `${r.protocol ?? r.ip_protocol} ${ports} ${sources || '(no source)'}`;
}

function imdsRows(metadata: Record<string, any> | undefined): Row[] {
  const tokens = metadata?.http_tokens;
  return [['IMDS', tokens === 'required' ? 'IMDSv2 required' : `IMDSv1 allowed (http_tokens ${show(tokens)})`, tokens !== 'required']];
}

/** Who issued a certificate given as a literal PEM or as a reference to a tls resource in the same stack. */
export function describeIssuer(certificate: unknown, stack: TerraformJson): string {
  if (typeof certificate !== 'string') return show(certificate);
  if (certificate.includes('-----BEGIN CERTIFICATE-----')) {
    try {
      return `issuer ${oneLineDn(new X509Certificate(certificate).issuer)}`;
    } catch {
      return 'an unparseable PEM';
    }
  }
  const ref = /^\$\{(tls_locally_signed_cert|tls_self_signed_cert)\.([\w-]+)\.cert_pem\}$/.exec(certificate);
  if (!ref) return `from ${certificate}`;
  const [, type, name] = ref;
  const cert = stack.resource?.[type]?.[name];
  if (type === 'tls_self_signed_cert') return `self-signed, CN=${show(block(cert?.subject)?.common_name)} (${type}.${name})`;
  const ca = /^\$\{tls_self_signed_cert\.([\w-]+)\.cert_pem\}$/.exec(cert?.ca_cert_pem ?? '');
  const caCn = ca ? block(stack.resource?.tls_self_signed_cert?.[ca[1]]?.subject)?.common_name : undefined;
  return ca ? `issued by CN=${show(caCn)} (tls_self_signed_cert.${ca[1]})` : `issued by ${show(cert?.ca_cert_pem)} (${type}.${name})`;
}

function policyStatements(policy: unknown, stack: TerraformJson): string {
  const ref = typeof policy === 'string' ? /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(policy) : null;
  const doc = ref ? stack.data?.aws_iam_policy_document?.[ref[1]] : undefined;
  if (!doc) return show(policy);
  return list(doc.statement)
    .map((s) => {
      const conditions = list(s.condition).map((c) => `${c.variable} ${c.test} ${show(c.values)}`);
      return `${s.effect ?? 'Allow'} ${s.sid ?? ''} ${show(s.actions)}${conditions.length ? ` when ${conditions.join(' and ')}` : ''}`.replace(/\s+/g, ' ');
    })
    .join('; ');
}

const EXTRACTORS: Readonly<Record<string, Extractor>> = {
  aws_api_gateway_domain_name: (r) => {
    const mtls = block(r.mutual_tls_authentication);
    return [
      ['mTLS', mtls ? `on: truststore ${show(mtls.truststore_uri)}` : 'off', !mtls],
      ['truststore version', mtls ? show(mtls.truststore_version) : '-', !!mtls && mtls.truststore_version === undefined],
      ['TLS policy', show(r.security_policy), r.security_policy !== 'TLS_1_2'],
      ['endpoint', show(block(r.endpoint_configuration)?.types)],
    ];
  },
  aws_api_gateway_rest_api: (r) => [
    ['default execute-api endpoint', r.disable_execute_api_endpoint === true ? 'disabled' : 'ENABLED', r.disable_execute_api_endpoint !== true],
  ],
  aws_s3_bucket_versioning: (r) => [['versioning', show(block(r.versioning_configuration)?.status), block(r.versioning_configuration)?.status !== 'Enabled']],
  aws_s3_bucket_server_side_encryption_configuration: (r) =>
    list(r.rule).map((rule) => {
      const d = block(rule.apply_server_side_encryption_by_default);
      return ['encryption', `${show(d?.sse_algorithm)}${d?.kms_master_key_id ? ` with ${d.kms_master_key_id}` : ''}`] as Row;
    }),
  aws_s3_bucket_public_access_block: (r) => {
    const off = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].filter((k) => r[k] !== true);
    return [['public access', off.length === 0 ? 'all four blocks on' : `NOT blocked: ${off.join(', ')}`, off.length > 0]];
  },
  aws_s3_bucket_policy: (r, stack) => [['policy', policyStatements(r.policy, stack)]],
  aws_instance: (r) => [
    ...imdsRows(block(r.metadata_options)),
    ['root volume', block(r.root_block_device)?.encrypted === true ? 'encrypted' : 'NOT encrypted', block(r.root_block_device)?.encrypted !== true],
    ['public IP', r.associate_public_ip_address === true ? 'yes' : 'no', r.associate_public_ip_address === true],
  ],
  aws_launch_template: (r) => [
    ...imdsRows(block(r.metadata_options)),
    ...list(r.block_device_mappings).map((m) => ['volume', block(m.ebs)?.encrypted === true || block(m.ebs)?.encrypted === 'true' ? 'encrypted' : 'NOT encrypted'] as Row),
  ],
  aws_security_group: (r) => [
    ['ingress', list(r.ingress).length === 0 ? 'none (no inbound)' : list(r.ingress).map(ruleText).join('; '), list(r.ingress).length > 0],
    ['egress', list(r.egress).length === 0 ? 'none declared' : list(r.egress).map(ruleText).join('; ')],
  ],
  aws_security_group_rule: (r) => [[r.type, ruleText(r), r.type === 'ingress']],
  aws_vpc_security_group_ingress_rule: (r) => [['ingress', ruleText(r), true]],
  aws_vpc_security_group_egress_rule: (r) => [['egress', ruleText(r)]],
  // A record that is not proxied sends clients straight to the origin, past every edge check.
  cloudflare_dns_record: (r) => [[`${show(r.type)} ${show(r.name)}`, r.proxied === true ? 'proxied' : 'NOT proxied (bypasses the edge)', r.proxied !== true]],
  cloudflare_notification_policy: (r) => [[`alert ${show(r.alert_type)}`, r.enabled === false ? 'DISABLED' : 'on', r.enabled === false]],
  cloudflare_zone_setting: (r) => [[`zone setting ${show(r.setting_id)}`, show(r.value)]],
  cloudflare_hostname_tls_setting: (r) => [[`${show(r.setting_id)} for ${show(r.hostname)}`, show(r.value)]],
  cloudflare_authenticated_origin_pulls_settings: (r) => [['zone-level origin pulls', r.enabled === true ? 'on' : 'OFF', r.enabled !== true]],
  cloudflare_authenticated_origin_pulls_certificate: (r, stack) => [['origin pull client certificate', describeIssuer(r.certificate, stack)]],
  cloudflare_authenticated_origin_pulls: (r) =>
    list(r.config).map((c) => [`origin pulls for ${show(c.hostname)}`, `${c.enabled === false ? 'OFF' : 'on'} (cert ${show(c.cert_id)})`, c.enabled === false] as Row),
  cloudflare_mtls_certificate: (r) => [['API Shield CA', `${show(r.name)} (ca=${show(r.ca)})`]],
  cloudflare_ruleset: (r) => [
    ['phase', `${show(r.kind)} / ${show(r.phase)}`],
    ...list(r.rules).map((rule) => [`rule ${show(rule.action)}${rule.enabled === false ? ' (DISABLED)' : ''}`, show(rule.expression), rule.enabled === false] as Row),
  ],
  cloudflare_zero_trust_access_application: (r) => [['application', `${show(r.type ?? 'self_hosted')} ${show(r.domain)}, ${list(r.policies).length} policies`]],
  cloudflare_zero_trust_access_policy: (r) => [
    ['decision', show(r.decision)],
    ['include', show(r.include)],
    ['require', show(r.require)],
  ],
  cloudflare_zero_trust_access_mtls_certificate: (r) => [['Access mTLS CA', `${show(r.name)} for ${show(r.associated_hostnames)}`]],
  cloudflare_zero_trust_access_mtls_hostname_settings: (r) =>
    list(r.settings).map((s) => [`client cert forwarding ${show(s.hostname)}`, show(s.client_certificate_forwarding)] as Row),
};

/** Resource types the review knows how to summarise. */
export const REVIEWED_TYPES: readonly string[] = Object.keys(EXTRACTORS);

export function securitySettings(stack: TerraformJson): SecuritySetting[] {
  const out: SecuritySetting[] = [];
  for (const type of Object.keys(stack.resource ?? {}).sort()) {
    const extract = EXTRACTORS[type];
    if (!extract) continue;
    for (const name of Object.keys(stack.resource[type]).sort()) {
      for (const [setting, value, warning] of extract(stack.resource[type][name], stack)) {
        out.push({ resource: `${type}.${name}`, setting, value, ...(warning ? { warning: true } : {}) });
      }
    }
  }
  return out;
}
