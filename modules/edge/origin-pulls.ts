import { Construct } from 'constructs';
import { AuthenticatedOriginPullsCertificate } from '@cdktf/provider-cloudflare/lib/authenticated-origin-pulls-certificate';
import { AuthenticatedOriginPullsSettings } from '@cdktf/provider-cloudflare/lib/authenticated-origin-pulls-settings';
import type { KeyedCertificate } from '../pki/outputs';
import { checkOriginPullCertificate, requireKeyReference } from './certificate-checks';

export interface AuthenticatedOriginPullsProps {
  /** Cloudflare zone id. */
  readonly zoneId: string;
  /**
   * The client certificate Cloudflare presents to the origin, issued by our own CA.
   * The private key must be a reference to a sensitive value, never literal text.
   */
  readonly clientCertificate: KeyedCertificate;
}

/**
 * Zone-level Authenticated Origin Pulls with *our* client certificate: every request
 * Cloudflare sends to the origin presents it, and the origin trusts only our CA.
 *
 * There is deliberately no option for Cloudflare's shared origin-pull certificate:
 * its CA is common to every Cloudflare customer, so trusting it lets any zone reach
 * the origin. A certificate from that CA is refused. Provider 5.x has no resource to
 * upload a per-hostname certificate (cloudflare/terraform-provider-cloudflare#5895),
 * so the zone-level form is used.
 */
export class AuthenticatedOriginPulls extends Construct {
  readonly certificate: AuthenticatedOriginPullsCertificate;
  readonly settings: AuthenticatedOriginPullsSettings;
  /** Id of the uploaded certificate (for alerts and out-of-band per-hostname use). */
  readonly certificateId: string;

  constructor(scope: Construct, id: string, props: AuthenticatedOriginPullsProps) {
    super(scope, id);
    const what = `AuthenticatedOriginPulls ${id}`;
    requireKeyReference(props.clientCertificate.privateKeyPem, `${what}: clientCertificate.privateKeyPem`);
    checkOriginPullCertificate(props.clientCertificate.certificatePem, `${what}: clientCertificate.certificatePem`);

    this.certificate = new AuthenticatedOriginPullsCertificate(this, 'OriginPullClientCertificate', {
      zoneId: props.zoneId,
      certificate: props.clientCertificate.certificatePem,
      privateKey: props.clientCertificate.privateKeyPem,
    });
    this.certificateId = this.certificate.id;
    // Turning AOP on before our certificate exists would make Cloudflare present its shared one.
    this.settings = new AuthenticatedOriginPullsSettings(this, 'Enabled', {
      zoneId: props.zoneId,
      enabled: true,
      dependsOn: [this.certificate],
    });
  }
}
