import { Construct } from 'constructs';
import { MtlsCertificate } from '@cdktf/provider-cloudflare/lib/mtls-certificate';
import { CertificateAuthoritiesHostnameAssociations } from '../../providers/cloudflare/certificate-authorities-hostname-associations';
import { checkClientCa } from './certificate-checks';
import { CREATE_BEFORE_DESTROY } from './replacement';
import { unverifiedClientCertificate } from './waf-expression';
import type { ZoneFirewall } from './zone-firewall';

/** A host API Shield guards, optionally only below some paths. */
export interface ApiShieldHost {
  readonly hostname: string;
  /** Only block below these path prefixes. @default every path */
  readonly pathPrefixes?: readonly string[];
  /** Also block certificates Cloudflare reports as revoked. @default true */
  readonly blockRevoked?: boolean;
}

export interface ApiShieldMtlsProps {
  /** Cloudflare account id (the CA is an account-level certificate). */
  readonly accountId: string;
  /** Zone of the hostnames (the CA association is per zone). */
  readonly zoneId: string;
  /** The zone's custom firewall ruleset, which receives one block rule per host. */
  readonly firewall: ZoneFirewall;
  /** Name of the uploaded CA in the dashboard, e.g. `dev-client-ca`. */
  readonly name: string;
  /** PEM of the CA (bundle) that issues client certificates. Required: without a CA nothing can verify. */
  readonly clientCaPem: string;
  /** Hosts to protect. At least one. */
  readonly hosts: readonly ApiShieldHost[];
}

/**
 * API Shield mTLS with our own client CA. The CA is associated with exactly the
 * protected hostnames: without that association `cf.tls_client_auth.cert_verified` is
 * never true for them and the block rule would reject every client, good certificates
 * included. Asking for a certificate changes nothing on its own; the enforcement is the
 * `block` rule per host, added to the zone's custom firewall ruleset (`ZoneFirewall`,
 * which owns that per-zone singleton), which depends on the association.
 */
export class ApiShieldMtls extends Construct {
  readonly clientCa: MtlsCertificate;
  /** The CA's hostname association (the protected hostnames, nothing else). */
  readonly association: CertificateAuthoritiesHostnameAssociations;
  /** The block expression of each host, by hostname. */
  readonly expressions: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: ApiShieldMtlsProps) {
    super(scope, id);
    checkClientCa(props.clientCaPem, `ApiShieldMtls ${id}: clientCaPem`);
    if (props.hosts.length === 0) throw new Error(`ApiShieldMtls ${id}: expected at least one host to protect, got none`);

    this.clientCa = new MtlsCertificate(this, 'ClientCa', {
      accountId: props.accountId,
      ca: true,
      certificates: props.clientCaPem,
      name: props.name,
      // The association moves to the new CA before the old one is deleted (the API refuses to delete an associated CA).
      lifecycle: CREATE_BEFORE_DESTROY,
    });
    const expressions = new Map<string, string>();
    for (const host of props.hosts) {
      if (expressions.has(host.hostname)) throw new Error(`ApiShieldMtls ${id}: host ${JSON.stringify(host.hostname)} is listed twice`);
      expressions.set(host.hostname, unverifiedClientCertificate({ hosts: [host.hostname], ...host }));
    }
    this.expressions = expressions;
    this.association = new CertificateAuthoritiesHostnameAssociations(this, 'ClientCaHostnames', {
      zoneId: props.zoneId,
      mtlsCertificateId: this.clientCa.id,
      hostnames: [...expressions.keys()],
    });
    for (const [hostname, expression] of expressions) {
      // A block rule before the association would reject every client.
      props.firewall.addRule(
        'API Shield',
        { ref: `mtls_${hostname.replace(/[^a-z0-9]/g, '_')}`, description: `Block requests to ${hostname} without a verified client certificate`, expression, action: 'block' },
        [this.association],
      );
    }
  }
}
