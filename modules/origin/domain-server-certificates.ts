import { Construct } from 'constructs';
import { DnsValidatedCertificate, type ValidationDns } from './dns-validated-certificate';
import type { DomainServerCertificate } from './mtls-api-domain';

/** The construct id of a hostname's ACM public certificate (and its validation record and validation). */
export const publicCertificateId = (hostname: string): string => `Public-${hostname}`;

export interface DomainServerCertificatesProps {
  /** Every protected hostname (one API Gateway custom domain each). */
  readonly hostnames: readonly string[];
  readonly dns: ValidationDns;
  /**
   * ARN of the imported server certificate (ImportedServerCertificate, in the custody
   * stack) that covers every hostname. The ACM public certificates then only prove
   * ownership of the names.
   * @default none: each hostname's ACM public certificate is its server certificate
   */
  readonly importedCertificateArn?: string;
}

/**
 * Server certificates for the custom domains. Every hostname gets an ACM public
 * certificate, DNS-validated: it is the server certificate in mode `acm`, and the
 * ownership verification certificate API Gateway demands when an imported certificate
 * (own CA or Cloudflare Origin CA) serves.
 */
export class DomainServerCertificates extends Construct {
  private readonly byHostname = new Map<string, DomainServerCertificate>();

  constructor(scope: Construct, id: string, props: DomainServerCertificatesProps) {
    super(scope, id);
    if (props.hostnames.length === 0) throw new Error(`DomainServerCertificates ${id}: no hostnames`);
    const imported = props.importedCertificateArn;
    props.hostnames.forEach((hostname) => {
      // Keyed by the hostname, never its position: removing or reordering one leaves the others alone.
      const publicCert = new DnsValidatedCertificate(this, publicCertificateId(hostname), { domainName: hostname, dns: props.dns });
      this.byHostname.set(
        hostname,
        imported !== undefined
          ? { certificateArn: imported, ownershipVerificationCertificateArn: publicCert.certificateArn, imported: true }
          : { certificateArn: publicCert.certificateArn, imported: false },
      );
    });
  }

  forHostname(hostname: string): DomainServerCertificate {
    const cert = this.byHostname.get(hostname);
    if (!cert) throw new Error(`no server certificate for "${hostname}"; known: ${[...this.byHostname.keys()].join(', ')}`);
    return cert;
  }
}
