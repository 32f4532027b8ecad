import type { IResolvable, TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { type AttributeValue, TypedResource } from '../binding';
import { cloudflareSpec } from './version';

export interface AuthenticatedOriginPullsHostnameConfig extends TerraformMetaArguments {
  readonly zoneId: string;
  /** The proxied hostname whose origin requests present the certificate. */
  readonly hostname: string;
  /** Id of an `AuthenticatedOriginPullsHostnameCertificate` of the same zone. */
  readonly certId: string;
  /** Present the certificate (true) or not (false). @default true */
  readonly enabled?: boolean | IResolvable;
}

/**
 * `cloudflare_authenticated_origin_pulls` in its 5.22 shape: per-hostname AOP for ONE
 * hostname (`config = [{hostname, cert_id, enabled}]`). The provider refuses a `config`
 * with more or fewer than one entry at apply time ("config must contain exactly one
 * hostname association"), and in 5.22 the top-level `hostname` is computed; the
 * 13.9.1 class allows both, so this binding replaces it. Destroy sends
 * `enabled: null` for the hostname, which voids the association.
 */
export class AuthenticatedOriginPullsHostname extends TypedResource {
  static readonly tfResourceType = 'cloudflare_authenticated_origin_pulls';
  private readonly config: AuthenticatedOriginPullsHostnameConfig;

  constructor(scope: Construct, id: string, config: AuthenticatedOriginPullsHostnameConfig) {
    super(scope, id, cloudflareSpec(AuthenticatedOriginPullsHostname.tfResourceType), config);
    this.config = config;
  }

  /** `active` once the certificate is deployed for the hostname. */
  get certStatus(): string { return this.getStringAttribute('cert_status'); }

  protected attributes(): Record<string, AttributeValue> {
    return {
      zone_id: { kind: 'string', value: this.config.zoneId },
      config: { kind: 'objectList', value: [{ hostname: this.config.hostname, cert_id: this.config.certId, enabled: this.config.enabled ?? true }] },
    };
  }
}
