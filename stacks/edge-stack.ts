import type { Construct } from 'constructs';
import { AccessMtls } from '../modules/edge/access-mtls';
import { ApiShieldMtls } from '../modules/edge/api-shield';
import { CertificateExpiryAlerts, type ExpiryAlert } from '../modules/edge/expiry-alerts';
import { AuthenticatedOriginPulls } from '../modules/edge/origin-pulls';
import { ZoneBaseline } from '../modules/edge/zone-baseline';
import { ZoneFirewall } from '../modules/edge/zone-firewall';
import type { OriginDomains } from '../modules/origin/origin-outputs';
import { readPublicValue } from '../modules/custody/public-values';
import { assembleTruststoreBundle } from '../modules/pki/bundle';
import { EnvStack, EnvStackProps } from './env-stack';
import type { PkiStack } from './pki-stack';

export interface EdgeStackProps extends EnvStackProps {
  /** The custody stack: the client CA certificates and the id of our uploaded origin-pull certificate, through SSM. */
  readonly custody: PkiStack;
  /** The API Gateway custom domains of the origin stack, keyed by protected hostname. */
  readonly originDomains: OriginDomains;
}

/**
 * The Cloudflare edge of one environment: zone baseline and proxied records,
 * Authenticated Origin Pulls with our certificate (per hostname unless the env asks for zone-level), API Shield and Access for the
 * hostnames that choose them, and expiry alerts for every certificate involved. A public
 * stack: the origin-pull certificate upload (with its key) is the custody stack's.
 */
export class EdgeStack extends EnvStack {
  readonly zone: ZoneBaseline;
  readonly originPulls: AuthenticatedOriginPulls;
  /** The zone's custom WAF ruleset (one per zone): features add rules to it. */
  readonly firewall: ZoneFirewall;
  readonly apiShield?: ApiShieldMtls;
  readonly access?: AccessMtls;
  readonly alerts: CertificateExpiryAlerts;

  constructor(scope: Construct, props: EdgeStackProps) {
    super(scope, 'edge', props);
    this.useCloudflare();
    // Only to read what the custody stack published (SSM), never its state.
    this.useAws();
    this.addDependency(props.custody);
    const custody = props.custody.outputs;
    const clientCaPem = assembleTruststoreBundle(custody.clientCaCertificates.map((ca) => readPublicValue(this, ca)));
    const config = props.env.config;
    const { cloudflare, hostnames, edge } = config;

    // The origin stack made one domain per hostname of the same config: a lookup, not a check.
    const targetOf = (hostname: string): string => {
      const target = props.originDomains.get(hostname)?.regionalDomainName;
      if (target === undefined) throw new Error(`EdgeStack: no origin domain for "${hostname}"; pass the origin stack's originDomains of the same environment`);
      return target;
    };

    this.zone = new ZoneBaseline(this, 'Zone', {
      zoneId: cloudflare.zoneId,
      zoneName: cloudflare.zoneName,
      minTlsVersion: edge.minTlsVersion,
      hostnames: hostnames.map((h) => ({ hostname: h.name, target: targetOf(h.name), minTlsVersion: h.minTlsVersion })),
    });

    this.originPulls = new AuthenticatedOriginPulls(this, 'OriginPulls', {
      zoneId: cloudflare.zoneId,
      certificateId: readPublicValue(this, custody.originPullCertificateId),
      scope: edge.originPulls,
      hostnames: hostnames.map((h) => h.name),
    });
    const watch: ExpiryAlert[] = [edge.originPulls === 'zone' ? 'originPullCertificate' : 'hostnameOriginPullCertificate'];

    this.firewall = new ZoneFirewall(this, 'Firewall', {
      zoneId: cloudflare.zoneId,
      name: `${config.name}: custom rules of ${cloudflare.zoneName}`,
      keepRules: edge.firewall.keepRules,
    });

    const shielded = hostnames.filter((h) => h.apiShield !== undefined);
    if (shielded.length > 0) {
      this.apiShield = new ApiShieldMtls(this, 'ApiShield', {
        accountId: cloudflare.accountId,
        zoneId: cloudflare.zoneId,
        firewall: this.firewall,
        name: `${config.name}-api-shield-client-ca`,
        clientCaPem,
        hosts: shielded.map((h) => ({ hostname: h.name, ...h.apiShield })),
      });
      watch.push('apiShieldClientCa');
    }

    const behindAccess = hostnames.filter((h) => h.access !== undefined);
    if (behindAccess.length > 0) {
      this.access = new AccessMtls(this, 'Access', {
        accountId: cloudflare.accountId,
        name: config.name,
        clientCaPem,
        serviceTokenIds: new Map([...custody.accessServiceTokenIds].map(([name, id]) => [name, readPublicValue(this, id)])),
        hosts: behindAccess.map((h) => ({ hostname: h.name, ...h.access })),
      });
      watch.push('accessClientCa');
      if (behindAccess.some((h) => h.access?.serviceTokens)) watch.push('serviceToken');
    }

    this.alerts = new CertificateExpiryAlerts(this, 'ExpiryAlerts', {
      accountId: cloudflare.accountId,
      name: config.name,
      watch,
      email: edge.alerts.email,
      webhook: edge.alerts.webhook,
    });
  }
}
