import { Construct } from 'constructs';
import { AuthenticatedOriginPullsCertificate } from '@cdktf/provider-cloudflare/lib/authenticated-origin-pulls-certificate';
import { AuthenticatedOriginPullsSettings } from '@cdktf/provider-cloudflare/lib/authenticated-origin-pulls-settings';
import { AuthenticatedOriginPullsHostname } from '../../providers/cloudflare/authenticated-origin-pulls-hostname';
import { AuthenticatedOriginPullsHostnameCertificate } from '../../providers/cloudflare/authenticated-origin-pulls-hostname-certificate';
import { ORIGIN_PULL_SCOPES, type OriginPullScope } from '../../lib/vocabulary';
import type { KeyedCertificate } from '../pki/outputs';
import { checkOriginPullCertificate, requireKeyReference } from './certificate-checks';
import { CREATE_BEFORE_DESTROY } from './replacement';


export interface AuthenticatedOriginPullsProps {
  /** Cloudflare zone id. */
  readonly zoneId: string;
  /**
   * The client certificate Cloudflare presents to the origin, issued by our own CA.
   * The private key must be a reference to a sensitive value, never literal text.
   */
  readonly clientCertificate: KeyedCertificate;
  /** Per-hostname (only these hostnames present it) or zone-wide. @default "per-hostname" */
  readonly scope?: OriginPullScope;
  /** Hostnames that point at the origin; per-hostname AOP is enabled for each. Required (at least one) for `per-hostname`. */
  readonly hostnames: readonly string[];
}

/**
 * Authenticated Origin Pulls with *our* client certificate, so the origin can trust only
 * our CA.
 *
 * - `per-hostname` (default): the certificate is uploaded once for the zone as a
 *   hostname certificate and enabled for each hostname; nothing else in the zone changes.
 * - `zone`: the zone-level certificate and switch; every proxied hostname of the zone
 *   then presents it.
 *
 * There is deliberately no option for Cloudflare's shared origin-pull certificate: its
 * CA is common to every Cloudflare customer, so trusting it lets any zone reach the
 * origin. A certificate from that CA is refused in both scopes.
 */
export class AuthenticatedOriginPulls extends Construct {
  readonly scope: OriginPullScope;
  /** The uploaded certificate (zone-level or hostname certificate, depending on the scope). */
  readonly certificate: AuthenticatedOriginPullsCertificate | AuthenticatedOriginPullsHostnameCertificate;
  /** Zone scope: the zone-wide switch. */
  readonly settings?: AuthenticatedOriginPullsSettings;
  /** Per-hostname scope: one association per hostname, by hostname. */
  readonly hostnameAssociations: ReadonlyMap<string, AuthenticatedOriginPullsHostname>;
  /** Id of the uploaded certificate. */
  readonly certificateId: string;

  constructor(scope: Construct, id: string, props: AuthenticatedOriginPullsProps) {
    super(scope, id);
    const what = `AuthenticatedOriginPulls ${id}`;
    this.scope = props.scope ?? 'per-hostname';
    if (!ORIGIN_PULL_SCOPES.includes(this.scope)) {
      throw new Error(`${what}: scope ${JSON.stringify(this.scope)} is not one of ${ORIGIN_PULL_SCOPES.join(', ')}`);
    }
    requireKeyReference(props.clientCertificate.privateKeyPem, `${what}: clientCertificate.privateKeyPem`);
    checkOriginPullCertificate(props.clientCertificate.certificatePem, `${what}: clientCertificate.certificatePem`);
    const duplicate = props.hostnames.find((h, i) => props.hostnames.indexOf(h) !== i);
    if (duplicate) throw new Error(`${what}: hostname ${JSON.stringify(duplicate)} is listed twice`);

    const upload = {
      zoneId: props.zoneId,
      certificate: props.clientCertificate.certificatePem,
      privateKey: props.clientCertificate.privateKeyPem,
      // A renewed certificate is uploaded and switched to before the old one is removed.
      lifecycle: CREATE_BEFORE_DESTROY,
    };
    const associations = new Map<string, AuthenticatedOriginPullsHostname>();
    if (this.scope === 'zone') {
      const certificate = new AuthenticatedOriginPullsCertificate(this, 'OriginPullClientCertificate', upload);
      this.certificate = certificate;
      // Turning AOP on before our certificate exists would make Cloudflare present its shared one.
      this.settings = new AuthenticatedOriginPullsSettings(this, 'Enabled', { zoneId: props.zoneId, enabled: true, dependsOn: [certificate] });
    } else {
      if (props.hostnames.length === 0) throw new Error(`${what}: per-hostname origin pulls need at least one hostname, got none`);
      const certificate = new AuthenticatedOriginPullsHostnameCertificate(this, 'OriginPullHostnameCertificate', upload);
      this.certificate = certificate;
      for (const hostname of props.hostnames) {
        // One resource per hostname: the provider refuses a config with more than one entry.
        associations.set(hostname, new AuthenticatedOriginPullsHostname(this, `Hostname-${hostname}`, { zoneId: props.zoneId, hostname, certId: certificate.id, enabled: true }));
      }
    }
    this.hostnameAssociations = associations;
    this.certificateId = this.certificate.id;
  }
}
