import { Construct } from 'constructs';
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { CertRequest } from '@cdktf/provider-tls/lib/cert-request';
import { OriginCaCertificate } from '@cdktf/provider-cloudflare/lib/origin-ca-certificate';
import type { ServerCertificateMode } from '../../lib/vocabulary';
import { DnsValidatedCertificate, type ValidationDns } from './dns-validated-certificate';
import type { DomainServerCertificate } from './mtls-api-domain';
import { newPrivateKey } from '../pki/key-algorithm';
import type { PkiOutputs } from '../pki/outputs';

/** The construct id of a hostname's ACM public certificate (and its validation record and validation). */
export const publicCertificateId = (hostname: string): string => `Public-${hostname}`;

export interface DomainServerCertificatesProps {
  readonly mode: ServerCertificateMode;
  /** Every protected hostname (one API Gateway custom domain each). */
  readonly hostnames: readonly string[];
  readonly dns: ValidationDns;
  /** The own-CA server certificate; required in mode `imported-own-ca`. */
  readonly ownCaCertificate?: PkiOutputs['serverCertificate'];
}

/**
 * Server certificates for the custom domains. Every hostname gets an ACM public
 * certificate, DNS-validated: it is the server certificate in mode `acm`, and the
 * ownership verification certificate API Gateway demands otherwise. In the other
 * modes one imported certificate covers all hostnames: issued by our own CA, or by
 * Cloudflare's Origin CA from a key and CSR made here.
 */
export class DomainServerCertificates extends Construct {
  private readonly byHostname = new Map<string, DomainServerCertificate>();

  constructor(scope: Construct, id: string, props: DomainServerCertificatesProps) {
    super(scope, id);
    if (props.hostnames.length === 0) throw new Error(`DomainServerCertificates ${id}: no hostnames`);
    const imported = this.importedCertificate(props);
    props.hostnames.forEach((hostname) => {
      // Keyed by the hostname, never its position: removing or reordering one leaves the others alone.
      const publicCert = new DnsValidatedCertificate(this, publicCertificateId(hostname), { domainName: hostname, dns: props.dns });
      this.byHostname.set(
        hostname,
        imported
          ? { certificateArn: imported.arn, ownershipVerificationCertificateArn: publicCert.certificateArn, imported: true }
          : { certificateArn: publicCert.certificateArn, imported: false },
      );
    });
  }

  forHostname(hostname: string): DomainServerCertificate {
    const cert = this.byHostname.get(hostname);
    if (!cert) throw new Error(`no server certificate for "${hostname}"; known: ${[...this.byHostname.keys()].join(', ')}`);
    return cert;
  }

  private importedCertificate(props: DomainServerCertificatesProps): AcmCertificate | undefined {
    switch (props.mode) {
      case 'acm':
        return undefined;
      case 'imported-own-ca': {
        const own = props.ownCaCertificate;
        if (!own) throw new Error(`server certificate mode "imported-own-ca" needs the PKI's server certificate`);
        return new AcmCertificate(this, 'OwnCaImport', {
          certificateBody: own.certificatePem,
          privateKey: own.privateKeyPem,
          certificateChain: own.chainPem,
          lifecycle: { createBeforeDestroy: true },
        });
      }
      case 'cloudflare-origin-ca': {
        // ACM import is safest with RSA-2048 for regional API Gateway domains.
        const key = newPrivateKey(this, 'OriginCaKey', 'RSA_2048');
        const request = new CertRequest(this, 'OriginCaRequest', {
          privateKeyPem: key.privateKeyPem,
          subject: [{ commonName: props.hostnames[0] }],
          dnsNames: [...props.hostnames],
        });
        const originCa = new OriginCaCertificate(this, 'OriginCaCertificate', {
          csr: request.certRequestPem,
          hostnames: [...props.hostnames],
          requestType: 'origin-rsa',
          requestedValidity: 5475,
        });
        return new AcmCertificate(this, 'OriginCaImport', {
          certificateBody: originCa.certificate,
          privateKey: key.privateKeyPem,
          lifecycle: { createBeforeDestroy: true },
        });
      }
    }
  }
}
