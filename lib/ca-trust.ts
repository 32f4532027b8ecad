import type { X509Certificate } from 'node:crypto';
import { bundleSizeProblem, chainIndex, chainUp, MAX_CA_BUNDLE_CERTIFICATES, MAX_SAME_SUBJECT } from './chain-index';
import { displayName, identify, signedBy } from './certificate-identity';
import { CLOUDFLARE_SHARED_ORIGIN_PULL_CA, sharedCaKeyId, sharedCaPublicKey, type SharedCaFacts } from './cloudflare-origin-pull-ca';
import { type PublicRootStore, systemPublicRoots } from './public-roots';
import { canonicalValue, type DistinguishedName } from './x509-name';

/**
 * The one decision on which CA certificates may be trusted for client authentication
 * (API Gateway truststore, API Shield, Access) and which origin-pull certificates may be
 * used. Identity is the key, not the spelling: a certificate is refused when it
 * - carries the key of a shared CA (Cloudflare's origin-pull CA), is signed by that key,
 *   or is named like that CA (names compared canonically, see lib/x509-name);
 * - is a publicly trusted root (same key as one in Node's or Debian's root store) or is
 *   signed by one;
 * - has a self-signature or an in-bundle issuer signature that does not verify;
 * - chains, inside its bundle, to a certificate refused for any of these reasons, or
 *   has an issuer the bundle lacks (then nothing shows where its chain ends).
 */

export interface TrustPolicy {
  /** CAs that sign for everybody and so may never be trusted. @default [CLOUDFLARE_SHARED_ORIGIN_PULL_CA] */
  readonly sharedCas?: readonly SharedCaFacts[];
  /** Publicly trusted roots. @default Node's root store plus Debian's ca-certificates bundle */
  readonly publicRoots?: PublicRootStore;
}

export const SHARED_CA_RISK =
  'it signs the default origin-pull certificate of EVERY Cloudflare customer: trusting it lets anyone who points their own Cloudflare zone at this origin pass mTLS. ' +
  'Trust only your own CA and have Cloudflare present a client certificate it issued (Authenticated Origin Pulls with a custom certificate)';

export const PUBLIC_CA_RISK =
  'a publicly trusted CA issues certificates to anyone, so trusting it for client authentication lets any holder of such a certificate through; ' +
  'truststores (API Gateway, API Shield, Access) hold private CAs only';

/** Letters and digits only: how alike two spellings are, beyond what canonical comparison folds. */
const skeleton = (value: string) => canonicalValue(value).replace(/[^\p{L}\p{N}]/gu, '');

const valuesOf = (name: DistinguishedName, type: string) => name.flat().filter((a) => a.type === type).map((a) => skeleton(a.value));

/**
 * Whether a name passes for the shared CA's: it holds the CA's CN, or its O and OU
 * together, in any RDN, whatever the case, spacing, punctuation or RDN grouping. A CA
 * with another key that spells the name alike is not the shared CA, but it is refused
 * all the same: the only reason to name a CA so is to pass for it, and a reviewer or a
 * TLS CertificateRequest listing that name would be misled.
 */
function namedLike(name: DistinguishedName, facts: SharedCaFacts): boolean {
  const want = (type: string) => facts.subject.filter(([t]) => t === type).map(([, v]) => skeleton(v));
  const has = (type: string) => want(type).some((v) => valuesOf(name, type).includes(v));
  return has('CN') || (has('O') && has('OU'));
}

const sharedKeys = new WeakMap<SharedCaFacts, { key: X509Certificate['publicKey']; id: string }>();
function keyOf(facts: SharedCaFacts) {
  let key = sharedKeys.get(facts);
  if (!key) sharedKeys.set(facts, (key = { key: sharedCaPublicKey(facts), id: sharedCaKeyId(facts) }));
  return key;
}

/** Why one certificate is (or was issued by) a shared CA, or undefined when it is not. */
export function sharedCaEvidence(certificate: X509Certificate, policy: TrustPolicy = {}): string | undefined {
  const id = identify(certificate);
  for (const facts of policy.sharedCas ?? [CLOUDFLARE_SHARED_ORIGIN_PULL_CA]) {
    const evidence =
      id.keyId === keyOf(facts).id
        ? `it carries the public key of ${facts.label} (SPKI SHA-256 ${facts.spkiSha256}), whatever its name, serial, signature or key encoding say`
        : signedBy(certificate, keyOf(facts).key)
          ? `it is signed by the key of ${facts.label}`
          : namedLike(id.subject, facts)
            ? `its subject ${displayName(id.subject)} is named like ${facts.label}`
            : namedLike(id.issuer, facts)
              ? `its issuer ${displayName(id.issuer)} is named like ${facts.label}`
              : undefined;
    if (evidence) return `${evidence}; ${SHARED_CA_RISK}`;
  }
  return undefined;
}

/** Why one certificate is (or was issued by) a publicly trusted root, or undefined. */
export function publicCaEvidence(certificate: X509Certificate, policy: TrustPolicy = {}): string | undefined {
  const store = policy.publicRoots ?? systemPublicRoots();
  const id = identify(certificate);
  const sameKey = store.byKey.get(id.keyId);
  if (sameKey) {
    const what = sameKey.identity.subjectKey === id.subjectKey ? 'it is the publicly trusted root' : 'it carries the key of the publicly trusted root';
    return `${what} ${displayName(sameKey.identity.subject)} (in ${sameKey.source}); ${PUBLIC_CA_RISK}`;
  }
  const issuer = (store.bySubject.get(id.issuerKey) ?? []).find((root) => signedBy(certificate, root.identity.certificate.publicKey));
  if (issuer) return `it is issued by the publicly trusted root ${displayName(issuer.identity.subject)} (in ${issuer.source}); ${PUBLIC_CA_RISK}`;
  return undefined;
}

/** One refused certificate of a bundle. */
export interface TrustRefusal {
  /** Position in the bundle, from 0. */
  readonly index: number;
  readonly reason: string;
}

/**
 * Every certificate of a bundle to be trusted for client authentication that must be
 * refused, with the reason. Empty when the whole bundle may be trusted.
 */
export function caTrustRefusals(certificates: readonly X509Certificate[], policy: TrustPolicy = {}): TrustRefusal[] {
  // Over the limit nothing else is checked: the work grows with the bundle (lib/chain-index).
  const tooMany = bundleSizeProblem(certificates.length);
  if (tooMany) return [{ index: MAX_CA_BUNDLE_CERTIFICATES, reason: tooMany }];
  const reasons = new Map<number, string>();
  const index = chainIndex(certificates);
  index.ids.forEach((id, i) => {
    if (!id) {
      try {
        identify(certificates[i]);
      } catch (e) {
        reasons.set(i, `its DER cannot be read (${(e as Error).message})`);
      }
      return;
    }
    const direct = sharedCaEvidence(id.certificate, policy) ?? publicCaEvidence(id.certificate, policy);
    if (direct) {
      reasons.set(i, direct);
      return;
    }
    if (index.crowded.has(i)) {
      reasons.set(i, `it is one of ${index.crowded.get(i)} certificates of the bundle named ${displayName(id.subject)}; at most ${MAX_SAME_SUBJECT} may share a subject (a CA, its renewals, a cross-signed twin), so that finding each issuer stays a few signature checks`);
      return;
    }
    if (id.subjectKey === id.issuerKey) {
      if (!index.selfSigned[i]) reasons.set(i, 'its self-signature does not verify: the certificate was altered or forged');
      return;
    }
    if (index.parent.has(i)) return;
    if (index.crowdedIssuer.has(i)) {
      reasons.set(i, `its issuer name ${displayName(id.issuer)} is shared by ${index.crowdedIssuer.get(i)} certificates of the bundle; at most ${MAX_SAME_SUBJECT} may share a subject`);
      return;
    }
    const broken = index.brokenIssuer.get(i);
    if (broken !== undefined) {
      reasons.set(i, `its signature does not verify under its issuer ${displayName(id.issuer)} (certificate ${broken + 1} of the bundle): the chain is broken`);
    } else {
      // Without its issuer nothing shows where the chain ends: it might end at a public root.
      reasons.set(i, `its issuer ${displayName(id.issuer)} is not in the bundle; a CA bundle must hold each chain up to its self-signed root so the whole chain can be checked`);
    }
  });
  // A certificate that chains to a refused one is refused too (walk each chain upwards).
  certificates.forEach((_, i) => {
    if (reasons.has(i)) return;
    const up = chainUp(index, i).slice(1).find((j) => reasons.has(j));
    if (up !== undefined) reasons.set(i, `it chains to certificate ${up + 1} of the bundle, which is refused: ${reasons.get(up)}`);
  });
  return [...reasons].sort(([a], [b]) => a - b).map(([index, reason]) => ({ index, reason }));
}
