import { Construct } from 'constructs';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { DataCloudflareZeroTrustTunnelCloudflaredToken } from '@cdktf/provider-cloudflare/lib/data-cloudflare-zero-trust-tunnel-cloudflared-token';

export interface TunnelTokenInSecretsManagerProps {
  /** Cloudflare account of the tunnel. */
  readonly accountId: string;
  /** The tunnel whose token the key servers run cloudflared with. */
  readonly tunnelId: string;
  /** Secrets Manager secret (id or ARN) the key servers read the token from at boot. */
  readonly secretId: string;
}

/**
 * Reads a tunnel's token from Cloudflare and stores it as the current version of the
 * key servers' secret. Both the data source and the secret version keep the token in
 * state, so this construct belongs in the custody stack; the tunnel and the secret's
 * container live in the keyless stack.
 */
export class TunnelTokenInSecretsManager extends Construct {
  readonly version: SecretsmanagerSecretVersion;

  constructor(scope: Construct, id: string, props: TunnelTokenInSecretsManagerProps) {
    super(scope, id);
    const token = new DataCloudflareZeroTrustTunnelCloudflaredToken(this, 'Token', { accountId: props.accountId, tunnelId: props.tunnelId });
    this.version = new SecretsmanagerSecretVersion(this, 'TokenInSecretsManager', { secretId: props.secretId, secretString: token.token });
  }
}
