import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { type AttributeValue, TypedResource } from '../binding';
import { cloudflareSpec } from './version';

export interface AuthenticatedOriginPullsHostnameCertificateConfig extends TerraformMetaArguments {
  /** Zone the certificate is uploaded to. Changing it replaces the resource. */
  readonly zoneId: string;
  /** PEM of the client certificate Cloudflare presents to the origin. A new certificate replaces the upload. */
  readonly certificate: string;
  /** Its private key (sensitive). A new key replaces the upload. */
  readonly privateKey: string;
}

/**
 * `cloudflare_authenticated_origin_pulls_hostname_certificate` (provider >= 5.19.0):
 * uploads a client certificate for per-hostname Authenticated Origin Pulls
 * (`POST /zones/{zone_id}/origin_tls_client_auth/hostnames/certificates`). The upload
 * alone changes nothing; `AuthenticatedOriginPullsHostname` enables it per hostname.
 */
export class AuthenticatedOriginPullsHostnameCertificate extends TypedResource {
  static readonly tfResourceType = 'cloudflare_authenticated_origin_pulls_hostname_certificate';
  private readonly config: AuthenticatedOriginPullsHostnameCertificateConfig;

  constructor(scope: Construct, id: string, config: AuthenticatedOriginPullsHostnameCertificateConfig) {
    super(scope, id, cloudflareSpec(AuthenticatedOriginPullsHostnameCertificate.tfResourceType), config);
    this.config = config;
  }

  /** Certificate id, what `AuthenticatedOriginPullsHostname.certId` takes. */
  get id(): string { return this.getStringAttribute('id'); }
  /** `initializing`, `pending_deployment`, `active`, ... */
  get status(): string { return this.getStringAttribute('status'); }
  get expiresOn(): string { return this.getStringAttribute('expires_on'); }

  protected attributes(): Record<string, AttributeValue> {
    return {
      zone_id: { kind: 'string', value: this.config.zoneId },
      certificate: { kind: 'string', value: this.config.certificate },
      private_key: { kind: 'string', value: this.config.privateKey },
    };
  }
}
