import { Construct } from 'constructs';
import { TerraformVariable } from 'cdktf';
import { DataAwsSecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version';
import type { ByoPkiConfig, PrivateKeySource } from '../../envs/schema/pki';
import { ConfigError } from '../../lib/errors';
import { loadCaBundleFile, loadCertificateFile, loadLeafFile, type PemFileRef } from '../../lib/pem-files';
import type { CheckOptions } from '../../lib/x509';
import { assembleTruststoreBundle } from './bundle';
import type { PkiOutputs } from './outputs';

export interface ByoPkiProps {
  readonly config: ByoPkiConfig;
  /** Env file (for messages) and its folder (PEM paths are relative to it). */
  readonly envFile: string;
  readonly envDir: string;
  /** Fail unless the config names a server certificate. @default false */
  readonly requireServerCertificate?: boolean;
  /** Expiry is judged at this moment. @default now */
  readonly now?: Date;
}

/**
 * Bring-your-own CA: PEM files named in the env file, checked at synth time (CA
 * flags, key strength, signatures, expiry, chain depth, Cloudflare's shared CA) and
 * passed on as literal certificates. Private keys never come from files: each is a
 * sensitive Terraform variable or an AWS Secrets Manager secret read at plan time.
 */
export class ByoPki extends Construct {
  readonly outputs: PkiOutputs;
  /** True when a key is read from Secrets Manager: the stack then needs the AWS provider. */
  static needsAws(config: ByoPkiConfig): boolean {
    return [config.originPullClient, config.serverCertificate].some((l) => l !== undefined && 'secretsManagerSecretId' in l.privateKey);
  }

  constructor(scope: Construct, id: string, props: ByoPkiProps) {
    super(scope, id);
    const { config } = props;
    const check: CheckOptions = { now: props.now };
    const ref = (field: string, path: string): PemFileRef => ({ envFile: props.envFile, envDir: props.envDir, field, path });

    const bundle = loadCaBundleFile(ref('pki.caBundle', config.caBundle), check);
    const originPull = loadLeafFile(ref('pki.originPullClient.certificate', config.originPullClient.certificate), bundle.certificates, 'clientAuth', check);
    if (props.requireServerCertificate && !config.serverCertificate) {
      throw ConfigError.single(props.envFile, 'pki.serverCertificate', 'missing: origin.serverCertificate "imported-own-ca" needs { certificate, privateKey, chain } here');
    }
    const server = config.serverCertificate && {
      leaf: loadLeafFile(ref('pki.serverCertificate.certificate', config.serverCertificate.certificate), bundle.certificates, 'serverAuth', check),
      chain: config.serverCertificate.chain ? loadCertificateFile(ref('pki.serverCertificate.chain', config.serverCertificate.chain)) : bundle,
    };

    this.outputs = {
      truststorePem: assembleTruststoreBundle(bundle.pems),
      clientCaPem: assembleTruststoreBundle(bundle.pems),
      originPullClient: {
        certificatePem: `${originPull.pems[0]}\n`,
        privateKeyPem: this.privateKey('OriginPullClientKey', config.originPullClient.privateKey),
      },
      serverCertificate: server && {
        certificatePem: `${server.leaf.pems[0]}\n`,
        privateKeyPem: this.privateKey('ServerCertificateKey', config.serverCertificate!.privateKey),
        chainPem: assembleTruststoreBundle(server.chain.pems),
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
