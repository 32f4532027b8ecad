/**
 * The provider versions every stack pins, in one place: stacks write them into
 * `required_providers`, and the conformance check reads the schema snapshot of
 * exactly these versions.
 */

/**
 * Cloudflare provider: 5.22.0, not the 5.14.0 the prebuilt `@cdktf/provider-cloudflare`
 * 13.9.1 classes were generated for. 5.19.0 added the per-hostname origin-pull
 * certificate and the API Shield hostname association; every shape the 13.9.1 classes
 * write is also valid in 5.22.0 (checked by the conformance test).
 */
export const CLOUDFLARE_PROVIDER_VERSION = '5.22.0';

/** tls: 4.2.0 replaced every existing certificate after an upgrade (hashicorp/terraform-provider-tls#737, fixed in 4.2.1). */
export const TLS_PROVIDER_CONSTRAINT = '>= 4.2.1, < 5.0.0';

/** The tls version whose schema is snapshotted: the lowest the constraint admits. */
export const TLS_PROVIDER_SNAPSHOT_VERSION = '4.2.1';
