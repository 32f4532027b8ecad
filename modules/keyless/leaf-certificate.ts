import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ConfigError } from '../../lib/errors';
import { expiryProblem, isPrivateKeyLabel, oneLineDn, pemSpans } from '../../lib/x509';

/** Where a PEM came from, so errors can name the env file and field. */
export interface PemSource {
  /** The env file naming the PEM, for messages. */
  readonly envFile: string;
  /** Field path inside the env file (`keyless.certificate.file`). */
  readonly field: string;
}

/**
 * The leaf certificate uploaded for Keyless SSL. Cloudflare wants the leaf alone and
 * builds the chain itself (`bundle_method`); a file holding a chain is rejected rather
 * than silently trimmed, because a chain in the wrong order would otherwise upload
 * an intermediate as the edge certificate (seed 004's `fullchain.pem` trap). PEM
 * splitting and the expiry rule are lib/x509's; the messages are about Keyless SSL.
 */
export class LeafCertificate {
  /** The certificate alone, PEM, with a trailing newline. */
  readonly pem: string;
  readonly subject: string;
  readonly notAfter: Date;

  private constructor(pem: string, cert: X509Certificate) {
    this.pem = pem;
    this.subject = cert.subject;
    this.notAfter = new Date(cert.validTo);
  }

  /** Reads and checks a PEM file; a relative path resolves against the env file's folder. */
  static fromFile(path: string, baseDir: string, source: PemSource, now: Date = new Date()): LeafCertificate {
    const full = isAbsolute(path) ? path : join(baseDir, path);
    let text: string;
    try {
      text = readFileSync(full, 'utf8');
    } catch (e) {
      throw ConfigError.single(source.envFile, source.field, `cannot read "${path}" (${(e as NodeJS.ErrnoException).code ?? 'error'}); expected a readable PEM file relative to the env file`);
    }
    return LeafCertificate.fromPem(text, source, now);
  }

  /** Checks PEM text: exactly one certificate, no private key, not a CA, currently valid. */
  static fromPem(text: string, source: PemSource, now: Date = new Date()): LeafCertificate {
    const fail = (message: string) => ConfigError.single(source.envFile, source.field, message);
    const blocks = pemSpans(text);
    if (blocks.some((b) => isPrivateKeyLabel(b.label))) {
      throw fail('the file contains a PRIVATE KEY block; Keyless SSL keeps the key on the key servers: expected the certificate alone');
    }
    const certs = blocks.filter((b) => b.label === 'CERTIFICATE');
    if (certs.length === 0) throw fail('no "-----BEGIN CERTIFICATE-----" block found; expected one PEM certificate');
    if (certs.length > 1) {
      throw fail(
        `the file holds ${certs.length} certificates (a chain); expected the leaf alone: keep only the first BEGIN/END CERTIFICATE block (Cloudflare adds the chain per bundle_method)`,
      );
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certs[0].text);
    } catch {
      throw fail('the CERTIFICATE block is not a valid X.509 certificate; expected a PEM certificate');
    }
    if (cert.ca) throw fail(`"${oneLineDn(cert.subject)}" is a CA certificate (basicConstraints CA:TRUE); expected the edge (leaf) certificate`);
    const expiry = expiryProblem(cert, now);
    if (expiry) throw fail(`the certificate ${expiry}; expected a currently valid certificate`);
    return new LeafCertificate(`${certs[0].text}\n`, cert);
  }
}

/**
 * Terraform condition that a PEM value (fetched at plan time) holds exactly one
 * certificate and no private key: the same rule as `fromPem`, for values that never
 * pass through synth.
 */
export function exactlyOneCertificateCondition(expression: string): string {
  return `\${length(regexall("-----BEGIN CERTIFICATE-----", ${expression})) == 1 && length(regexall("PRIVATE KEY-----", ${expression})) == 0}`;
}
