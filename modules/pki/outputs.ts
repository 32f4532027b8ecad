/**
 * The contract between the PKI stack and its consumers (the AWS origin, the
 * Cloudflare edge). Values are Terraform expressions (CDKTF tokens) or literal PEM
 * text for a bring-your-own CA; consumers must treat them as opaque strings.
 */

/** A certificate and the private key that goes with it. */
export interface KeyedCertificate {
  /** The leaf certificate alone, PEM. */
  readonly certificatePem: string;
  /** PEM private key. Sensitive: only ever passed to sensitive provider arguments. */
  readonly privateKeyPem: string;
}

/** A CA certificate and a stable name for it (`ca-g1-root`), for publishing it on its own. */
export interface NamedCaCertificate {
  readonly name: string;
  /** The certificate alone, PEM. */
  readonly pem: string;
}

export interface PkiOutputs {
  /** Every CA certificate of `truststorePem`, one by one and named. */
  readonly caCertificates: readonly NamedCaCertificate[];
  /** The same CAs in the order of `clientCaPem` (for Cloudflare: each issuing CA before its root). */
  readonly clientCaCertificates: readonly NamedCaCertificate[];
  /**
   * The PEM bundle API Gateway trusts: every CA certificate (root and intermediates)
   * that client certificates chain to, concatenated. During a rotation it holds the
   * old and the new CA.
   */
  readonly truststorePem: string;
  /**
   * The CA certificate(s) that issue client certificates, PEM, for Cloudflare API
   * Shield (`mtls_certificate`) and Access (`zero_trust_access_mtls_certificate`).
   */
  readonly clientCaPem: string;
  /** What Cloudflare presents to the origin (Authenticated Origin Pulls). Issued by our CA, never Cloudflare's shared one. */
  readonly originPullClient: KeyedCertificate;
  /** Own-CA server certificate for the API Gateway custom domain, when the env asks for one. */
  readonly serverCertificate?: KeyedCertificate & {
    /** Intermediate(s) and root, PEM, as ACM import wants the chain. */
    readonly chainPem: string;
  };
  /** Named service/device client certificates. */
  readonly clientCertificates: Readonly<Record<string, KeyedCertificate>>;
}
