import { Construct } from 'constructs';
import { CertRequest } from '@cdktf/provider-tls/lib/cert-request';
import { LocallySignedCert } from '@cdktf/provider-tls/lib/locally-signed-cert';
import type { CertificateSettings } from '../../lib/vocabulary';
import type { CertificateAuthority } from './certificate-authority';
import { HOURS_PER_DAY, newPrivateKey } from './key-algorithm';
import type { KeyedCertificate } from './outputs';

/** What a leaf is for; decides its key usages. */
export type LeafPurpose = 'client' | 'server';

/**
 * Key usages per purpose: CA:FALSE leaves with digitalSignature + keyEncipherment and
 * exactly one extended key usage, so a client certificate cannot serve a site and
 * a server certificate cannot authenticate a client.
 */
export const LEAF_ALLOWED_USES: Record<LeafPurpose, readonly string[]> = {
  client: ['digital_signature', 'key_encipherment', 'client_auth'],
  server: ['digital_signature', 'key_encipherment', 'server_auth'],
};

export interface IssuedCertificateProps {
  readonly ca: CertificateAuthority;
  readonly purpose: LeafPurpose;
  /** Subject common name. */
  readonly commonName: string;
  readonly organization: string;
  readonly settings: CertificateSettings;
  /**
   * DNS subject alternative names (server certificates).
   * @default none
   */
  readonly dnsNames?: readonly string[];
}

/** A leaf certificate with its own key, issued by the CA's intermediate. */
export class IssuedCertificate extends Construct implements KeyedCertificate {
  readonly certificate: LocallySignedCert;
  readonly certificatePem: string;
  /** Sensitive. */
  readonly privateKeyPem: string;

  constructor(scope: Construct, id: string, props: IssuedCertificateProps) {
    super(scope, id);
    if (props.purpose === 'server' && (props.dnsNames ?? []).length === 0) {
      throw new Error(`${id}: a server certificate needs at least one DNS name`);
    }
    const key = newPrivateKey(this, 'Key', props.settings.keyAlgorithm);
    const request = new CertRequest(this, 'Request', {
      privateKeyPem: key.privateKeyPem,
      subject: [{ commonName: props.commonName, organization: props.organization }],
      dnsNames: props.dnsNames ? [...props.dnsNames] : undefined,
    });
    this.certificate = new LocallySignedCert(this, 'Certificate', {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: props.ca.issuingKey.privateKeyPem,
      caCertPem: props.ca.issuingCertificatePem,
      isCaCertificate: false,
      setSubjectKeyId: true,
      allowedUses: [...LEAF_ALLOWED_USES[props.purpose]],
      validityPeriodHours: props.settings.validityDays * HOURS_PER_DAY,
      earlyRenewalHours: props.settings.earlyRenewalDays * HOURS_PER_DAY,
    });
    this.certificatePem = this.certificate.certPem;
    this.privateKeyPem = key.privateKeyPem;
  }
}
