import { readFileSync } from 'node:fs';
import type { StackJson } from './synth';
import { asn1Time, hoursFromNow, type OpensslWorkbench, type TestCertificate } from './openssl';
import { asTlsProviderWrites } from './tls-provider';

/**
 * Realizes the `tls_*` resources of a synthesized stack with openssl: every key,
 * certificate request and certificate is made from the arguments in the JSON
 * (algorithm, subject, validity, CA flag, path length, allowed uses, SANs), nothing
 * is hard-coded. Mirrors what the Terraform tls provider would do at apply time.
 */

const KEY_USAGE: Record<string, string> = {
  digital_signature: 'digitalSignature',
  content_commitment: 'nonRepudiation',
  key_encipherment: 'keyEncipherment',
  data_encipherment: 'dataEncipherment',
  key_agreement: 'keyAgreement',
  cert_signing: 'keyCertSign',
  crl_signing: 'cRLSign',
};
const EXTENDED_KEY_USAGE: Record<string, string> = {
  server_auth: 'serverAuth',
  client_auth: 'clientAuth',
  code_signing: 'codeSigning',
  email_protection: 'emailProtection',
};
const SUBJECT_FIELDS: Record<string, string> = {
  country: 'C', province: 'ST', locality: 'L', organization: 'O', organizational_unit: 'OU', common_name: 'CN',
};

export interface RealizedTls {
  /** `tls_private_key.X` -> key file; `tls_*_cert.X` -> certificate (with its key). */
  readonly keys: ReadonlyMap<string, string>;
  readonly certificates: ReadonlyMap<string, TestCertificate>;
}

function reference(value: unknown): { address: string; attribute: string } {
  const m = /^\$\{(tls_[a-z_]+\.[\w-]+)\.(\w+)\}$/.exec(String(value));
  if (!m) throw new Error(`expected a reference to a tls resource, got ${JSON.stringify(value)}`);
  return { address: m[1], attribute: m[2] };
}

function subjectOf(resource: any): string {
  const subject = resource.subject?.[0] ?? {};
  const parts = Object.entries(SUBJECT_FIELDS)
    .filter(([field]) => subject[field] !== undefined)
    .map(([field, short]) => `/${short}=${String(subject[field]).replace(/\//g, '\\/')}`);
  for (const field of Object.keys(subject)) if (!(field in SUBJECT_FIELDS)) throw new Error(`subject field ${field} is not realized by this test helper`);
  return parts.join('') || '/';
}

function usages(allowed: readonly string[]): { keyUsage: string[]; extendedKeyUsage: string[] } {
  const keyUsage: string[] = [];
  const extendedKeyUsage: string[] = [];
  for (const use of allowed) {
    if (KEY_USAGE[use]) keyUsage.push(KEY_USAGE[use]);
    else if (EXTENDED_KEY_USAGE[use]) extendedKeyUsage.push(EXTENDED_KEY_USAGE[use]);
    else throw new Error(`allowed use ${use} is not realized by this test helper`);
  }
  return { keyUsage, extendedKeyUsage };
}

export function realizeTlsResources(stack: StackJson, bench: OpensslWorkbench): RealizedTls {
  const r = stack.resource ?? {};
  const keys = new Map<string, string>();
  const keyAlgorithms = new Map<string, any>();
  const requests = new Map<string, { path: string; keyAddress: string; dnsNames?: string[] }>();
  const certificates = new Map<string, TestCertificate>();
  const certKeyAddress = new Map<string, string>();
  const safe = (address: string) => address.replace(/[^\w-]/g, '_');

  for (const [name, key] of Object.entries<any>(r.tls_private_key ?? {})) {
    const address = `tls_private_key.${name}`;
    const algorithm =
      key.algorithm === 'RSA'
        ? ({ type: 'rsa', bits: key.rsa_bits ?? 2048 } as const)
        : key.algorithm === 'ECDSA'
          ? ({ type: 'ec', curve: `P-${String(key.ecdsa_curve ?? 'P224').slice(1)}` as 'P-256' } as const)
          : undefined;
    if (!algorithm) throw new Error(`${address}: algorithm ${key.algorithm} is not realized by this test helper`);
    keys.set(address, bench.key(safe(address), algorithm));
    keyAlgorithms.set(address, key);
  }
  // The tls provider signs with SHA-256, or SHA-384 for a P-384 signing key.
  const digestFor = (keyAddress: string) => (keyAlgorithms.get(keyAddress)?.ecdsa_curve === 'P384' ? 'sha384' : 'sha256');
  const validity = (cert: any) => ({ notBefore: asn1Time(hoursFromNow(-1 / 60)), notAfter: asn1Time(hoursFromNow(cert.validity_period_hours)) });

  for (const [name, cert] of Object.entries<any>(r.tls_self_signed_cert ?? {})) {
    const address = `tls_self_signed_cert.${name}`;
    const keyAddress = reference(cert.private_key_pem).address;
    const keyPath = keys.get(keyAddress)!;
    const csr = bench.request(safe(address), keyPath, subjectOf(cert));
    certificates.set(
      address,
      bench.sign(safe(address), csr, keyPath, {
        ca: cert.is_ca_certificate === true, pathLength: asTlsProviderWrites(cert.max_path_length), ...usages(cert.allowed_uses), dnsNames: cert.dns_names,
        digest: digestFor(keyAddress), ...validity(cert),
      }),
    );
    certKeyAddress.set(address, keyAddress);
  }
  for (const [name, req] of Object.entries<any>(r.tls_cert_request ?? {})) {
    const address = `tls_cert_request.${name}`;
    const keyAddress = reference(req.private_key_pem).address;
    requests.set(address, { path: bench.request(safe(address), keys.get(keyAddress)!, subjectOf(req)), keyAddress, dnsNames: req.dns_names });
  }
  // Locally signed certificates may be signed by other locally signed ones (leaf by intermediate).
  const pending = new Map(Object.entries<any>(r.tls_locally_signed_cert ?? {}).map(([n, c]) => [`tls_locally_signed_cert.${n}`, c]));
  while (pending.size > 0) {
    let progressed = false;
    for (const [address, cert] of pending) {
      const issuerAddress = reference(cert.ca_cert_pem).address;
      const issuer = certificates.get(issuerAddress);
      if (!issuer) continue;
      const caKeyAddress = reference(cert.ca_private_key_pem).address;
      if (certKeyAddress.get(issuerAddress) !== caKeyAddress) throw new Error(`${address}: CA key ${caKeyAddress} does not belong to ${issuerAddress}`);
      const request = requests.get(reference(cert.cert_request_pem).address)!;
      certificates.set(
        address,
        bench.sign(safe(address), request.path, keys.get(request.keyAddress)!, {
          issuer, ca: cert.is_ca_certificate === true, pathLength: asTlsProviderWrites(cert.max_path_length), ...usages(cert.allowed_uses),
          dnsNames: request.dnsNames, digest: digestFor(caKeyAddress), ...validity(cert),
        }),
      );
      certKeyAddress.set(address, request.keyAddress);
      pending.delete(address);
      progressed = true;
    }
    if (!progressed) throw new Error(`unresolvable issuers for ${[...pending.keys()].join(', ')}`);
  }
  return { keys, certificates };
}

/** The PEM a stack output evaluates to, when it is a plain reference to a realized certificate or key. */
export function realizedValue(realized: RealizedTls, expression: string): string {
  const { address, attribute } = reference(expression);
  if (attribute === 'cert_pem') return realized.certificates.get(address)!.certPem;
  if (attribute === 'private_key_pem') return readFileSync(realized.keys.get(address)!, 'utf8');
  throw new Error(`cannot realize ${expression}`);
}

export { asTlsProviderWrites };
