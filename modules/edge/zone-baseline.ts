import { Construct } from 'constructs';
import { DnsRecord } from '@cdktf/provider-cloudflare/lib/dns-record';
import { HostnameTlsSetting } from '@cdktf/provider-cloudflare/lib/hostname-tls-setting';
import { ZoneSetting } from '@cdktf/provider-cloudflare/lib/zone-setting';
import { outsideZoneProblem, tlsBelowZoneProblem } from '../../lib/rules';
import { TLS_VERSIONS, type TlsVersion } from '../../lib/vocabulary';

export type { TlsVersion };

/** A proxied name in front of the origin. */
export interface ProxiedHostname {
  /** Fully-qualified name inside the zone. */
  readonly hostname: string;
  /** CNAME target: the API Gateway regional domain name of the custom domain. */
  readonly target: string;
  /** Minimum TLS version for this hostname only. @default the zone's */
  readonly minTlsVersion?: TlsVersion;
}

export interface ZoneBaselineProps {
  /** Cloudflare zone id. */
  readonly zoneId: string;
  /** Zone apex, e.g. `example.com`; every hostname must be inside it. */
  readonly zoneName: string;
  /** Minimum TLS version of the zone. @default "1.2" */
  readonly minTlsVersion?: TlsVersion;
  /** The protected hostnames. At least one. */
  readonly hostnames: readonly ProxiedHostname[];
}

/**
 * The provider types `zone_setting.value` and `hostname_tls_setting.value` as a map,
 * but the API (and provider schema) take a dynamic value that is a plain string for
 * these settings. The binding passes strings through unchanged, so this only widens
 * the type.
 */
function settingValue(value: string): { [key: string]: any } {
  return value as unknown as { [key: string]: any };
}

/**
 * Zone-wide TLS posture plus the proxied DNS records: SSL mode strict (Cloudflare
 * verifies the origin's certificate), TLS 1.2 or newer, HTTPS only, TLS 1.3 offered.
 */
export class ZoneBaseline extends Construct {
  /** The proxied CNAME of each hostname, by hostname. */
  readonly records: ReadonlyMap<string, DnsRecord>;
  readonly minTlsVersion: TlsVersion;

  constructor(scope: Construct, id: string, props: ZoneBaselineProps) {
    super(scope, id);
    this.minTlsVersion = props.minTlsVersion ?? '1.2';
    if (!(TLS_VERSIONS as readonly string[]).includes(this.minTlsVersion)) {
      throw new Error(`ZoneBaseline ${id}: minTlsVersion ${JSON.stringify(this.minTlsVersion)} is not allowed; expected ${TLS_VERSIONS.map((v) => `"${v}"`).join(' or ')}`);
    }
    if (props.hostnames.length === 0) throw new Error(`ZoneBaseline ${id}: expected at least one hostname, got none`);

    const settings: Array<[string, string]> = [
      ['ssl', 'strict'],
      ['min_tls_version', this.minTlsVersion],
      ['always_use_https', 'on'],
      ['tls_1_3', 'on'],
    ];
    for (const [settingId, value] of settings) {
      new ZoneSetting(this, `Setting-${settingId}`, { zoneId: props.zoneId, settingId, value: settingValue(value) });
    }

    const records = new Map<string, DnsRecord>();
    for (const host of props.hostnames) {
      const outside = outsideZoneProblem(host.hostname, props.zoneName);
      if (outside) throw new Error(`ZoneBaseline ${id}: hostname ${outside}`);
      if (records.has(host.hostname)) throw new Error(`ZoneBaseline ${id}: hostname ${JSON.stringify(host.hostname)} is listed twice`);
      records.set(
        host.hostname,
        new DnsRecord(this, `Record-${host.hostname}`, {
          zoneId: props.zoneId,
          name: host.hostname,
          type: 'CNAME',
          content: host.target,
          proxied: true,
          ttl: 1, // "automatic": the only TTL a proxied record takes
          comment: 'Proxied to the API Gateway mTLS custom domain (managed by cdktf)',
        }),
      );
      if (host.minTlsVersion !== undefined) {
        if (!(TLS_VERSIONS as readonly string[]).includes(host.minTlsVersion)) {
          throw new Error(`ZoneBaseline ${id}: minTlsVersion ${JSON.stringify(host.minTlsVersion)} of ${host.hostname} is not allowed; expected ${TLS_VERSIONS.map((v) => `"${v}"`).join(' or ')}`);
        }
        const below = tlsBelowZoneProblem(host.minTlsVersion, this.minTlsVersion);
        if (below) throw new Error(`ZoneBaseline ${id}: minTlsVersion of ${host.hostname}: ${below}`);
        new HostnameTlsSetting(this, `MinTls-${host.hostname}`, {
          zoneId: props.zoneId,
          hostname: host.hostname,
          settingId: 'min_tls_version',
          value: settingValue(host.minTlsVersion),
        });
      }
    }
    this.records = records;
  }
}
