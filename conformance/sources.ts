/**
 * Which provider versions the project pins, where their source lives and which of
 * their resources and data sources the project uses: the input of
 * `npm run provider-schemas` and the key of the committed snapshots.
 */
import { CLOUDFLARE_PROVIDER, TLS_SNAPSHOT_VERSION } from '../lib/providers';

export interface ProviderSource {
  readonly provider: 'cloudflare' | 'tls';
  readonly version: string;
  readonly repository: string;
  readonly tag: string;
  /** Path of the Go file declaring a type's schema, and the function building it (default: the `Schema` method). */
  readonly locate: (type: string, dataSource: boolean) => { readonly file: string; readonly fn?: string };
  readonly resources: readonly string[];
  readonly dataSources: readonly string[];
}

export const PROVIDER_SOURCES: readonly ProviderSource[] = [
  {
    provider: 'cloudflare',
    version: CLOUDFLARE_PROVIDER.version,
    repository: 'https://github.com/cloudflare/terraform-provider-cloudflare',
    tag: `v${CLOUDFLARE_PROVIDER.version}`,
    locate: (type, dataSource) => {
      const dir = `internal/services/${type.replace(/^cloudflare_/, '')}`;
      return dataSource ? { file: `${dir}/data_source_schema.go`, fn: 'DataSourceSchema' } : { file: `${dir}/schema.go`, fn: 'ResourceSchema' };
    },
    resources: [
      'cloudflare_authenticated_origin_pulls',
      'cloudflare_authenticated_origin_pulls_certificate',
      'cloudflare_authenticated_origin_pulls_hostname_certificate',
      'cloudflare_authenticated_origin_pulls_settings',
      'cloudflare_certificate_authorities_hostname_associations',
      'cloudflare_dns_record',
      'cloudflare_hostname_tls_setting',
      'cloudflare_keyless_certificate',
      'cloudflare_mtls_certificate',
      'cloudflare_notification_policy',
      'cloudflare_notification_policy_webhooks',
      'cloudflare_origin_ca_certificate',
      'cloudflare_ruleset',
      'cloudflare_zero_trust_access_application',
      'cloudflare_zero_trust_access_mtls_certificate',
      'cloudflare_zero_trust_access_mtls_hostname_settings',
      'cloudflare_zero_trust_access_policy',
      'cloudflare_zero_trust_access_service_token',
      'cloudflare_zero_trust_tunnel_cloudflared',
      'cloudflare_zero_trust_tunnel_cloudflared_config',
      'cloudflare_zero_trust_tunnel_cloudflared_route',
      'cloudflare_zero_trust_tunnel_cloudflared_virtual_network',
      'cloudflare_zone_setting',
    ],
    dataSources: ['cloudflare_zero_trust_tunnel_cloudflared_token'],
  },
  {
    provider: 'tls',
    version: TLS_SNAPSHOT_VERSION,
    repository: 'https://github.com/hashicorp/terraform-provider-tls',
    tag: `v${TLS_SNAPSHOT_VERSION}`,
    locate: (type) => ({ file: `internal/provider/resource_${type.replace(/^tls_/, '')}.go` }),
    resources: ['tls_cert_request', 'tls_locally_signed_cert', 'tls_private_key', 'tls_self_signed_cert'],
    dataSources: [],
  },
];
