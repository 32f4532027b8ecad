import { Construct } from 'constructs';
import type { CertificateSettings } from '../../lib/vocabulary';
import { assembleTruststoreBundle } from './bundle';
import { CertificateAuthority } from './certificate-authority';
import { IssuedCertificate } from './issued-certificate';
import type { KeyedCertificate, PkiOutputs } from './outputs';

/** What to generate: the CA generations and every certificate's settings. */
export interface GeneratedPkiSettings {
  /** Organisation in every subject. */
  readonly organization: string;
  /** CA generations to trust, the issuing one first (at least one). */
  readonly caGenerations: readonly number[];
  readonly rootCa: CertificateSettings;
  readonly intermediateCa: CertificateSettings;
  /** The client certificate Cloudflare presents to the origin. */
  readonly originPullClient: CertificateSettings;
  /** The API Gateway server certificate (issued only with `serverDnsNames`). */
  readonly serverCertificate: CertificateSettings;
  /** Named client certificates. */
  readonly clientCertificates: ReadonlyArray<CertificateSettings & { readonly name: string }>;
}

export interface GeneratedPkiProps {
  readonly config: GeneratedPkiSettings;
  /**
   * Hostnames for an own-CA API Gateway server certificate.
   * @default none: no server certificate is issued
   */
  readonly serverDnsNames?: readonly string[];
}

/**
 * The environment's PKI made by the tls provider: one CertificateAuthority per
 * trusted generation (the first one issues), the origin-pull client certificate, an
 * optional server certificate and named client certificates. Every generation is
 * in the truststore, so a rotation overlaps old and new CA until the old is dropped.
 */
export class GeneratedPki extends Construct {
  readonly authorities: readonly CertificateAuthority[];
  readonly outputs: PkiOutputs;

  constructor(scope: Construct, id: string, props: GeneratedPkiProps) {
    super(scope, id);
    const { config } = props;
    if (config.caGenerations.length === 0) throw new Error(`GeneratedPki ${id}: caGenerations is empty; expected at least the issuing generation`);
    const org = config.organization;
    this.authorities = config.caGenerations.map(
      (generation) =>
        new CertificateAuthority(this, `CaG${generation}`, { organization: org, generation, root: config.rootCa, intermediate: config.intermediateCa }),
    );
    const issuing = this.authorities[0];

    const leaf = (idBase: string, purpose: 'client' | 'server', commonName: string, settings: CertificateSettings, dnsNames?: readonly string[]) =>
      new IssuedCertificate(this, `${idBase}G${settings.generation}`, { ca: issuing, purpose, commonName, organization: org, settings, dnsNames });

    const originPull = leaf('OriginPullClient', 'client', `${org} Cloudflare origin pull`, config.originPullClient);
    const server = props.serverDnsNames?.length
      ? leaf('ServerCertificate', 'server', props.serverDnsNames[0], config.serverCertificate, props.serverDnsNames)
      : undefined;
    const clients: Record<string, KeyedCertificate> = {};
    for (const c of config.clientCertificates) {
      const cert = leaf(`Client-${c.name}-`, 'client', `${org} client ${c.name}`, c);
      clients[c.name] = { certificatePem: cert.certificatePem, privateKeyPem: cert.privateKeyPem };
    }

    const caPems = this.authorities.flatMap((a) => a.certificatePems);
    this.outputs = {
      caCertificates: this.authorities.flatMap((a) => [
        { name: `ca-g${a.generation}-root`, pem: a.rootCertificate.certPem },
        { name: `ca-g${a.generation}-intermediate`, pem: a.intermediateCertificate.certPem },
      ]),
      clientCaCertificates: this.authorities.flatMap((a) => [
        { name: `ca-g${a.generation}-intermediate`, pem: a.intermediateCertificate.certPem },
        { name: `ca-g${a.generation}-root`, pem: a.rootCertificate.certPem },
      ]),
      truststorePem: assembleTruststoreBundle(caPems),
      // Each issuing CA before its root: the layout the provider's own two-certificate
      // acceptance test applies cleanly (cloudflare_mtls_certificate keeps the API's copy
      // when it differs by more than trailing newlines: cloudflare/terraform-provider-cloudflare#7158,
      // docs/edge.md). The conformance rule CF-APISHIELD-CA-ORDER checks it.
      clientCaPem: assembleTruststoreBundle(this.authorities.flatMap((a) => [a.intermediateCertificate.certPem, a.rootCertificate.certPem])),
      originPullClient: { certificatePem: originPull.certificatePem, privateKeyPem: originPull.privateKeyPem },
      serverCertificate: server && {
        certificatePem: server.certificatePem,
        privateKeyPem: server.privateKeyPem,
        chainPem: assembleTruststoreBundle([issuing.intermediateCertificate.certPem, issuing.rootCertificate.certPem]),
      },
      clientCertificates: clients,
    };
  }
}
