import { X509Certificate } from 'node:crypto';
import { Token } from 'cdktf';
import { caTrustRefusals, sharedCaEvidence } from '../../lib/ca-trust';
import { oneLineDn, pemSpans } from '../../lib/x509';

/**
 * Construction-time checks on PEM inputs of the edge modules. Values that are
 * Terraform references (tokens) are only known at apply time and pass through; literal
 * PEM text (bring-your-own files) is parsed and checked here, before anything is written.
 */

/** Every certificate in a PEM bundle, parsed; throws naming `what` when there is none or one is malformed. */
export function parseCertificates(pem: string, what: string): X509Certificate[] {
  const blocks = pemSpans(pem).filter((b) => b.label === 'CERTIFICATE');
  if (blocks.length === 0) throw new Error(`${what}: expected PEM text with at least one "-----BEGIN CERTIFICATE-----" block`);
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block.text);
    } catch (e) {
      throw new Error(`${what}: certificate ${i + 1} of the bundle is not a valid X.509 certificate (${(e as Error).message})`);
    }
  });
}

/** A Terraform reference (resolved at apply time) rather than literal text. */
export function isReference(value: string): boolean {
  return Token.isUnresolved(value);
}

/**
 * The private key must be a reference to a sensitive value (a `tls_private_key`
 * attribute, a sensitive variable, a secret). A literal would be written into the
 * synthesized JSON for anyone who can read the repository or CI logs.
 */
export function requireKeyReference(privateKeyPem: string, what: string): void {
  if (!isReference(privateKeyPem)) {
    const looksLikeKey = /PRIVATE KEY/.test(privateKeyPem);
    throw new Error(
      `${what}: got ${looksLikeKey ? 'a literal PEM private key' : 'a literal string'}; expected a reference to a sensitive value ` +
        '(tls_private_key.private_key_pem, a sensitive TerraformVariable, or a secret) so the key never appears in cdk.tf.json',
    );
  }
}

/**
 * What is wrong with a literal origin-pull client certificate: issued by (or being)
 * Cloudflare's shared origin-pull CA, or a CA instead of a leaf. Empty when fine or
 * when it is a reference. Exported so a bring-your-own PEM loader can report these as
 * ConfigProblems naming its env file and field.
 */
export function originPullCertificateProblems(certificatePem: string): string[] {
  if (isReference(certificatePem)) return [];
  let certs: X509Certificate[];
  try {
    certs = parseCertificates(certificatePem, 'the origin-pull certificate');
  } catch (e) {
    return [(e as Error).message];
  }
  // Every certificate of the PEM (the leaf and any chain after it) is held to the same test.
  const shared = certs.map((cert, i) => [i, sharedCaEvidence(cert)] as const).filter(([, evidence]) => evidence);
  if (shared.length > 0) {
    return shared.map(
      ([i, evidence]) =>
        `certificate ${i + 1} (subject ${JSON.stringify(oneLineDn(certs[i].subject))}) comes from Cloudflare's shared origin-pull CA, which every Cloudflare customer can present: ${evidence}; expected a certificate issued by our own CA`,
    );
  }
  const [leaf] = certs;
  if (leaf.ca) return [`the first certificate (subject ${JSON.stringify(oneLineDn(leaf.subject))}) is a CA; expected the client (leaf) certificate first`];
  return [];
}

/**
 * What is wrong with a literal client-CA bundle: empty, a certificate that is not a CA
 * (basic constraints CA:TRUE), or one `caTrustRefusals` refuses (Cloudflare's shared
 * origin-pull CA, a public CA, a broken or incomplete chain). Empty when fine.
 */
export function clientCaProblems(caPem: string): string[] {
  if (isReference(caPem)) return [];
  if (caPem.trim() === '') return ['the client CA is empty; expected the PEM of the CA that issues client certificates'];
  let certs: X509Certificate[];
  try {
    certs = parseCertificates(caPem, 'the client CA');
  } catch (e) {
    return [(e as Error).message];
  }
  const refused = new Map(caTrustRefusals(certs).map((r) => [r.index, r.reason]));
  return certs.flatMap((cert, i) => {
    const subject = JSON.stringify(oneLineDn(cert.subject));
    if (!cert.ca) return [`certificate ${subject} is not a CA (basic constraints CA:TRUE is required)`];
    if (refused.has(i)) return [`${subject} is refused as a client CA: ${refused.get(i)}`];
    return [];
  });
}

/** Throws, prefixed with `what`, when the origin-pull certificate has a problem. */
export function checkOriginPullCertificate(certificatePem: string, what: string): void {
  const problems = originPullCertificateProblems(certificatePem);
  if (problems.length > 0) throw new Error(`${what}: ${problems.join('; ')}`);
}

/** Throws, prefixed with `what`, when the client CA has a problem. */
export function checkClientCa(caPem: string, what: string): void {
  const problems = clientCaProblems(caPem);
  if (problems.length > 0) throw new Error(`${what}: ${problems.join('; ')}`);
}
