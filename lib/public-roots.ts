import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { type CertificateIdentity, identify } from './certificate-identity';

/**
 * The publicly trusted roots: certificate authorities that sell or give certificates to
 * anyone. A truststore that holds one of them (or a CA that chains to one) lets every
 * holder of such a certificate authenticate, so none may be trusted for client auth.
 */
export interface PublicRootStore {
  /** Where the roots came from, for messages (`Node's built-in root store`, a bundle path). */
  readonly sources: readonly string[];
  /** Roots by their key identity (lib/key-identity: the same for every encoding of a key). */
  readonly byKey: ReadonlyMap<string, PublicRoot>;
  /** Roots by canonical subject (several roots may share a name across key rollovers). */
  readonly bySubject: ReadonlyMap<string, readonly PublicRoot[]>;
}

export interface PublicRoot {
  readonly identity: CertificateIdentity;
  /** The store it was found in. */
  readonly source: string;
}

/** Debian's ca-certificates bundle (Mozilla's list as the OS trusts it). */
export const DEBIAN_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
export const NODE_ROOT_STORE = "Node's built-in root store (tls.rootCertificates)";

/** A store from PEM texts, each tagged with where it came from; unreadable blocks are skipped. */
export function publicRootStore(sets: readonly { source: string; pems: readonly string[] }[]): PublicRootStore {
  const byKey = new Map<string, PublicRoot>();
  const bySubject = new Map<string, PublicRoot[]>();
  // Node's store and Debian's bundle hold mostly the same roots: each certificate is
  // parsed once (by its fingerprint), which halves the cost of building the store.
  const parsed = new Map<string, CertificateIdentity>();
  for (const { source, pems } of sets) {
    for (const pem of pems) {
      let identity: CertificateIdentity;
      try {
        const certificate = new X509Certificate(pem);
        identity = parsed.get(certificate.fingerprint256) ?? identify(certificate);
        parsed.set(certificate.fingerprint256, identity);
      } catch {
        continue; // a malformed entry in the system bundle is not our input to refuse
      }
      const root = { identity, source };
      if (!byKey.has(identity.keyId)) byKey.set(identity.keyId, root);
      bySubject.set(identity.subjectKey, [...(bySubject.get(identity.subjectKey) ?? []), root]);
    }
  }
  return { sources: sets.map((s) => s.source), byKey, bySubject };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

let systemStore: PublicRootStore | undefined;

/** Node's roots plus Debian's bundle when the machine has it (loaded once). */
export function systemPublicRoots(): PublicRootStore {
  if (!systemStore) {
    // node:tls (and with it net, dgram and the TLS machinery) is loaded only here: most synths never build the store.
    const { rootCertificates } = require('node:tls') as typeof import('node:tls');
    const sets = [{ source: NODE_ROOT_STORE, pems: rootCertificates }];
    if (existsSync(DEBIAN_CA_BUNDLE)) {
      sets.push({ source: `Debian's ca-certificates bundle (${DEBIAN_CA_BUNDLE})`, pems: readFileSync(DEBIAN_CA_BUNDLE, 'latin1').match(PEM_CERTIFICATE) ?? [] });
    }
    systemStore = publicRootStore(sets);
  }
  return systemStore;
}
