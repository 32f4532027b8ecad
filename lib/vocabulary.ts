/**
 * Closed vocabularies that the env schema offers and the modules accept. Each list is
 * written once, here: the schema builds its enums from it and the modules type their
 * props with it, so the two cannot drift apart.
 */

/** Key algorithms the tls provider can make and ACM / API Gateway accept. */
export const KEY_ALGORITHMS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECDSA_P256', 'ECDSA_P384'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/**
 * Where Cloudflare presents our origin-pull certificate: only on the env's hostnames
 * (`per-hostname`, the default) or on every proxied hostname of the zone (`zone`).
 */
export const ORIGIN_PULL_SCOPES = ['per-hostname', 'zone'] as const;
export type OriginPullScope = (typeof ORIGIN_PULL_SCOPES)[number];

/** Actions a kept custom WAF rule may take (a subset of the ruleset's `action` enum). */
export const FIREWALL_RULE_ACTIONS = ['block', 'challenge', 'js_challenge', 'managed_challenge', 'log', 'skip'] as const;
export type FirewallRuleAction = (typeof FIREWALL_RULE_ACTIONS)[number];

/** TLS versions the edge may require; anything older is never offered. */
export const TLS_VERSIONS = ['1.2', '1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/**
 * Where an API Gateway custom domain's server certificate comes from: `acm` (public,
 * DNS-validated), `imported-own-ca` (issued by the PKI, imported to ACM) or
 * `cloudflare-origin-ca`.
 */
export const SERVER_CERTIFICATE_MODES = ['acm', 'imported-own-ca', 'cloudflare-origin-ca'] as const;
export type ServerCertificateMode = (typeof SERVER_CERTIFICATE_MODES)[number];

/** One certificate of a generated PKI: its key, lifetime and rotation generation. */
export interface CertificateSettings {
  readonly keyAlgorithm: KeyAlgorithm;
  /** Lifetime in days. */
  readonly validityDays: number;
  /** Terraform replaces the certificate this many days before it expires. */
  readonly earlyRenewalDays: number;
  /** Each generation is a distinct Terraform resource (rotation). */
  readonly generation: number;
}

/** Where a bring-your-own private key comes from: never a file. */
export type PrivateKeySource = { readonly secretsManagerSecretId: string } | { readonly terraformVariable: string };
