import type { X509Certificate } from 'node:crypto';
import { certificateParts, type CertificateParts } from './certificate-der';
import { spkiSha256 } from './cloudflare-origin-pull-ca';
import { keyId } from './key-identity';
import { canonicalName, type DistinguishedName, formatName, parseName } from './x509-name';

/**
 * What identifies a certificate for trust decisions, read from its DER: its key (the
 * SHA-256 of the key in canonical form, see lib/key-identity) and its subject and issuer
 * names in canonical form. Spelling tricks that OpenSSL ignores (re-encoded keys, name
 * spellings) cannot change these.
 */
export interface CertificateIdentity {
  readonly certificate: X509Certificate;
  readonly parts: CertificateParts;
  readonly subject: DistinguishedName;
  readonly issuer: DistinguishedName;
  /** Canonical subject: equal strings for names RFC 5280/OpenSSL treat as equal. */
  readonly subjectKey: string;
  /** Canonical issuer, comparable with `subjectKey`. */
  readonly issuerKey: string;
  /** SHA-256 of the SubjectPublicKeyInfo as encoded: for messages only, never compared (one key has many encodings). */
  readonly spkiSha256: string;
  /** The key's identity, equal for every encoding of one key (lib/key-identity): what key comparisons use. */
  readonly keyId: string;
}

const cache = new WeakMap<X509Certificate, CertificateIdentity>();

/** The identity of a certificate (memoised; throws Asn1Error for DER it cannot read). */
export function identify(certificate: X509Certificate): CertificateIdentity {
  const known = cache.get(certificate);
  if (known) return known;
  const parts = certificateParts(certificate.raw);
  const subject = parseName(parts.subject);
  const issuer = parseName(parts.issuer);
  const identity = {
    certificate,
    parts,
    subject,
    issuer,
    subjectKey: canonicalName(subject),
    issuerKey: canonicalName(issuer),
    spkiSha256: spkiSha256(parts.spki),
    keyId: keyId(parts.spki),
  };
  cache.set(certificate, identity);
  return identity;
}

/** Whether `certificate`'s signature verifies under `key` (false, not a throw, for a key of another type). */
export function signedBy(certificate: X509Certificate, key: X509Certificate['publicKey']): boolean {
  try {
    return certificate.verify(key);
  } catch {
    return false;
  }
}

/** The subject for messages: `"CN"` when there is one, else the whole name. */
export function displayName(name: DistinguishedName): string {
  const cn = name.flat().find((a) => a.type === 'CN');
  return JSON.stringify(cn ? cn.value : formatName(name));
}
