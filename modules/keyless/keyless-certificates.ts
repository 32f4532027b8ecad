import { Construct } from 'constructs';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { KeylessCertificate } from '@cdktf/provider-cloudflare/lib/keyless-certificate';
import { Token } from 'cdktf';
import { CREATE_BEFORE_DESTROY } from '../edge/replacement';

/** A key server as the edge sees it: a private IP inside the tunnel's virtual network. */
export interface KeylessEndpoint {
  readonly name: string;
  readonly privateIp: string;
}

export interface KeylessCertificatesProps {
  readonly zoneId: string;
  /** The leaf certificate PEM: literal (checked at synth) or a token (checked at plan). */
  readonly certificatePem: string;
  readonly endpoints: readonly KeylessEndpoint[];
  readonly port: number;
  readonly virtualNetworkId: string;
  /** @default "ubiquitous" */
  readonly bundleMethod?: 'ubiquitous' | 'optimal' | 'force';
  /** Prefix of each configuration's name. */
  readonly namePrefix: string;
}

/**
 * The edge certificate registered for Keyless SSL. `cloudflare_keyless_certificate`
 * takes a single host and a single `tunnel { private_ip, vnet_id }`, so redundancy is
 * one Keyless configuration per key server, each with the same leaf.
 */
export class KeylessCertificates extends Construct {
  readonly configurations: readonly KeylessCertificate[];

  constructor(scope: Construct, id: string, props: KeylessCertificatesProps) {
    super(scope, id);
    if (props.endpoints.length === 0) throw new Error(`KeylessCertificates ${id}: no endpoints; keyless needs at least one key server`);
    if (!Number.isInteger(props.port) || props.port < 1 || props.port > 65535) throw new Error(`KeylessCertificates ${id}: port ${props.port} is not a TCP port`);
    if (!Token.isUnresolved(props.certificatePem) && (props.certificatePem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length !== 1) {
      throw new Error(`KeylessCertificates ${id}: certificatePem ${JSON.stringify(props.certificatePem.slice(0, 40))}... is not exactly one PEM certificate (the leaf alone)`);
    }
    this.configurations = props.endpoints.map(
      (e) =>
        new KeylessCertificate(this, `KeyServer-${e.name}`, {
          zoneId: props.zoneId,
          name: `${props.namePrefix}-${e.name}`,
          certificate: props.certificatePem,
          host: e.privateIp,
          port: props.port,
          bundleMethod: props.bundleMethod ?? 'ubiquitous',
          tunnel: { privateIp: e.privateIp, vnetId: props.virtualNetworkId },
          // A new certificate replaces the configuration: keep the old one serving until the new one exists.
          lifecycle: CREATE_BEFORE_DESTROY,
        }),
    );
  }
}

/**
 * A leaf certificate kept in an SSM String parameter by its owner. Plan fails, before
 * anything is uploaded to Cloudflare, unless the value is exactly one certificate.
 */
export class SsmLeafCertificate extends Construct {
  readonly pem: string;

  constructor(scope: Construct, id: string, props: { readonly parameterName: string }) {
    super(scope, id);
    // Not decrypted: the certificate is public, and a SecureString swapped in must not
    // land decrypted in this (public) stack's state; it fails the condition instead.
    const parameter = new DataAwsSsmParameter(this, 'Parameter', { name: props.parameterName, withDecryption: false });
    parameter.addOverride('lifecycle.postcondition', [
      {
        condition: exactlyOneCertificateCondition('self.insecure_value'),
        error_message: `SSM parameter ${props.parameterName} must hold exactly one PEM certificate (the keyless leaf, no chain, no key).`,
      },
    ]);
    this.pem = parameter.insecureValue;
  }
}

/**
 * Terraform condition that a PEM value (fetched at plan time) holds exactly one
 * certificate and no private key: the rule the resolve phase applies to a certificate
 * file, for values that never pass through synth.
 */
export function exactlyOneCertificateCondition(expression: string): string {
  return `\${length(regexall("-----BEGIN CERTIFICATE-----", ${expression})) == 1 && length(regexall("PRIVATE KEY-----", ${expression})) == 0}`;
}
