import type { X509Certificate } from 'node:crypto';
import { fromDer } from './asn1';
import { asnX509 } from './asn1-libraries';
import { certificateExtensions, OID_AUTHORITY_KEY_IDENTIFIER, OID_SUBJECT_KEY_IDENTIFIER } from './certificate-der';
import { type CertificateIdentity, identify, signedBy } from './certificate-identity';

/** Subject and authority key identifiers as hex ('' when absent or unreadable): only an ordering hint, never trusted. */
function keyIdentifiers(der: Buffer): { ski: string; aki: string } {
  try {
    const ext = certificateExtensions(der);
    const skiValue = ext.find((e) => e.oid === OID_SUBJECT_KEY_IDENTIFIER)?.value;
    const akiValue = ext.find((e) => e.oid === OID_AUTHORITY_KEY_IDENTIFIER)?.value;
    const ski = skiValue ? Buffer.from(fromDer(skiValue, asnX509().SubjectKeyIdentifier, 'subjectKeyIdentifier').buffer).toString('hex') : '';
    const keyId = akiValue ? fromDer(akiValue, asnX509().AuthorityKeyIdentifier, 'authorityKeyIdentifier').keyIdentifier : undefined;
    return { ski, aki: keyId ? Buffer.from(keyId.buffer).toString('hex') : '' };
  } catch {
    return { ski: '', aki: '' };
  }
}

/**
 * The chains of a CA bundle, built once: each certificate's issuer inside the bundle,
 * found by indexing canonical subjects (a lookup, not a scan) and confirmed by the issuer's
 * key verifying the signature. Every check that walks chains (trust refusals, chain depth,
 * path lengths) reads this index, so a bundle costs one signature check per candidate
 * issuer instead of one per pair of certificates per step of every walk.
 */

/**
 * At most this many certificates per CA bundle (truststore, API Shield CA, Access CA,
 * `verify --ca`). Our chain model is a root and one issuing CA per private CA; a bundle
 * holds a few of them, two generations of each during a rotation. 32 leaves room for
 * that many times over; a longer bundle is not a hand-kept truststore, and each
 * certificate costs signature checks whose number grows with the bundle.
 */
export const MAX_CA_BUNDLE_CERTIFICATES = 32;

/** The message for a bundle over the limit, or undefined. */
export function bundleSizeProblem(count: number): string | undefined {
  if (count <= MAX_CA_BUNDLE_CERTIFICATES) return undefined;
  return `the bundle holds ${count} certificates; at most ${MAX_CA_BUNDLE_CERTIFICATES} are accepted (a root and issuing CA per private CA, two generations during a rotation); split it or drop CAs no longer in use`;
}

/**
 * At most this many certificates of a bundle may share one subject: a CA, its renewals
 * and a cross-signed twin. Every certificate issued under that name is checked against
 * each of them, so this bounds the signature checks per certificate and keeps the whole
 * bundle linear (at most MAX_SAME_SUBJECT checks per certificate).
 */
export const MAX_SAME_SUBJECT = 4;

export interface ChainIndex {
  /** Identities by bundle position (undefined where the DER cannot be read). */
  readonly ids: readonly (CertificateIdentity | undefined)[];
  /** Whether the certificate names itself as issuer and its own key verifies its signature. */
  readonly selfSigned: readonly boolean[];
  /** Bundle position of the certificate's verified issuer, when the bundle holds one (never itself). */
  readonly parent: ReadonlyMap<number, number>;
  /** Positions whose issuer name matches other certificates of the bundle, none of which verifies. */
  readonly brokenIssuer: ReadonlyMap<number, number>;
  /** Positions beyond the MAX_SAME_SUBJECT-th certificate of one subject, with how many share it. */
  readonly crowded: ReadonlyMap<number, number>;
  /** Positions whose issuer name is shared by more than MAX_SAME_SUBJECT certificates (not searched). */
  readonly crowdedIssuer: ReadonlyMap<number, number>;
}

const cache = new WeakMap<readonly X509Certificate[], ChainIndex>();

/** The index of a bundle (memoised per array). */
export function chainIndex(certificates: readonly X509Certificate[]): ChainIndex {
  const known = cache.get(certificates);
  if (known) return known;
  const ids = certificates.map((c) => {
    try {
      return identify(c);
    } catch {
      return undefined;
    }
  });
  const bySubject = new Map<string, number[]>();
  ids.forEach((id, i) => id && bySubject.set(id.subjectKey, [...(bySubject.get(id.subjectKey) ?? []), i]));
  const selfSigned = ids.map((id) => !!id && id.subjectKey === id.issuerKey && signedBy(id.certificate, id.certificate.publicKey));
  const parent = new Map<number, number>();
  const brokenIssuer = new Map<number, number>();
  const crowded = new Map<number, number>();
  const crowdedIssuer = new Map<number, number>();
  for (const positions of bySubject.values()) positions.slice(MAX_SAME_SUBJECT).forEach((i) => crowded.set(i, positions.length));
  ids.forEach((id, i) => {
    if (!id || selfSigned[i]) return;
    const named = bySubject.get(id.issuerKey) ?? [];
    if (named.length > MAX_SAME_SUBJECT) {
      crowdedIssuer.set(i, named.length);
      return;
    }
    // The candidate whose subject key id is the certificate's authority key id first: one check for a well-formed chain.
    const { aki } = keyIdentifiers(id.certificate.raw);
    const hinted = (j: number) => (aki !== '' && keyIdentifiers(ids[j]!.certificate.raw).ski === aki ? 0 : 1);
    const candidates = named.filter((j) => j !== i).sort((a, b) => hinted(a) - hinted(b));
    const signer = candidates.find((j) => signedBy(id.certificate, ids[j]!.certificate.publicKey));
    if (signer !== undefined) parent.set(i, signer);
    else if (candidates.length > 0) brokenIssuer.set(i, candidates[0]);
  });
  const index = { ids, selfSigned, parent, brokenIssuer, crowded, crowdedIssuer };
  cache.set(certificates, index);
  return index;
}

/** Positions from `start` up its chain (start first), stopping at a root, a missing issuer or a loop. */
export function chainUp(index: ChainIndex, start: number): number[] {
  const chain = [start];
  const seen = new Set(chain);
  for (let up = index.parent.get(start); up !== undefined && !seen.has(up); up = index.parent.get(up)) {
    chain.push(up);
    seen.add(up);
  }
  return chain;
}
