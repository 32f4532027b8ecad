import { X509Certificate } from 'node:crypto';
import { oneLineDn } from '../../lib/x509';
import { blocks, TfStack, type StackJson, type TfResource } from '../tf-json/stack';
import { ABSENT } from '../tf-json/format';
import { isAcmValidationRecord } from '../policy/rules/cloudflare';
import { isTrue, launchTemplateOf } from '../policy/rules/ec2';
import { policyStatements } from '../policy/statements';

/**
 * The security-relevant settings of a synthesized stack, pulled out for reviewers.
 * Table-driven over resource types: a type that is not in the stack shows nothing,
 * a type that lands later needs one row here.
 *
 * This view only describes. Whether a value is a problem is the policy's judgement
 * (tools/policy/rules), which the review attaches by address: the two cannot disagree.
 */

export interface SecuritySetting {
  /** `aws_api_gateway_domain_name.Api` */
  readonly resource: string;
  /** The construct that made it (`dev-origin/Domain-api.dev.example.com/Domain`), from the CDKTF metadata. */
  readonly constructPath?: string;
  readonly setting: string;
  readonly value: string;
}

type Row = [setting: string, value: string];
type Extractor = (config: Record<string, any>, stack: TfStack, resource: TfResource) => Row[];

/** A single nested block, whether CDKTF wrote it as an object or a one-item list. */
const block = (v: unknown): Record<string, any> | undefined => blocks(v)[0];
const list = blocks;
/** Strings bare (expressions and names read better unquoted in a table), the rest as JSON. */
const show = (v: unknown): string => (v === undefined ? ABSENT : typeof v === 'string' ? v : JSON.stringify(v));

function ruleText(r: Record<string, any>): string {
  const ports = r.from_port === r.to_port ? `${r.from_port}` : `${r.from_port}-${r.to_port}`;
  const sources = [...(r.cidr_blocks ?? []), ...(r.ipv6_cidr_blocks ?? []), ...(r.security_groups ?? []), r.cidr_ipv4, r.cidr_ipv6, r.source_security_group_id, r.referenced_security_group_id]
    .filter(Boolean)
    .join(', ');
  return `${r.protocol ?? r.ip_protocol} ${ports} ${sources || '(no source)'}`;
}

function imdsRows(metadata: Record<string, any> | undefined): Row[] {
  const tokens = metadata?.http_tokens;
  return [['IMDS', tokens === 'required' ? 'IMDSv2 required' : `IMDSv1 allowed (http_tokens ${show(tokens)})`]];
}

/** Who issued a certificate given as a literal PEM or as a reference to a tls resource in the same stack. */
export function describeIssuer(certificate: unknown, from: TfStack | StackJson): string {
  const stack = from instanceof TfStack ? from : new TfStack('', from);
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
  const cert = stack.get(`${type}.${name}`)?.body;
  if (type === 'tls_self_signed_cert') return `self-signed, CN=${show(block(cert?.subject)?.common_name)} (${type}.${name})`;
  const ca = /^\$\{tls_self_signed_cert\.([\w-]+)\.cert_pem\}$/.exec(cert?.ca_cert_pem ?? '');
  const caCn = ca ? block(stack.get(`tls_self_signed_cert.${ca[1]}`)?.body.subject)?.common_name : undefined;
  return ca ? `issued by CN=${show(caCn)} (tls_self_signed_cert.${ca[1]})` : `issued by ${show(cert?.ca_cert_pem)} (${type}.${name})`;
}

function statementsText(policy: unknown, stack: TfStack): string {
  const statements = policyStatements(policy, stack);
  if (!statements) return show(policy);
  return statements
    .map((st) => {
      const conditions = st.conditions.map((c) => `${c.variable} ${c.test} ${show(c.values)}`);
      return `${st.effect} ${show(st.actions)}${conditions.length ? ` when ${conditions.join(' and ')}` : ''}`;
    })
    .join('; ');
}

/** An instance's root volume: its own block, or the launch template's mappings it is launched from. */
function rootVolume(r: Record<string, any>, stack: TfStack, resource: TfResource): string {
  const root = block(r.root_block_device);
  if (root) return isTrue(root.encrypted) ? 'encrypted' : `not encrypted (encrypted ${show(root.encrypted)})`;
  const template = launchTemplateOf(resource, stack);
  if (!template) return 'not declared (AMI default)';
  return `from ${template.address}: ${templateVolumes(template.body)}`;
}

function templateVolumes(t: Record<string, any>): string {
  const mappings = list(t.block_device_mappings);
  if (mappings.length === 0) return 'no volumes declared (AMI default)';
  return mappings.map((m) => `${show(m.device_name)} ${isTrue(block(m.ebs)?.encrypted) ? 'encrypted' : 'not encrypted'}`).join(', ');
}

const EXTRACTORS: Readonly<Record<string, Extractor>> = {
  aws_api_gateway_domain_name: (r) => {
    const mtls = block(r.mutual_tls_authentication);
    return [
      ['mTLS', mtls ? `on: truststore ${show(mtls.truststore_uri)}` : 'off'],
      ['truststore version', mtls ? show(mtls.truststore_version) : '-'],
      ['TLS policy', show(r.security_policy)],
      ['endpoint', show(block(r.endpoint_configuration)?.types)],
    ];
  },
  aws_api_gateway_rest_api: (r) => [
    ['default execute-api endpoint', r.disable_execute_api_endpoint === true ? 'disabled' : 'enabled'],
  ],
  aws_s3_bucket_versioning: (r) => [['versioning', show(block(r.versioning_configuration)?.status)]],
  aws_s3_bucket_server_side_encryption_configuration: (r) =>
    list(r.rule).map((rule) => {
      const d = block(rule.apply_server_side_encryption_by_default);
      return ['encryption', `${show(d?.sse_algorithm)}${d?.kms_master_key_id ? ` with ${d.kms_master_key_id}` : ''}`] as Row;
    }),
  aws_s3_bucket_public_access_block: (r) => {
    const off = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].filter((k) => r[k] !== true);
    return [['public access', off.length === 0 ? 'all four blocks on' : `not blocked: ${off.join(', ')}`]];
  },
  aws_s3_bucket_policy: (r, stack) => [['policy', statementsText(r.policy, stack)]],
  aws_instance: (r, stack, resource) => [
    ...imdsRows(block(r.metadata_options)),
    ['root volume', rootVolume(r, stack, resource)],
    ['public IP', r.associate_public_ip_address === undefined ? 'not set (the subnet decides)' : isTrue(r.associate_public_ip_address) ? 'yes' : 'no'],
  ],
  aws_launch_template: (r) => [...imdsRows(block(r.metadata_options)), ['volumes', templateVolumes(r)]],
  aws_security_group: (r) => [
    ['ingress', list(r.ingress).length === 0 ? 'none (no inbound)' : list(r.ingress).map(ruleText).join('; ')],
    ['egress', list(r.egress).length === 0 ? 'none declared' : list(r.egress).map(ruleText).join('; ')],
  ],
  aws_security_group_rule: (r) => [[show(r.type), ruleText(r)]],
  aws_vpc_security_group_ingress_rule: (r) => [['ingress', ruleText(r)]],
  aws_vpc_security_group_egress_rule: (r) => [['egress', ruleText(r)]],
  cloudflare_dns_record: (r, _stack, resource) => [
    [isAcmValidationRecord(resource) ? `${show(r.type)} ACM validation record` : `${show(r.type)} ${show(r.name)}`, r.proxied === true ? 'proxied' : 'not proxied'],
  ],
  cloudflare_notification_policy: (r) => [[`alert ${show(r.alert_type)}`, r.enabled === false ? 'disabled' : 'on']],
  cloudflare_zone_setting: (r) => [[`zone setting ${show(r.setting_id)}`, show(r.value)]],
  cloudflare_hostname_tls_setting: (r) => [[`${show(r.setting_id)} for ${show(r.hostname)}`, show(r.value)]],
  cloudflare_authenticated_origin_pulls_settings: (r) => [['zone-level origin pulls', r.enabled === true ? 'on' : 'off']],
  cloudflare_authenticated_origin_pulls_certificate: (r, stack) => [['origin pull client certificate', describeIssuer(r.certificate, stack)]],
  cloudflare_authenticated_origin_pulls: (r) =>
    list(r.config).map((c) => [`origin pulls for ${show(c.hostname)}`, `${c.enabled === false ? 'off' : 'on'} (cert ${show(c.cert_id)})`] as Row),
  cloudflare_mtls_certificate: (r) => [['API Shield CA', `${show(r.name)} (ca=${show(r.ca)})`]],
  cloudflare_ruleset: (r) => [
    ['phase', `${show(r.kind)} / ${show(r.phase)}`],
    ...list(r.rules).map((rule) => [`rule ${show(rule.action)}${rule.enabled === false ? ' (disabled)' : ''}`, show(rule.expression)] as Row),
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

export function securitySettings(stack: TfStack | StackJson): SecuritySetting[] {
  const tf = stack instanceof TfStack ? stack : new TfStack('', stack);
  const out: SecuritySetting[] = [];
  const sorted = [...tf.resources].filter((r) => EXTRACTORS[r.type]).sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  for (const resource of sorted) {
    for (const [setting, value] of EXTRACTORS[resource.type](resource.body, tf, resource)) {
      out.push({ resource: resource.address, ...(resource.constructPath ? { constructPath: resource.constructPath } : {}), setting, value });
    }
  }
  return out;
}
