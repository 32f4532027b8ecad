import { Construct } from 'constructs';
import { AuthenticatedOriginPullsCertificate } from '@cdktf/provider-cloudflare/lib/authenticated-origin-pulls-certificate';
import { AuthenticatedOriginPullsHostnameCertificate } from '../../providers/cloudflare/authenticated-origin-pulls-hostname-certificate';
import { ORIGIN_PULL_SCOPES, type OriginPullScope } from '../../lib/vocabulary';
import type { KeyedCertificate } from '../pki/outputs';
import { checkOriginPullCertificate, requireKeyReference } from './certificate-checks';
import { CREATE_BEFORE_DESTROY } from './replacement';

export interface OriginPullCertificateProps {
  /** Cloudflare zone id. */
  readonly zoneId: string;
  /**
   * The client certificate Cloudflare presents to the origin, issued by our own CA.
   * The private key must be a reference to a sensitive value, never literal text.
   */
  readonly clientCertificate: KeyedCertificate;
  /** Which upload: a hostname certificate (`per-hostname`) or the zone-level one (`zone`). @default "per-hostname" */
  readonly scope?: OriginPullScope;
}

/**
 * The upload of our origin-pull client certificate *with its private key* to Cloudflare.
 * The provider keeps that key in state, so this construct belongs in the custody stack;
 * the edge stack switches origin pulls on with the upload's id (AuthenticatedOriginPulls),
 * which is public.
 *
 * There is deliberately no option for Cloudflare's shared origin-pull certificate: its
 * CA is common to every Cloudflare customer, so trusting it lets any zone reach the
 * origin. A certificate from that CA is refused.
 */
export class OriginPullCertificate extends Construct {
  readonly scope: OriginPullScope;
  readonly upload: AuthenticatedOriginPullsCertificate | AuthenticatedOriginPullsHostnameCertificate;
  /** Id of the uploaded certificate: what per-hostname settings point at. */
  readonly certificateId: string;

  constructor(scope: Construct, id: string, props: OriginPullCertificateProps) {
    super(scope, id);
    const what = `OriginPullCertificate ${id}`;
    this.scope = props.scope ?? 'per-hostname';
    if (!ORIGIN_PULL_SCOPES.includes(this.scope)) {
      throw new Error(`${what}: scope ${JSON.stringify(this.scope)} is not one of ${ORIGIN_PULL_SCOPES.join(', ')}`);
    }
    requireKeyReference(props.clientCertificate.privateKeyPem, `${what}: clientCertificate.privateKeyPem`);
    checkOriginPullCertificate(props.clientCertificate.certificatePem, `${what}: clientCertificate.certificatePem`);
    const upload = {
      zoneId: props.zoneId,
      certificate: props.clientCertificate.certificatePem,
      privateKey: props.clientCertificate.privateKeyPem,
      // A renewed certificate is uploaded and switched to before the old one is removed.
      lifecycle: CREATE_BEFORE_DESTROY,
    };
    // Construct ids as before the custody split, so the address in the new state is the old one.
    this.upload =
      this.scope === 'zone'
        ? new AuthenticatedOriginPullsCertificate(this, 'OriginPullClientCertificate', upload)
        : new AuthenticatedOriginPullsHostnameCertificate(this, 'OriginPullHostnameCertificate', upload);
    this.certificateId = this.upload.id;
  }
}
