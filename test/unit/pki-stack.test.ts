import { rmSync } from 'node:fs';
import { ConfigError } from '../../lib/errors';
import { TLS_PROVIDER } from '../../lib/providers';
import { buildApp } from '../../stacks/app';
import { throughCustody } from '../support/custody';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { resourcesOf, synthStacks, type StackJson } from '../support/synth';

/** Synthesizes `dev` with the given pki (and origin) sections; returns the dev stacks. */
function synthDev(pki: Record<string, unknown>, origin?: Record<string, unknown>): Map<string, StackJson> {
  let env = withField(baseEnvironment('dev'), 'pki', pki);
  if (origin) env = withField(env, 'origin', origin);
  const dir = envDir({ dev: env });
  try {
    return synthStacks('dev', dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function configProblems(pki: Record<string, unknown>): string[] {
  const dir = envDir({ dev: withField(baseEnvironment('dev'), 'pki', pki) });
  try {
    buildApp({ selector: 'dev', envsDir: dir });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.field}: ${p.message}`);
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error('expected a ConfigError');
}

const byName = (stack: StackJson, type: string, part: string) => {
  const hits = Object.entries<any>(resourcesOf(stack, type)).filter(([n]) => n.includes(part));
  if (hits.length !== 1) throw new Error(`expected one ${type} matching ${part}, found ${hits.map(([n]) => n).join(', ') || 'none'}`);
  return hits[0][1];
};

describe('the generated PKI (default for every environment)', () => {
  const pki = synthStacks('dev').get('dev-pki')!;

  it('is a self-signed root (pathlen 1) that signs one intermediate (no path length: tls 4.2.x cannot write 0), both RSA 4096', () => {
    const root = byName(pki, 'tls_self_signed_cert', 'RootCertificate');
    expect(root).toMatchObject({ is_ca_certificate: true, max_path_length: 1, allowed_uses: ['cert_signing', 'crl_signing', 'digital_signature'] });
    expect(root.validity_period_hours).toBe(1825 * 24);
    const intermediate = byName(pki, 'tls_locally_signed_cert', 'IntermediateCertificate');
    expect(intermediate).toMatchObject({ is_ca_certificate: true });
    // The JSON claims no constraint the provider cannot encode (0 would be written as none).
    expect(intermediate).not.toHaveProperty('max_path_length');
    expect(intermediate.ca_cert_pem).toMatch(/^\$\{tls_self_signed_cert\.Pki_CaG1_RootCertificate_\w+\.cert_pem\}$/);
    for (const key of Object.values<any>(resourcesOf(pki, 'tls_private_key')).slice(0, 2)) expect(key).toMatchObject({ algorithm: 'RSA', rsa_bits: 4096 });
  });

  it('issues the origin-pull client certificate: CA:FALSE, digitalSignature + keyEncipherment, clientAuth only, from the intermediate', () => {
    const leaf = byName(pki, 'tls_locally_signed_cert', 'OriginPullClientG1');
    expect(leaf.is_ca_certificate).toBe(false);
    expect(leaf.allowed_uses).toEqual(['digital_signature', 'key_encipherment', 'client_auth']);
    expect(leaf.ca_cert_pem).toMatch(/tls_locally_signed_cert\.Pki_CaG1_IntermediateCertificate_\w+\.cert_pem/);
    expect(leaf.validity_period_hours).toBe(730 * 24);
    expect(leaf.early_renewal_hours).toBe(30 * 24);
    expect(byName(pki, 'tls_private_key', 'OriginPullClientG1')).toMatchObject({ algorithm: 'RSA', rsa_bits: 2048 });
  });

  it('requires a tls provider with max_path_length, past the 4.2.0 that replaced every certificate on upgrade', () => {
    expect(pki.terraform.required_providers.tls.version).toBe(TLS_PROVIDER.version);
    expect(TLS_PROVIDER.version).toBe('>= 4.2.1, < 5.0.0');
  });

  it('issues no server certificate unless the origin imports one', () => {
    expect(Object.keys(resourcesOf(pki, 'tls_locally_signed_cert')).filter((n) => n.includes('ServerCertificate'))).toEqual([]);
  });

  it('puts no private key in any output of any environment unless a consumer needs it, and then only as sensitive', () => {
    for (const [name, stack] of synthStacks()) {
      for (const [outName, out] of Object.entries<any>(stack.output ?? {})) {
        if (/private_key/.test(outName) || /private_key_pem/.test(JSON.stringify(out.value))) expect({ name, outName, sensitive: out.sensitive }).toEqual({ name, outName, sensitive: true });
      }
    }
  });
});

describe('generated PKI options', () => {
  it('takes a key algorithm, validity and early renewal per certificate, and names client certificates', () => {
    const pki = synthDev({
      mode: 'generated',
      rootCa: { keyAlgorithm: 'ECDSA_P384', validityDays: 3650, earlyRenewalDays: 365 },
      intermediateCa: { keyAlgorithm: 'ECDSA_P256', validityDays: 1000, earlyRenewalDays: 100 },
      originPullClient: { keyAlgorithm: 'RSA_3072', validityDays: 365, earlyRenewalDays: 20 },
      clientCertificates: [{ name: 'billing', keyAlgorithm: 'ECDSA_P256', validityDays: 90, earlyRenewalDays: 10 }],
    }).get('dev-pki')!;
    expect(byName(pki, 'tls_private_key', 'RootKey')).toEqual(expect.objectContaining({ algorithm: 'ECDSA', ecdsa_curve: 'P384' }));
    expect(byName(pki, 'tls_private_key', 'IntermediateKey')).toEqual(expect.objectContaining({ algorithm: 'ECDSA', ecdsa_curve: 'P256' }));
    expect(byName(pki, 'tls_private_key', 'OriginPullClientG1')).toEqual(expect.objectContaining({ algorithm: 'RSA', rsa_bits: 3072 }));
    expect(byName(pki, 'tls_locally_signed_cert', 'OriginPullClientG1')).toMatchObject({ validity_period_hours: 365 * 24, early_renewal_hours: 20 * 24 });
    const billing = byName(pki, 'tls_locally_signed_cert', 'Client-billing-G1');
    expect(billing).toMatchObject({ validity_period_hours: 90 * 24, allowed_uses: ['digital_signature', 'key_encipherment', 'client_auth'] });
    expect(byName(pki, 'tls_cert_request', 'Client-billing-G1').subject[0].common_name).toBe('Edge mTLS client billing');
  });

  it('issues a serverAuth certificate for every protected hostname when the origin imports own-CA certificates', () => {
    const stacks = synthDev({ mode: 'generated' }, { serverCertificate: 'imported-own-ca' });
    const pki = stacks.get('dev-pki')!;
    expect(byName(pki, 'tls_locally_signed_cert', 'ServerCertificateG1').allowed_uses).toEqual(['digital_signature', 'key_encipherment', 'server_auth']);
    expect(byName(pki, 'tls_cert_request', 'ServerCertificateG1').dns_names).toEqual(['api.dev.example.com']);
    // The server key never leaves the custody stack: it imports the certificate into ACM
    // itself, outputs nothing, and the origin stack gets only the ARN (see origin-stack.test).
    const imported = byName(pki, 'aws_acm_certificate', 'OwnCaImport');
    expect(imported.certificate_body).toMatch(/^\$\{tls_locally_signed_cert\.Pki_ServerCertificateG1_Certificate_\w+\.cert_pem\}$/);
    expect(imported.private_key).toMatch(/^\$\{tls_private_key\.Pki_ServerCertificateG1_Key_\w+\.private_key_pem\}$/);
    expect(pki.output ?? {}).toEqual({});
    expect(JSON.stringify(stacks.get('dev-origin'))).not.toMatch(/ServerCertificateG1_Key|private_key/);
  });

  it.each([
    [{ mode: 'generated', rootCa: { keyAlgorithm: 'RSA_1024' } }, /^pki\.rootCa\.keyAlgorithm: expected one of RSA_2048, RSA_3072, RSA_4096, ECDSA_P256, ECDSA_P384/],
    [{ mode: 'generated', originPullClient: { validityDays: 30, earlyRenewalDays: 30 } }, /^pki\.originPullClient\.earlyRenewalDays: earlyRenewalDays must be smaller than validityDays/],
    [{ mode: 'generated', rootCa: { validityDays: 365, earlyRenewalDays: 30 } }, /^pki\.intermediateCa\.validityDays: 1095 days outlives the root CA \(365 days\)/],
    [{ mode: 'generated', clientCertificates: [{ name: 'a' }, { name: 'a' }] }, /^pki\.clientCertificates: expected unique client certificate names/],
    [{ mode: 'generated', caGenerations: [] }, /^pki\.caGenerations: expected at least one CA generation/],
    [{ mode: 'self-signed' }, /^pki\.mode: expected pki\.mode to be "generated" \(tls provider\) or "byo" \(PEM files\)/],
  ])('refuses %j with a message that says what is accepted', (pki, expected) => {
    expect(configProblems(pki).join('\n')).toMatch(expected);
  });
});

describe('rotation is configuration', () => {
  const stacksFor = (pki: Record<string, unknown>) => synthDev({ mode: 'generated', ...pki });
  // The truststore reads the CA certificates the custody stack publishes: followed back to what it writes.
  const truststoreContent = (stacks: Map<string, StackJson>) =>
    throughCustody(Object.values<any>(resourcesOf(stacks.get('dev-origin')!, 'aws_s3_object'))[0].content as string, stacks.get('dev-origin')!, stacks.get('dev-pki')!);
  const cas = (content: string) => [...content.matchAll(/CaG(\d)_(Root|Intermediate)Certificate/g)].map((m) => `G${m[1]} ${m[2]}`);

  it('adding a CA generation trusts both, and reissues every leaf from the new intermediate', () => {
    const stacks = stacksFor({ caGenerations: [2, 1] });
    expect(cas(truststoreContent(stacks))).toEqual(['G2 Root', 'G2 Intermediate', 'G1 Root', 'G1 Intermediate']);
    const pki = stacks.get('dev-pki')!;
    // ca_cert_pem is a forcing argument of tls_locally_signed_cert: a new issuer replaces the leaf.
    expect(byName(pki, 'tls_locally_signed_cert', 'OriginPullClientG1').ca_cert_pem).toMatch(/Pki_CaG2_IntermediateCertificate/);
    expect(byName(pki, 'tls_self_signed_cert', 'CaG2_RootCertificate').subject[0].common_name).toBe('Edge mTLS Root CA G2');
  });

  it('retiring the old generation removes it from the truststore and from the PKI', () => {
    const stacks = stacksFor({ caGenerations: [2] });
    expect(cas(truststoreContent(stacks))).toEqual(['G2 Root', 'G2 Intermediate']);
    expect(Object.keys(resourcesOf(stacks.get('dev-pki')!, 'tls_self_signed_cert')).some((n) => n.includes('CaG1'))).toBe(false);
  });

  it('bumping a leaf generation reissues it with a new key (new resources, old ones destroyed)', () => {
    const pki = stacksFor({ originPullClient: { generation: 2 } }).get('dev-pki')!;
    const leaves = Object.keys(resourcesOf(pki, 'tls_private_key')).filter((n) => n.includes('OriginPullClient'));
    expect(leaves).toEqual([expect.stringMatching(/^Pki_OriginPullClientG2_Key_/)]);
  });

  it('certificates are renewed before expiry: every tls certificate has early renewal set', () => {
    const pki = stacksFor({}).get('dev-pki')!;
    for (const type of ['tls_self_signed_cert', 'tls_locally_signed_cert']) {
      for (const cert of Object.values<any>(resourcesOf(pki, type))) expect(cert.early_renewal_hours).toBeGreaterThan(0);
    }
  });
});
