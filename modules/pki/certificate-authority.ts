import { Construct } from 'constructs';
import type { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { CertRequest } from '@cdktf/provider-tls/lib/cert-request';
import { LocallySignedCert } from '@cdktf/provider-tls/lib/locally-signed-cert';
import { outlivesIssuerProblem } from '../../lib/rules';
import type { CertificateSettings } from '../../lib/vocabulary';
import { SelfSignedCaCert } from '../../providers/tls/path-length';
import { HOURS_PER_DAY, newPrivateKey } from './key-algorithm';

/** What a CA certificate may do: sign certificates and CRLs, nothing else. */
export const CA_ALLOWED_USES = ['cert_signing', 'crl_signing', 'digital_signature'];

export interface CertificateAuthorityProps {
  /** Subject organisation. */
  readonly organization: string;
  /** Generation number, part of the subject so two overlapping CAs are distinguishable. */
  readonly generation: number;
  /** Root CA key, lifetime and renewal. */
  readonly root: CertificateSettings;
  /** Intermediate (issuing) CA key, lifetime and renewal. */
  readonly intermediate: CertificateSettings;
}

/**
 * A two-level CA: a self-signed root (path length 1) that signs one intermediate which
 * issues every leaf. Clients chain leaf -> intermediate -> root, three deep, inside API
 * Gateway's limit of four.
 *
 * The intermediate carries no path length: tls 4.2.x cannot encode 0 (it writes "no
 * constraint"), so the JSON does not claim it. The root's path length 1 is what stops
 * a CA issued under the intermediate from verifying (root -> intermediate -> sub-CA ->
 * leaf has two CAs below the root).
 */
export class CertificateAuthority extends Construct {
  readonly rootCertificate: SelfSignedCaCert;
  readonly intermediateCertificate: LocallySignedCert;
  /** Issues the leaves. Sensitive. */
  readonly issuingKey: PrivateKey;
  /** Root then intermediate PEM: what a truststore needs from this CA. */
  readonly certificatePems: readonly string[];
  readonly issuingCertificatePem: string;
  /** The CA generation (G1, G2...) in its names. */
  readonly generation: number;

  constructor(scope: Construct, id: string, props: CertificateAuthorityProps) {
    super(scope, id);
    const outlives = outlivesIssuerProblem(props.intermediate.validityDays, props.root.validityDays, 'root CA');
    if (outlives) throw new Error(`CertificateAuthority ${id}: intermediate validityDays ${outlives}`);
    this.generation = props.generation;
    const name = (role: string) => `${props.organization} ${role} G${props.generation}`;

    const rootKey = newPrivateKey(this, 'RootKey', props.root.keyAlgorithm);
    this.rootCertificate = new SelfSignedCaCert(this, 'RootCertificate', {
      privateKeyPem: rootKey.privateKeyPem,
      subject: [{ commonName: name('Root CA'), organization: props.organization }],
      isCaCertificate: true,
      setSubjectKeyId: true,
      setAuthorityKeyId: true,
      allowedUses: CA_ALLOWED_USES,
      validityPeriodHours: props.root.validityDays * HOURS_PER_DAY,
      earlyRenewalHours: props.root.earlyRenewalDays * HOURS_PER_DAY,
      maxPathLength: 1,
    });

    this.issuingKey = newPrivateKey(this, 'IntermediateKey', props.intermediate.keyAlgorithm);
    const request = new CertRequest(this, 'IntermediateRequest', {
      privateKeyPem: this.issuingKey.privateKeyPem,
      subject: [{ commonName: name('Intermediate CA'), organization: props.organization }],
    });
    this.intermediateCertificate = new LocallySignedCert(this, 'IntermediateCertificate', {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: rootKey.privateKeyPem,
      caCertPem: this.rootCertificate.certPem,
      isCaCertificate: true,
      setSubjectKeyId: true,
      allowedUses: CA_ALLOWED_USES,
      validityPeriodHours: props.intermediate.validityDays * HOURS_PER_DAY,
      earlyRenewalHours: props.intermediate.earlyRenewalDays * HOURS_PER_DAY,
    });

    this.issuingCertificatePem = this.intermediateCertificate.certPem;
    this.certificatePems = [this.rootCertificate.certPem, this.intermediateCertificate.certPem];
  }
}
