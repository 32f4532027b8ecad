import { Fn, Op } from 'cdktf';
import { Construct } from 'constructs';
import { AuthenticatedOriginPullsSettings } from '@cdktf/provider-cloudflare/lib/authenticated-origin-pulls-settings';
import { AuthenticatedOriginPullsHostname } from '../../providers/cloudflare/authenticated-origin-pulls-hostname';
import { ORIGIN_PULL_SCOPES, type OriginPullScope } from '../../lib/vocabulary';

export interface AuthenticatedOriginPullsProps {
  /** Cloudflare zone id. */
  readonly zoneId: string;
  /**
   * Id of our uploaded origin-pull certificate (OriginPullCertificate, in the custody
   * stack), read from where the custody stack published it. In `zone` scope nothing
   * points at it, but reading it makes the plan wait until the upload exists: turning
   * AOP on before our certificate exists would make Cloudflare present its shared one.
   */
  readonly certificateId: string;
  /** Per-hostname (only these hostnames present it) or zone-wide. @default "per-hostname" */
  readonly scope?: OriginPullScope;
  /** Hostnames that point at the origin; per-hostname AOP is enabled for each. Required (at least one) for `per-hostname`. */
  readonly hostnames: readonly string[];
}

/**
 * Authenticated Origin Pulls switched on with *our* client certificate (uploaded by
 * OriginPullCertificate), so the origin can trust only our CA.
 *
 * - `per-hostname` (default): the hostname certificate is enabled for each hostname;
 *   nothing else in the zone changes.
 * - `zone`: the zone-wide switch; every proxied hostname of the zone then presents the
 *   zone-level certificate.
 */
export class AuthenticatedOriginPulls extends Construct {
  readonly scope: OriginPullScope;
  /** Zone scope: the zone-wide switch. */
  readonly settings?: AuthenticatedOriginPullsSettings;
  /** Per-hostname scope: one association per hostname, by hostname. */
  readonly hostnameAssociations: ReadonlyMap<string, AuthenticatedOriginPullsHostname>;

  constructor(scope: Construct, id: string, props: AuthenticatedOriginPullsProps) {
    super(scope, id);
    const what = `AuthenticatedOriginPulls ${id}`;
    this.scope = props.scope ?? 'per-hostname';
    if (!ORIGIN_PULL_SCOPES.includes(this.scope)) {
      throw new Error(`${what}: scope ${JSON.stringify(this.scope)} is not one of ${ORIGIN_PULL_SCOPES.join(', ')}`);
    }
    const duplicate = props.hostnames.find((h, i) => props.hostnames.indexOf(h) !== i);
    if (duplicate) throw new Error(`${what}: hostname ${JSON.stringify(duplicate)} is listed twice`);

    const associations = new Map<string, AuthenticatedOriginPullsHostname>();
    if (this.scope === 'zone') {
      // Nothing in the switch names the certificate, so it is tied to the upload's id here:
      // the switch is planned only once that id can be read, never before the upload exists.
      this.settings = new AuthenticatedOriginPullsSettings(this, 'Enabled', {
        zoneId: props.zoneId,
        enabled: true,
        lifecycle: {
          precondition: [{ condition: Op.gte(Fn.lengthOf(props.certificateId), 1), errorMessage: 'the origin-pull certificate must be uploaded before zone-level origin pulls are switched on' }],
        },
      });
    } else {
      if (props.hostnames.length === 0) throw new Error(`${what}: per-hostname origin pulls need at least one hostname, got none`);
      for (const hostname of props.hostnames) {
        // One resource per hostname: the provider refuses a config with more than one entry.
        associations.set(hostname, new AuthenticatedOriginPullsHostname(this, `Hostname-${hostname}`, { zoneId: props.zoneId, hostname, certId: props.certificateId, enabled: true }));
      }
    }
    this.hostnameAssociations = associations;
  }
}
