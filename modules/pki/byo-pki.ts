import { Construct } from 'constructs';
import { TerraformVariable } from 'cdktf';
import { DataAwsSecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version';
import type { PrivateKeySource } from '../../lib/vocabulary';
import { assembleTruststoreBundle } from './bundle';
import type { PkiOutputs } from './outputs';

/** A leaf certificate (PEM text) and where its private key comes from. */
export interface ByoLeaf {
  /** The leaf certificate alone, PEM. */
  readonly certificatePem: string;
  /** A sensitive Terraform variable or a Secrets Manager secret; never a file. */
  readonly privateKey: PrivateKeySource;
}

export interface ByoPkiProps {
  /** Every CA certificate clients chain to (root and intermediates), one PEM each; at least one. */
  readonly caPems: readonly string[];
  /** The client certificate Cloudflare presents to the origin. */
  readonly originPullClient: ByoLeaf;
  /** Server certificate for an own-CA API Gateway domain, with its chain (PEM each). @default none */
  readonly serverCertificate?: ByoLeaf & { readonly chainPems: readonly string[] };
}

const ONE_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\r?\n[\s\S]+\r?\n-----END CERTIFICATE-----\s*$/;

/**
 * Bring-your-own CA: certificates handed in as PEM text (read and checked before
 * construction) and passed on as literals. Private keys never come from files: each
 * is a sensitive Terraform variable or an AWS Secrets Manager secret read at plan time.
 */
export class ByoPki extends Construct {
  readonly outputs: PkiOutputs;

  /** True when a key is read from Secrets Manager: the stack then needs the AWS provider. */
  static needsAws(props: Pick<ByoPkiProps, 'originPullClient' | 'serverCertificate'>): boolean {
    return [props.originPullClient, props.serverCertificate].some((l) => l !== undefined && 'secretsManagerSecretId' in l.privateKey);
  }

  constructor(scope: Construct, id: string, props: ByoPkiProps) {
    super(scope, id);
    if (props.caPems.length === 0) throw new Error(`ByoPki ${id}: caPems is empty; expected at least one CA certificate`);
    const pems = [...props.caPems, props.originPullClient.certificatePem, ...(props.serverCertificate ? [props.serverCertificate.certificatePem, ...props.serverCertificate.chainPems] : [])];
    const bad = pems.find((p) => !ONE_CERTIFICATE.test(p));
    if (bad !== undefined) throw new Error(`ByoPki ${id}: ${JSON.stringify(bad.slice(0, 40))}... is not one PEM certificate`);

    const caBundle = assembleTruststoreBundle(props.caPems);
    const server = props.serverCertificate;
    this.outputs = {
      caCertificates: props.caPems.map((pem, i) => ({ name: `ca-${i + 1}`, pem: `${pem.trim()}\n` })),
      clientCaCertificates: props.caPems.map((pem, i) => ({ name: `ca-${i + 1}`, pem: `${pem.trim()}\n` })),
      truststorePem: caBundle,
      clientCaPem: caBundle,
      originPullClient: {
        certificatePem: `${props.originPullClient.certificatePem.trim()}\n`,
        privateKeyPem: this.privateKey('OriginPullClientKey', props.originPullClient.privateKey),
      },
      serverCertificate: server && {
        certificatePem: `${server.certificatePem.trim()}\n`,
        privateKeyPem: this.privateKey('ServerCertificateKey', server.privateKey),
        chainPem: assembleTruststoreBundle(server.chainPems),
      },
      clientCertificates: {},
    };
  }

  private privateKey(id: string, source: PrivateKeySource): string {
    if ('terraformVariable' in source) {
      const variable = new TerraformVariable(this, id, {
        type: 'string',
        sensitive: true,
        nullable: false,
        description: `PEM private key for ${id} (set TF_VAR_${source.terraformVariable}; never commit it)`,
      });
      // The name people set TF_VAR_<name> for, not CDKTF's path-derived one.
      variable.overrideLogicalId(source.terraformVariable);
      return variable.stringValue;
    }
    return new DataAwsSecretsmanagerSecretVersion(this, id, { secretId: source.secretsManagerSecretId }).secretString;
  }
}
