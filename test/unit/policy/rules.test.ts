import { evaluate, Rule } from '../../../tools/policy/engine';
import { apiGatewayDefaultEndpointDisabled, apiGatewayDomainMtls, apiGatewayDomainTls12 } from '../../../tools/policy/rules/api-gateway';
import { cloudflareAccessNonIdentity, cloudflareAopOwnCertificate, cloudflareApiShieldBlock, cloudflareDnsProxied, cloudflareSslStrict } from '../../../tools/policy/rules/cloudflare';
import { ec2EncryptedVolumes, ec2Imdsv2, keyServerNoPublicIp, noWorldIngress } from '../../../tools/policy/rules/ec2';
import { iamNoWildcards, iamRoleExclusive } from '../../../tools/policy/rules/iam';
import { secretResourcePolicy } from '../../../tools/policy/rules/secrets';
import { s3PolicyManaged, s3PublicAccessBlock, s3TlsOnly, s3Versioning } from '../../../tools/policy/rules/s3';
import { fixtureStack, secureBucket } from './fixtures';

type Resources = Record<string, Record<string, unknown>>;

/** Messages one rule reports for a fixture stack. */
function findings(rule: Rule, stackName: string, resources: Resources): string[] {
  return evaluate([rule], [fixtureStack(stackName, resources)]).map((f) => `${f.address}: ${f.message}`);
}

const domain = (extra: Record<string, unknown> = {}) => ({
  domain_name: 'api.dev.example.com',
  security_policy: 'TLS_1_2',
  endpoint_configuration: { types: ['REGIONAL'] },
  mutual_tls_authentication: { truststore_uri: 's3://b/truststore.pem', truststore_version: '${aws_s3_object.t.version_id}' },
  ...extra,
});
const instance = (extra: Record<string, unknown> = {}) => ({
  ami: 'ami-1',
  instance_type: 't3.micro',
  associate_public_ip_address: false,
  metadata_options: { http_tokens: 'required' },
  root_block_device: { encrypted: true },
  ...extra,
});
const shieldRuleset = (expression: string, action = 'block') => ({
  kind: 'zone',
  phase: 'http_request_firewall_custom',
  zone_id: 'z',
  name: 'mtls',
  rules: [{ action, expression }],
});
const secureEdge: Resources = {
  'cloudflare_zone_setting.ssl': { zone_id: 'z', setting_id: 'ssl', value: 'strict' },
  'cloudflare_zone_setting.tls': { zone_id: 'z', setting_id: 'min_tls_version', value: '1.2' },
  'cloudflare_authenticated_origin_pulls_certificate.c': { zone_id: 'z', certificate: '${data.terraform_remote_state.pki.outputs.cert}', private_key: '${data.terraform_remote_state.pki.outputs.key}' },
  'cloudflare_authenticated_origin_pulls_settings.s': { zone_id: 'z', enabled: true },
  'cloudflare_ruleset.shield': shieldRuleset('(http.host in {"api.dev.example.com"} and not cf.tls_client_auth.cert_verified)'),
};

const acmName = '${trimsuffix(tolist(aws_acm_certificate.c.domain_validation_options)[0].resource_record_name, ".")}';
const acmValue = '${trimsuffix(tolist(aws_acm_certificate.c.domain_validation_options)[0].resource_record_value, ".")}';
const originTarget = '${aws_api_gateway_domain_name.d.regional_domain_name}';

// Each case: rule, stack name (its concern matters), the resources, and what must be reported (null: nothing).
const role = { 'aws_iam_role.r': { name: 'dev-key-server', assume_role_policy: '{}' } };
const onlyAttachments = { 'aws_iam_role_policy_attachments_exclusive.a': { role_name: '${aws_iam_role.r.name}', policy_arns: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'] } };
const onlyInline = { 'aws_iam_role_policies_exclusive.i': { role_name: '${aws_iam_role.r.name}', policy_names: ['read-own-secrets'] } };
const secret = { 'aws_secretsmanager_secret.s': { name: 'dev/keyless/private-key' } };
const secretPolicy = (extra: Record<string, unknown> = {}) => ({ 'aws_secretsmanager_secret_policy.p': { secret_arn: '${aws_secretsmanager_secret.s.arn}', policy: '{}', block_public_policy: true, ...extra } });

const cases: Array<[string, Rule, string, Resources, RegExp | null]> = [
  // Exclusive management: drift can only see what is declared.
  ['a role with neither exclusive companion', iamRoleExclusive, 'dev-keyless', role, /no aws_iam_role_policy_attachments_exclusive names this role.*\n.*no aws_iam_role_policies_exclusive names this role/],
  ['a role without exclusive inline policies', iamRoleExclusive, 'dev-keyless', { ...role, ...onlyAttachments }, /^aws_iam_role\.r: no aws_iam_role_policies_exclusive names this role, so drift cannot see inline policies added out of band$/],
  ['a role without exclusive attachments', iamRoleExclusive, 'dev-keyless', { ...role, ...onlyInline }, /AdministratorAccess/],
  ['a role with both companions by reference', iamRoleExclusive, 'dev-keyless', { ...role, ...onlyAttachments, ...onlyInline }, null],
  ['a role with both companions by literal name', iamRoleExclusive, 'dev-keyless', {
    ...role,
    'aws_iam_role_policy_attachments_exclusive.a': { role_name: 'dev-key-server', policy_arns: [] },
    'aws_iam_role_policies_exclusive.i': { role_name: 'dev-key-server', policy_names: [] },
  }, null],
  // Hostile: companions that exist but name another role cover nothing.
  ['exclusive companions naming another role', iamRoleExclusive, 'dev-keyless', {
    ...role,
    'aws_iam_role.other': { name: 'dev-other', assume_role_policy: '{}' },
    'aws_iam_role_policy_attachments_exclusive.a': { role_name: '${aws_iam_role.other.name}', policy_arns: [] },
    'aws_iam_role_policies_exclusive.i': { role_name: 'dev-other', policy_names: [] },
  }, /aws_iam_role\.r: no aws_iam_role_policy_attachments_exclusive/],
  ['a secret without a managed resource policy', secretResourcePolicy, 'dev-keyless', secret, /no aws_secretsmanager_secret_policy refers to this secret/],
  ['a secret policy that allows public policies', secretResourcePolicy, 'dev-keyless', { ...secret, ...secretPolicy({ block_public_policy: false }) }, /aws_secretsmanager_secret_policy\.p leaves block_public_policy not true/],
  ['a secret policy on another secret', secretResourcePolicy, 'dev-keyless', { ...secret, 'aws_secretsmanager_secret.t': { name: 't' }, ...secretPolicy({ secret_arn: '${aws_secretsmanager_secret.t.arn}' }) }, /^aws_secretsmanager_secret\.s: no aws_secretsmanager_secret_policy/],
  ['a secret with its managed policy', secretResourcePolicy, 'dev-keyless', { ...secret, ...secretPolicy() }, null],
  ['a bucket without a managed policy', s3PolicyManaged, 'local-origin', secureBucket({ 'aws_s3_bucket_policy.tls': undefined }), /no aws_s3_bucket_policy refers to this bucket, so a policy set out of band \(public read\) is not drift/],
  ['a bucket with a managed policy', s3PolicyManaged, 'local-origin', secureBucket(), null],

  ['a hardened bucket passes versioning', s3Versioning, 'dev-origin', secureBucket(), null],
  ['a bucket without versioning', s3Versioning, 'dev-origin', secureBucket({ 'aws_s3_bucket_versioning.v': undefined }), /aws_s3_bucket\.b: no aws_s3_bucket_versioning refers to this bucket/],
  ['suspended versioning', s3Versioning, 'dev-origin', secureBucket({ 'aws_s3_bucket_versioning.v': { bucket: '${aws_s3_bucket.b.id}', versioning_configuration: { status: 'Suspended' } } }), /status "Suspended"; expected "Enabled"/],
  ['versioning of another bucket does not count', s3Versioning, 'dev-origin', secureBucket({ 'aws_s3_bucket_versioning.v': { bucket: '${aws_s3_bucket.other.id}', versioning_configuration: { status: 'Enabled' } } }), /no aws_s3_bucket_versioning/],
  ['companions that name the bucket literally count', s3Versioning, 'dev-origin', { 'aws_s3_bucket.b': { bucket: 'literal-name' }, 'aws_s3_bucket_versioning.v': { bucket: 'literal-name', versioning_configuration: { status: 'Enabled' } } }, null],
  ['a hardened bucket passes public access', s3PublicAccessBlock, 'dev-origin', secureBucket(), null],
  ['a public access block with a flag off', s3PublicAccessBlock, 'dev-origin', secureBucket({ 'aws_s3_bucket_public_access_block.p': { bucket: '${aws_s3_bucket.b.id}', block_public_acls: true, block_public_policy: false, ignore_public_acls: true, restrict_public_buckets: true } }), /leaves block_public_policy not true/],
  ['a hardened bucket passes TLS-only', s3TlsOnly, 'dev-origin', secureBucket(), null],
  ['a literal JSON TLS-only policy passes', s3TlsOnly, 'dev-origin', secureBucket({ 'aws_s3_bucket_policy.tls': { bucket: '${aws_s3_bucket.b.id}', policy: JSON.stringify({ Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] }) } }), null],
  ['a bucket without a policy', s3TlsOnly, 'dev-origin', secureBucket({ 'aws_s3_bucket_policy.tls': undefined }), /plain-HTTP requests are not denied/],
  ['a policy that denies nothing about TLS', s3TlsOnly, 'dev-origin', secureBucket({ 'aws_s3_bucket_policy.tls': { bucket: '${aws_s3_bucket.b.id}', policy: '{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}' } }), /has no Deny on aws:SecureTransport/],
  ['an mTLS domain passes', apiGatewayDomainMtls, 'dev-origin', { 'aws_api_gateway_domain_name.d': domain() }, null],
  ['a domain without mTLS', apiGatewayDomainMtls, 'dev-origin', { 'aws_api_gateway_domain_name.d': domain({ mutual_tls_authentication: undefined }) }, /mutual_tls_authentication is unset: "api.dev.example.com" accepts clients without a certificate/],
  ['a domain without truststore version', apiGatewayDomainMtls, 'dev-origin', { 'aws_api_gateway_domain_name.d': domain({ mutual_tls_authentication: { truststore_uri: 's3://b/t.pem' } }) }, /truststore_version is unset/],
  ['an origin missing the domain of a protected hostname', apiGatewayDomainMtls, 'dev-origin', {}, /missing:aws_api_gateway_domain_name:api\.dev\.example\.com: protected hostname "api\.dev\.example\.com" has no/],
  ['a TLS 1.0 domain', apiGatewayDomainTls12, 'dev-origin', { 'aws_api_gateway_domain_name.d': domain({ security_policy: 'TLS_1_0' }) }, /security_policy is "TLS_1_0"; expected "TLS_1_2"/],
  ['an edge-optimized domain', apiGatewayDomainTls12, 'dev-origin', { 'aws_api_gateway_domain_name.d': domain({ endpoint_configuration: { types: ['EDGE'] } }) }, /expected \["REGIONAL"\]/],
  ['a disabled default endpoint passes', apiGatewayDefaultEndpointDisabled, 'dev-origin', { 'aws_api_gateway_domain_name.d': domain(), 'aws_api_gateway_rest_api.a': { name: 'a', disable_execute_api_endpoint: true } }, null],
  ['an enabled default endpoint', apiGatewayDefaultEndpointDisabled, 'dev-origin', { 'aws_api_gateway_rest_api.a': { name: 'a' } }, /disable_execute_api_endpoint is unset: https:\/\/\{id\}\.execute-api/],
  ['domains but no API', apiGatewayDefaultEndpointDisabled, 'dev-origin', { 'aws_api_gateway_domain_name.d': domain() }, /missing:aws_api_gateway_rest_api: the origin has custom domains but no API/],
  ['a hardened instance passes IMDSv2', ec2Imdsv2, 'dev-keyless', { 'aws_instance.k': instance() }, null],
  ['an instance allowing IMDSv1', ec2Imdsv2, 'dev-keyless', { 'aws_instance.k': instance({ metadata_options: { http_tokens: 'optional' } }) }, /http_tokens is "optional"; expected "required"/],
  ['a launch template without metadata options', ec2Imdsv2, 'dev-keyless', { 'aws_launch_template.t': { name: 't' } }, /http_tokens is unset/],
  ['an unencrypted root volume', ec2EncryptedVolumes, 'dev-keyless', { 'aws_instance.k': instance({ root_block_device: { volume_size: 8 } }) }, /root_block_device.encrypted is unset; expected true/],
  ['an unencrypted EBS volume', ec2EncryptedVolumes, 'dev-keyless', { 'aws_ebs_volume.v': { size: 1, availability_zone: 'a' } }, /encrypted is unset; expected true/],
  ['a key server with a public IP', keyServerNoPublicIp, 'dev-keyless', { 'aws_instance.k': instance({ associate_public_ip_address: true }) }, /associate_public_ip_address is true; expected false on a key server/],
  ['a key server in a public subnet', keyServerNoPublicIp, 'dev-keyless', { 'aws_subnet.s': { map_public_ip_on_launch: true }, 'aws_instance.k': instance({ subnet_id: '${aws_subnet.s.id}' }) }, /its subnet aws_subnet\.s maps public IPs on launch/],
  ['an origin web host may have a public IP', keyServerNoPublicIp, 'dev-origin', { 'aws_instance.web': instance({ associate_public_ip_address: true }) }, null],
  ['a group open to the world', noWorldIngress, 'dev-origin', { 'aws_security_group.g': { ingress: [{ from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }] } }, /allows ingress from 0\.0\.0\.0\/0/],
  ['an ingress rule open to IPv6', noWorldIngress, 'dev-origin', { 'aws_vpc_security_group_ingress_rule.r': { security_group_id: '${aws_security_group.g.id}', cidr_ipv6: '::/0', ip_protocol: 'tcp' } }, /allows ingress from ::\/0/],
  ['a narrow ingress outside key servers passes', noWorldIngress, 'dev-origin', { 'aws_vpc_security_group_ingress_rule.r': { cidr_ipv4: '10.0.0.0/16', ip_protocol: 'tcp' } }, null],
  ['any ingress on a key server', noWorldIngress, 'dev-keyless', { 'aws_vpc_security_group_ingress_rule.r': { cidr_ipv4: '10.0.0.0/16', ip_protocol: 'tcp' } }, /key servers take no inbound traffic/],
  ['an egress-only key server group passes', noWorldIngress, 'dev-keyless', { 'aws_security_group.g': { egress: [{ cidr_blocks: ['0.0.0.0/0'], protocol: '-1', from_port: 0, to_port: 0 }] } }, null],
  ['a key server launched from an encrypted template passes', ec2EncryptedVolumes, 'dev-keyless', {
    'aws_launch_template.t': { block_device_mappings: [{ device_name: '/dev/xvda', ebs: { encrypted: 'true' } }] },
    'aws_instance.k': instance({ root_block_device: undefined, launch_template: { id: '${aws_launch_template.t.id}', version: '$Default' } }),
  }, null],
  ['a launch template with an unencrypted root volume (reported once, on the template)', ec2EncryptedVolumes, 'dev-keyless', {
    'aws_launch_template.t': { block_device_mappings: [{ device_name: '/dev/xvda', ebs: { encrypted: 'false' } }] },
  }, /aws_launch_template\.t: block_device_mappings\[0\]\.ebs\.encrypted is "false"; expected true/],
  ['a key server whose template hands out a public IP', keyServerNoPublicIp, 'dev-keyless', {
    'aws_launch_template.t': { network_interfaces: [{ associate_public_ip_address: 'true' }] },
    'aws_instance.k': instance({ associate_public_ip_address: undefined, launch_template: { id: '${aws_launch_template.t.id}' } }),
  }, /associate_public_ip_address is "true"; expected false/],
  ['a key server relying on a private subnet of the stack passes', keyServerNoPublicIp, 'dev-keyless', {
    'aws_subnet.s': { map_public_ip_on_launch: false },
    'aws_instance.k': instance({ associate_public_ip_address: undefined, subnet_id: '${aws_subnet.s.id}' }),
  }, null],
  ['a key server in a subnet that cannot be checked, with the IP flag unset', keyServerNoPublicIp, 'dev-keyless', {
    'aws_instance.k': instance({ associate_public_ip_address: undefined, subnet_id: 'subnet-0123' }),
  }, /unset and the subnet is not in this stack; set it to false explicitly/],
  ['the demo origin may admit the key servers\' group', noWorldIngress, 'dev-keyless', {
    'aws_security_group.origin': { ingress: [{ from_port: 80, to_port: 80, protocol: 'tcp', security_groups: ['${aws_security_group.keys.id}'] }] },
    'aws_security_group.keys': {},
    'aws_instance.origin': instance({ tags: { Role: 'demo-origin' }, vpc_security_group_ids: ['${aws_security_group.origin.id}'] }),
    'aws_instance.k': instance({ tags: { Role: 'keyless-key-server' }, vpc_security_group_ids: ['${aws_security_group.keys.id}'] }),
  }, null],
  ['a key server group opened to another group through its launch template', noWorldIngress, 'dev-keyless', {
    'aws_launch_template.t': { vpc_security_group_ids: ['${aws_security_group.keys.id}'] },
    'aws_security_group.keys': {},
    'aws_vpc_security_group_ingress_rule.r': { security_group_id: '${aws_security_group.keys.id}', referenced_security_group_id: 'sg-1', ip_protocol: 'tcp' },
    'aws_instance.k': instance({ launch_template: { id: '${aws_launch_template.t.id}' } }),
  }, /aws_vpc_security_group_ingress_rule\.r: declares 1 ingress rule\(s\); key servers take no inbound traffic/],
  ['a least-privilege policy passes', iamNoWildcards, 'dev-keyless', { 'data.aws_iam_policy_document.p': { statement: [{ actions: ['secretsmanager:GetSecretValue'], resources: ['${aws_secretsmanager_secret.k.arn}'] }] } }, null],
  ['an allowed star resource with a written reason passes', iamNoWildcards, 'dev-keyless', { 'aws_iam_policy.p': { policy: '{"Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}' } }, null],
  ['a star action', iamNoWildcards, 'dev-keyless', { 'aws_iam_role_policy.p': { policy: '{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b"}]}' } }, /statement\[0\] allows action "s3:\*"/],
  ['a star resource', iamNoWildcards, 'dev-keyless', { 'data.aws_iam_policy_document.p': { statement: [{ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }] } }, /allows \["secretsmanager:GetSecretValue"\] on resource "\*"/],
  ['a role inline policy with a star action', iamNoWildcards, 'dev-keyless', { 'aws_iam_role.r': { assume_role_policy: '{}', inline_policy: [{ name: 'p', policy: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b"}]}' }] } }, /inline_policy\[0\]: statement\[0\] allows action "\*"/],
  ['a Deny with wildcards passes', iamNoWildcards, 'dev-origin', secureBucket(), null],
  ['a strict zone passes', cloudflareSslStrict, 'dev-edge', secureEdge, null],
  ['SSL mode flexible', cloudflareSslStrict, 'dev-edge', { ...secureEdge, 'cloudflare_zone_setting.ssl': { zone_id: 'z', setting_id: 'ssl', value: 'flexible' } }, /ssl is "flexible"; expected "strict"/],
  ['TLS 1.0 allowed at the edge', cloudflareSslStrict, 'dev-edge', { ...secureEdge, 'cloudflare_zone_setting.tls': { zone_id: 'z', setting_id: 'min_tls_version', value: '1.0' } }, /min_tls_version is "1\.0"/],
  ['an edge without an ssl setting', cloudflareSslStrict, 'dev-edge', {}, /missing:cloudflare_zone_setting:ssl/],
  ['own-certificate origin pulls pass', cloudflareAopOwnCertificate, 'dev-edge', secureEdge, null],
  ['a custody stack without an origin-pull upload', cloudflareAopOwnCertificate, 'dev-pki', {}, /no origin-pull certificate upload: the edge would present the CA shared by every Cloudflare customer/],
  ['an origin-pull upload whose key is literal text', cloudflareAopOwnCertificate, 'dev-pki', { 'cloudflare_authenticated_origin_pulls_hostname_certificate.u': { zone_id: 'z', certificate: 'PEM', private_key: 'literal' } }, /private_key is not a reference to a sensitive attribute/],
  ['a zone-scope edge that never switches origin pulls on', cloudflareAopOwnCertificate, 'dev-edge', {}, /zone-level origin pulls stay off/],
  ['origin pulls switched off', cloudflareAopOwnCertificate, 'dev-edge', { ...secureEdge, 'cloudflare_authenticated_origin_pulls_settings.s': { zone_id: 'z', enabled: false } }, /enabled is false; expected true/],
  ['a per-hostname origin pull without a certificate id', cloudflareAopOwnCertificate, 'dev-edge', { 'cloudflare_authenticated_origin_pulls.h': { zone_id: 'z', config: [{ hostname: 'api.dev.example.com', enabled: true }] } }, /has no cert_id/],
  ['an API Shield block rule passes', cloudflareApiShieldBlock, 'dev-edge', secureEdge, null],
  ['no block rule for an API Shield host', cloudflareApiShieldBlock, 'dev-edge', {}, /"api\.dev\.example\.com" has no block rule/],
  ['a zone-wide block rule covers every host', cloudflareApiShieldBlock, 'dev-edge', { 'cloudflare_ruleset.shield': shieldRuleset('not cf.tls_client_auth.cert_verified') }, null],
  ['a disabled block rule', cloudflareApiShieldBlock, 'dev-edge', { 'cloudflare_ruleset.shield': { ...shieldRuleset(''), rules: [{ action: 'block', enabled: false, expression: 'not cf.tls_client_auth.cert_verified' }] } }, /has no block rule/],
  ['a rule that only logs', cloudflareApiShieldBlock, 'dev-edge', { 'cloudflare_ruleset.shield': shieldRuleset('(http.host eq "api.dev.example.com" and not cf.tls_client_auth.cert_verified)', 'log') }, /has no block rule/],
  ['a block rule for another host', cloudflareApiShieldBlock, 'dev-edge', { 'cloudflare_ruleset.shield': shieldRuleset('(http.host eq "www.dev.example.com" and not cf.tls_client_auth.cert_verified)') }, /"api\.dev\.example\.com" has no block rule/],
  ['a certificate Service Auth policy passes', cloudflareAccessNonIdentity, 'dev-edge', { 'cloudflare_zero_trust_access_policy.p': { account_id: 'a', name: 'p', decision: 'non_identity', include: [{ certificate: {} }] } }, null],
  ['a service-token Service Auth policy passes', cloudflareAccessNonIdentity, 'dev-edge', { 'cloudflare_zero_trust_access_policy.t': { account_id: 'a', name: 't', decision: 'non_identity', include: [{ service_token: { token_id: '${cloudflare_zero_trust_access_service_token.s.id}' } }] } }, null],
  ['an application with a certificate policy attached passes', cloudflareAccessNonIdentity, 'dev-edge', {
    'cloudflare_zero_trust_access_policy.cert': { account_id: 'a', name: 'c', decision: 'non_identity', include: [{ certificate: {} }] },
    'cloudflare_zero_trust_access_application.app': { type: 'self_hosted', policies: [{ id: '${cloudflare_zero_trust_access_policy.cert.id}', precedence: 1 }] },
  }, null],
  ['an application with only a service-token policy', cloudflareAccessNonIdentity, 'dev-edge', {
    'cloudflare_zero_trust_access_policy.t': { account_id: 'a', name: 't', decision: 'non_identity', include: [{ service_token: { token_id: 'x' } }] },
    'cloudflare_zero_trust_access_application.app': { type: 'self_hosted', policies: [{ id: '${cloudflare_zero_trust_access_policy.t.id}', precedence: 1 }] },
  }, /cloudflare_zero_trust_access_application\.app: no attached policy requires a client certificate or common name/],
  ['a proxied record to the origin passes', cloudflareDnsProxied, 'dev-edge', { 'cloudflare_dns_record.api': { type: 'CNAME', name: 'api.dev.example.com', content: originTarget, proxied: true } }, null],
  ['an ACM validation CNAME stays unproxied and passes', cloudflareDnsProxied, 'dev-origin', { 'cloudflare_dns_record.v': { type: 'CNAME', name: acmName, content: acmValue } }, null],
  ['a TXT record cannot be proxied and passes', cloudflareDnsProxied, 'dev-edge', { 'cloudflare_dns_record.t': { type: 'TXT', name: 'x.dev.example.com', content: 'v=spf1 -all' } }, null],
  ['an unproxied record to the origin', cloudflareDnsProxied, 'dev-edge', { 'cloudflare_dns_record.direct': { type: 'CNAME', name: 'direct.dev.example.com', content: originTarget, proxied: false } }, /cloudflare_dns_record\.direct: "CNAME" record "direct\.dev\.example\.com" has proxied false/],
  ['an A record with proxied unset', cloudflareDnsProxied, 'dev-edge', { 'cloudflare_dns_record.a': { type: 'A', name: 'a.dev.example.com', content: '192.0.2.1' } }, /has proxied unset/],
  // Hostile: an ACM-looking name in front of the origin, or an ACM target under a protected name.
  ['a validation-style name pointing at the origin', cloudflareDnsProxied, 'dev-edge', { 'cloudflare_dns_record.x': { type: 'CNAME', name: acmName, content: originTarget } }, /has proxied unset/],
  ['a protected name pointing at an ACM value', cloudflareDnsProxied, 'dev-edge', { 'cloudflare_dns_record.x': { type: 'CNAME', name: 'api.dev.example.com', content: acmValue } }, /has proxied unset/],
  ['an Access policy allowing everyone', cloudflareAccessNonIdentity, 'dev-edge', { 'cloudflare_zero_trust_access_policy.p': { account_id: 'a', name: 'p', decision: 'allow', include: [{ everyone: {} }] } }, /decision is "allow"; expected "non_identity"/],
];

describe('policy rules on hand-written stacks', () => {
  it.each(cases)('%s', (_what, rule, stackName, resources, expected) => {
    const reported = findings(rule, stackName, resources);
    if (expected === null) expect(reported).toEqual([]);
    else expect(reported.join('\n')).toMatch(expected);
  });

  it('rules that need a stack of their concern stay quiet elsewhere', () => {
    for (const rule of [cloudflareSslStrict, cloudflareAopOwnCertificate, cloudflareApiShieldBlock]) expect(findings(rule, 'dev-origin', {})).toEqual([]);
    expect(findings(apiGatewayDomainMtls, 'dev-edge', {})).toEqual([]);
  });

  it('a finding carries stack, address, rule id and fix hint', () => {
    const [f] = evaluate([s3Versioning], [fixtureStack('dev-origin', secureBucket({ 'aws_s3_bucket_versioning.v': undefined }))]);
    expect(f).toEqual({ stack: 'dev-origin', address: 'aws_s3_bucket.b', ruleId: 'S3-VERSIONING', message: expect.any(String), fix: expect.stringMatching(/HardenedBucket construct \(modules\/origin\/hardened-bucket\.ts\)/) });
  });

  it('refuses two rules with the same id', () => {
    expect(() => evaluate([s3Versioning, { ...s3TlsOnly, id: 'S3-VERSIONING' }], [])).toThrow(/S3-VERSIONING is defined twice/);
  });
});
