import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { type AttributeValue, TypedResource } from '../binding';
import { cloudflareSpec } from './version';

export interface CertificateAuthoritiesHostnameAssociationsConfig extends TerraformMetaArguments {
  readonly zoneId: string;
  /**
   * Id of a `cloudflare_mtls_certificate` with `ca = true`. Required here although the
   * provider makes it optional: without it the hostnames go to Cloudflare's managed CA.
   */
  readonly mtlsCertificateId: string;
  /** The hostnames whose client certificates are verified against that CA. The whole list is written on every apply. */
  readonly hostnames: readonly string[];
}

/**
 * `cloudflare_certificate_authorities_hostname_associations` (provider >= 5.19.0):
 * `PUT /zones/{zone_id}/certificate_authorities/hostname_associations`. Without it an
 * own CA uploaded for API Shield verifies nobody. See docs/edge.md for how the
 * provider handles changes and destroy (destroy does not call the API).
 */
export class CertificateAuthoritiesHostnameAssociations extends TypedResource {
  static readonly tfResourceType = 'cloudflare_certificate_authorities_hostname_associations';
  private readonly config: CertificateAuthoritiesHostnameAssociationsConfig;

  constructor(scope: Construct, id: string, config: CertificateAuthoritiesHostnameAssociationsConfig) {
    super(scope, id, cloudflareSpec(CertificateAuthoritiesHostnameAssociations.tfResourceType), config);
    this.config = config;
  }

  protected attributes(): Record<string, AttributeValue> {
    return {
      zone_id: { kind: 'string', value: this.config.zoneId },
      mtls_certificate_id: { kind: 'string', value: this.config.mtlsCertificateId },
      hostnames: { kind: 'stringList', value: this.config.hostnames },
    };
  }
}
