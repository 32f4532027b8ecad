import { rmSync } from 'node:fs';
import { ConfigError } from '../../lib/errors';
import { buildApp } from '../../stacks/app';
import { publishedParameter, throughCustody } from '../support/custody';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { onlyResource, resourcesOf, synthStacks, type StackJson } from '../support/synth';

/** The named env file with `origin.x`-style paths set (the origin section is optional in env files). */
function patched(name: string, patch: Record<string, unknown>): Record<string, any> {
  let env: Record<string, any> = { origin: {}, ...baseEnvironment(name) };
  for (const [path, value] of Object.entries(patch)) env = withField(env, path, value);
  return env;
}

function synthWith(name: string, patch: Record<string, unknown>): Map<string, StackJson> {
  const dir = envDir({ [name]: patched(name, patch) });
  try {
    return synthStacks(name, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the origin stack (acm server certificates, Cloudflare DNS: the default)', () => {
  const all = synthStacks();
  const origin = all.get('dev-origin')!;
  const domain = onlyResource(origin, 'aws_api_gateway_domain_name');
  const object = onlyResource(origin, 'aws_s3_object');

  it('pins the truststore version to the S3 object version id, and the object waits for bucket versioning', () => {
    expect(domain.mutual_tls_authentication.truststore_version).toMatch(/^\$\{aws_s3_object\.Truststore_Bundle_\w+\.version_id\}$/);
    expect(domain.mutual_tls_authentication.truststore_uri).toMatch(/^s3:\/\/\$\{aws_s3_bucket\.Truststore_Bucket_\w+\.bucket\}\/truststore\.pem$/);
    expect(object.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\.Truststore_Bucket_Versioning_/)]);
  });

  it('fills the truststore from the custody stack only (the CA certificates it publishes to SSM, never its state), as a PEM object', () => {
    const pki = all.get('dev-pki')!;
    expect(object.content).not.toMatch(/terraform_remote_state/);
    expect(Object.values<any>(origin.data?.terraform_remote_state ?? {}).filter((r) => /dev-pki\.tfstate$/.test(r.config.key ?? r.config.path))).toEqual([]);
    expect([...(object.content as string).matchAll(/data\.aws_ssm_parameter\.([\w-]+)\.insecure_value/g)]).toHaveLength(2);
    const content = throughCustody(object.content, origin, pki);
    expect([...content.matchAll(/\$\{(tls_\w+)\.Pki_CaG1_(Root|Intermediate)Certificate_\w+\.cert_pem\}/g)].map((m) => `${m[1]} ${m[2]}`)).toEqual([
      'tls_self_signed_cert Root',
      'tls_locally_signed_cert Intermediate',
    ]);
    expect(object.content_type).toBe('application/x-pem-file');
  });

  it('serves a regional domain with the TLS 1.2 policy and maps it to the demo API stage', () => {
    expect(domain).toMatchObject({ domain_name: 'api.dev.example.com', security_policy: 'TLS_1_2', endpoint_configuration: { types: ['REGIONAL'] } });
    const mapping = onlyResource(origin, 'aws_api_gateway_base_path_mapping');
    expect(mapping.api_id).toMatch(/aws_api_gateway_rest_api\.DemoApi_\w+\.id/);
    expect(mapping.stage_name).toMatch(/^\$\{aws_api_gateway_stage\.DemoApi_Stage_\w+\.stage_name\}$/);
  });

  it('disables the default execute-api endpoint and redeploys when that changes', () => {
    const api = onlyResource(origin, 'aws_api_gateway_rest_api');
    expect(api.disable_execute_api_endpoint).toBe(true);
    expect(onlyResource(origin, 'aws_api_gateway_deployment').triggers.redeployment).toContain('.disable_execute_api_endpoint');
    expect(onlyResource(origin, 'aws_api_gateway_integration').type).toBe('MOCK');
  });

  it('uses the DNS-validated ACM public certificate as server certificate, with no ownership certificate', () => {
    expect(domain.regional_certificate_arn).toMatch(/aws_acm_certificate_validation\.ServerCertificates_Public-apidevexamplecom_Validation_\w+\.certificate_arn/);
    expect(domain.ownership_verification_certificate_arn).toBeUndefined();
    expect(onlyResource(origin, 'aws_acm_certificate')).toMatchObject({ domain_name: 'api.dev.example.com', validation_method: 'DNS' });
  });

  it('writes the ACM validation record to the Cloudflare zone, unproxied', () => {
    const record = onlyResource(origin, 'cloudflare_dns_record');
    expect(record).toMatchObject({ zone_id: 'fedcba9876543210fedcba9876543210', type: 'CNAME', proxied: false });
    expect(record.name).toMatch(/domain_validation_options\)\[0\]\.resource_record_name/);
  });

  it('makes one mTLS domain per protected hostname and exposes them for the edge', () => {
    const { stacks } = buildApp({ selector: 'prod' });
    const prod = stacks.get('prod')!.origin;
    expect([...prod.originDomains.keys()]).toEqual(['api.example.org', 'partners.example.org']);
    expect(Object.keys(resourcesOf(all.get('prod-origin')!, 'aws_api_gateway_domain_name'))).toHaveLength(2);
  });

  it("contains no Cloudflare shared origin-pull CA and no private key in any synthesized stack", () => {
    for (const [name, stack] of all) {
      const text = JSON.stringify(stack);
      expect({ name, shared: /origin-pull\.cloudflare\.net|CloudFlare, Inc\./i.test(text) }).toEqual({ name, shared: false });
      expect({ name, key: /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text) }).toEqual({ name, key: false });
    }
  });
});

describe('server certificate modes', () => {
  /** The origin holds only the public, DNS-validated ownership certificate: nothing with a key. */
  const expectOnlyOwnershipCertificate = (origin: StackJson) => {
    const certs = resourcesOf(origin, 'aws_acm_certificate');
    expect(Object.keys(certs)).toEqual([expect.stringMatching(/^ServerCertificates_Public-apidevexamplecom_/)]);
    expect(onlyResource(origin, 'aws_acm_certificate')).toMatchObject({ domain_name: 'api.dev.example.com', validation_method: 'DNS' });
    expect(JSON.stringify(origin)).not.toMatch(/private_key/);
  };

  it('imported-own-ca: the custody stack imports the PKI server certificate with its chain; the origin uses its ARN and adds the ownership certificate', () => {
    const stacks = synthWith('dev', { 'origin.serverCertificate': 'imported-own-ca' });
    const origin = stacks.get('dev-origin')!;
    const pki = stacks.get('dev-pki')!;
    const domain = onlyResource(origin, 'aws_api_gateway_domain_name');
    const imported = Object.entries<any>(resourcesOf(pki, 'aws_acm_certificate')).find(([n]) => n.includes('OwnCaImport'))![1];
    expect(imported.certificate_body).toMatch(/^\$\{tls_locally_signed_cert\.Pki_ServerCertificateG1_Certificate_\w+\.cert_pem\}$/);
    expect(imported.private_key).toMatch(/^\$\{tls_private_key\.Pki_ServerCertificateG1_Key_\w+\.private_key_pem\}$/);
    expect(imported.certificate_chain).toMatch(/IntermediateCertificate[\s\S]*RootCertificate/);
    expectOnlyOwnershipCertificate(origin);
    expect(publishedParameter(pki, origin, domain.regional_certificate_arn).insecure_value).toMatch(/^\$\{aws_acm_certificate\.ServerCertificates_OwnCaImport_\w+\.arn\}$/);
    expect(domain.ownership_verification_certificate_arn).toMatch(/aws_acm_certificate_validation\.ServerCertificates_Public-apidevexamplecom_Validation_\w+\.certificate_arn/);
  });

  it('cloudflare-origin-ca: the custody stack makes a key and CSR, gets the Origin CA certificate and imports it; the origin uses its ARN plus the ownership certificate', () => {
    const stacks = synthWith('dev', { 'origin.serverCertificate': 'cloudflare-origin-ca' });
    const origin = stacks.get('dev-origin')!;
    const pki = stacks.get('dev-pki')!;
    expect(onlyResource(pki, 'cloudflare_origin_ca_certificate')).toMatchObject({ hostnames: ['api.dev.example.com'], request_type: 'origin-rsa' });
    const [[keyName, key]] = Object.entries<any>(resourcesOf(pki, 'tls_private_key')).filter(([n]) => n.includes('OriginCaKey'));
    expect(key).toMatchObject({ algorithm: 'RSA', rsa_bits: 2048 });
    const imported = Object.entries<any>(resourcesOf(pki, 'aws_acm_certificate')).find(([n]) => n.includes('OriginCaImport'))![1];
    expect(imported.private_key).toBe(`\${tls_private_key.${keyName}.private_key_pem}`);
    expect(imported.certificate_body).toMatch(/^\$\{cloudflare_origin_ca_certificate\.ServerCertificates_OriginCaCertificate_\w+\.certificate\}$/);
    expectOnlyOwnershipCertificate(origin);
    expect(resourcesOf(origin, 'tls_private_key')).toEqual({});
    expect(resourcesOf(origin, 'cloudflare_origin_ca_certificate')).toEqual({});
    expect(origin.provider.tls).toBeUndefined();
    const domain = onlyResource(origin, 'aws_api_gateway_domain_name');
    expect(publishedParameter(pki, origin, domain.regional_certificate_arn).insecure_value).toMatch(/^\$\{aws_acm_certificate\.ServerCertificates_OriginCaImport_\w+\.arn\}$/);
    expect(domain.ownership_verification_certificate_arn).toMatch(/Public-apidevexamplecom_Validation/);
  });

  it('route53 DNS: validation records in the hosted zone, no Cloudflare provider in the origin stack', () => {
    const origin = synthWith('dev', { 'origin.dnsProvider': 'route53', 'origin.route53ZoneId': 'Z0123456789ABCDEFGHIJ' }).get('dev-origin')!;
    expect(onlyResource(origin, 'aws_route53_record')).toMatchObject({ zone_id: 'Z0123456789ABCDEFGHIJ', allow_overwrite: true });
    expect(origin.provider.cloudflare).toBeUndefined();
    expect(resourcesOf(origin, 'cloudflare_dns_record')).toEqual({});
  });

  it('an existing REST API is plugged in by id instead of the demo API', () => {
    const origin = synthWith('dev', { 'origin.restApi': { id: 'abcde12345', stageName: 'prod' } }).get('dev-origin')!;
    expect(resourcesOf(origin, 'aws_api_gateway_rest_api')).toEqual({});
    expect(onlyResource(origin, 'aws_api_gateway_base_path_mapping')).toMatchObject({ api_id: 'abcde12345', stage_name: 'prod' });
  });

  it.each([
    [{ 'origin.dnsProvider': 'route53' }, /origin\.route53ZoneId: dnsProvider "route53" needs route53ZoneId/],
    [{ 'origin.serverCertificate': 'self-signed' }, /origin\.serverCertificate: expected one of acm, imported-own-ca, cloudflare-origin-ca/],
    [{ 'origin.restApi': { id: 'UPPER', stageName: 'v1' } }, /origin\.restApi\.id: expected a REST API id of 10 lowercase letters and digits/],
  ])('refuses %j before synthesis', (patch, expected) => {
    const dir = envDir({ dev: patched('dev', patch) });
    try {
      expect(() => buildApp({ selector: 'dev', envsDir: dir })).toThrow(ConfigError);
      expect(() => buildApp({ selector: 'dev', envsDir: dir })).toThrow(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
