import { Construct } from 'constructs';
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { CertRequest } from '@cdktf/provider-tls/lib/cert-request';
import { OriginCaCertificate } from '@cdktf/provider-cloudflare/lib/origin-ca-certificate';
import type { ServerCertificateMode } from '../../lib/vocabulary';
import { newPrivateKey } from '../pki/key-algorithm';
import type { PkiOutputs } from '../pki/outputs';

export interface ImportedServerCertificateProps {
  /** `imported-own-ca` or `cloudflare-origin-ca` (mode `acm` imports nothing). */
  readonly mode: Exclude<ServerCertificateMode, 'acm'>;
  /** Every protected hostname; the one certificate covers them all. */
  readonly hostnames: readonly string[];
  /** The own-CA server certificate; required in mode `imported-own-ca`. */
  readonly ownCaCertificate?: PkiOutputs['serverCertificate'];
}

/**
 * The server certificate of the API Gateway custom domains when it is not an ACM public
 * one: imported into ACM *with its private key*, issued by our own CA or by Cloudflare's
 * Origin CA from a key and CSR made here. ACM import keeps the key in state, so this
 * construct belongs in the custody stack; the origin stack gets only `arn`.
 */
export class ImportedServerCertificate extends Construct {
  readonly certificate: AcmCertificate;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: ImportedServerCertificateProps) {
    super(scope, id);
    if (props.hostnames.length === 0) throw new Error(`ImportedServerCertificate ${id}: no hostnames`);
    if (props.mode === 'imported-own-ca') {
      const own = props.ownCaCertificate;
      if (!own) throw new Error(`ImportedServerCertificate ${id}: mode "imported-own-ca" needs the PKI's server certificate`);
      this.certificate = new AcmCertificate(this, 'OwnCaImport', {
        certificateBody: own.certificatePem,
        privateKey: own.privateKeyPem,
        certificateChain: own.chainPem,
        lifecycle: { createBeforeDestroy: true },
      });
    } else {
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
      this.certificate = new AcmCertificate(this, 'OriginCaImport', {
        certificateBody: originCa.certificate,
        privateKey: key.privateKeyPem,
        lifecycle: { createBeforeDestroy: true },
      });
    }
    this.arn = this.certificate.arn;
  }
}
