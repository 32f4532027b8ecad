import type { Construct } from 'constructs';
import { DomainServerCertificates } from '../modules/origin/domain-server-certificates';
import type { ValidationDns } from '../modules/origin/dns-validated-certificate';
import { MtlsApiDomain, mtlsApiDomainId } from '../modules/origin/mtls-api-domain';
import type { OriginDomain, OriginDomains } from '../modules/origin/origin-outputs';
import { assembleTruststoreBundle } from '../modules/pki/bundle';
import { readPublicValue } from '../modules/custody/public-values';
import { DemoMockApi, type RestApiTarget } from '../modules/origin/rest-api';
import { Truststore } from '../modules/origin/truststore';
import { EnvStack, EnvStackProps } from './env-stack';
import type { PkiStack } from './pki-stack';
import { addPositionIdMigration } from './position-id-migration';

export interface OriginStackProps extends EnvStackProps {
  /** The custody stack: its public outputs (the truststore CAs, the imported server certificate's ARN) and its place in the apply order. */
  readonly custody: PkiStack;
}

/**
 * The AWS origin: a versioned truststore of our CAs, one mTLS custom domain per
 * protected hostname (server certificate per `origin.serverCertificate`, ACM
 * validation records in Cloudflare or Route53), and the API behind them. A public
 * stack: an imported server certificate (with its key) lives in the custody stack,
 * and only its ARN comes here.
 */
export class OriginStack extends EnvStack {
  readonly truststore: Truststore;
  readonly api: RestApiTarget;
  /** One mTLS custom domain per protected hostname, keyed by the hostname. */
  readonly originDomains: OriginDomains;

  constructor(scope: Construct, props: OriginStackProps) {
    super(scope, 'origin', props);
    const { config, files, capabilities } = props.env;
    const { origin } = config;

    this.useAws();
    if (origin.dnsProvider === 'cloudflare') this.useCloudflare();
    // Values come from the custody stack through SSM, not its state: the order is explicit.
    this.addDependency(props.custody);
    const custody = props.custody.outputs;

    this.truststore = new Truststore(this, 'Truststore', {
      namePrefix: `${config.name}-mtls-truststore`,
      bundlePem: assembleTruststoreBundle([...custody.caCertificates.map((ca) => readPublicValue(this, ca)), ...files.additionalTrustedCaPems]),
      // Both off only on an emulator (why: envs/capabilities.ts).
      enforceTls: capabilities.tlsOnlyBucketPolicy,
      noncurrentVersionDays: origin.noncurrentVersionDays,
      expireNoncurrentVersions: capabilities.lifecycleConfiguration,
    });

    this.api = origin.restApi
      ? DemoMockApi.fromExisting(origin.restApi.id, origin.restApi.stageName)
      : new DemoMockApi(this, 'DemoApi', { name: `${config.name}-mtls-demo` });

    const dns: ValidationDns =
      origin.dnsProvider === 'route53' ? { provider: 'route53', zoneId: origin.route53ZoneId! } : { provider: 'cloudflare', zoneId: config.cloudflare.zoneId };
    const hostnames = config.hostnames.map((h) => h.name);
    const certificates = new DomainServerCertificates(this, 'ServerCertificates', {
      hostnames,
      dns,
      importedCertificateArn: custody.importedServerCertificateArn && readPublicValue(this, custody.importedServerCertificateArn),
    });

    // Construct ids come from the hostname, never its position in the list: removing,
    // inserting or reordering hostnames touches only the hostnames that changed.
    this.originDomains = new Map(
      hostnames.map((hostname): [string, OriginDomain] => [
        hostname,
        new MtlsApiDomain(this, mtlsApiDomainId(hostname), {
          domainName: hostname,
          serverCertificate: certificates.forHostname(hostname),
          truststoreUri: this.truststore.uri,
          truststoreVersion: this.truststore.version,
          api: this.api,
        }),
      ]),
    );
    addPositionIdMigration(this, hostnames);
  }
}
