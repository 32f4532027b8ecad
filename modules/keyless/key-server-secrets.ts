import { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretPolicy } from '@cdktf/provider-aws/lib/secretsmanager-secret-policy';

export interface KeyServerSecretsProps {
  /** Secret names are `<namePrefix>/tunnel-token` and so on, e.g. `prod/keyless`. */
  readonly namePrefix: string;
  /**
   * Days a deleted secret can be restored.
   * @default 30 (0 deletes at once: only for emulators)
   */
  readonly recoveryWindowInDays?: number;
}

/**
 * The three secrets a key server fetches at boot. Terraform creates the containers
 * only; the tunnel token's value comes from Cloudflare (in state, sensitive), the
 * gokeyless API key and the keyless private key are put in by an operator, out of
 * band, so they are never in Terraform state.
 *
 * Each secret carries a managed resource policy that denies every principal outside
 * this account: a cross-account grant added out of band is drift, and the next apply
 * puts the declared policy back (`block_public_policy` refuses public ones outright).
 */
export class KeyServerSecrets extends Construct {
  readonly tunnelToken: SecretsmanagerSecret;
  /** The Origin CA API key gokeyless uses to obtain its client certificate. */
  readonly gokeylessCredentials: SecretsmanagerSecret;
  /** The edge certificate's private key, PEM. */
  readonly privateKey: SecretsmanagerSecret;
  /** Every ARN above: the exact resource list of the hosts' read permission. */
  readonly arns: readonly string[];

  constructor(scope: Construct, id: string, props: KeyServerSecretsProps) {
    super(scope, id);
    if (!/^[\w/+=.@-]{1,400}$/.test(props.namePrefix)) throw new Error(`KeyServerSecrets ${id}: namePrefix "${props.namePrefix}" is not a valid secret name prefix`);
    const recoveryWindowInDays = props.recoveryWindowInDays ?? 30;
    if (recoveryWindowInDays !== 0 && (recoveryWindowInDays < 7 || recoveryWindowInDays > 30)) {
      throw new Error(`KeyServerSecrets ${id}: recoveryWindowInDays ${recoveryWindowInDays} must be 0 or 7-30`);
    }
    const secret = (sid: string, suffix: string, description: string) =>
      new SecretsmanagerSecret(this, sid, { name: `${props.namePrefix}/${suffix}`, description, recoveryWindowInDays });
    this.tunnelToken = secret('TunnelToken', 'tunnel-token', 'Cloudflare Tunnel token of the keyless key servers (written by Terraform from Cloudflare)');
    this.gokeylessCredentials = secret('GokeylessCredentials', 'gokeyless-api-key', 'Origin CA API key for gokeyless (put in by an operator)');
    this.privateKey = secret('PrivateKey', 'private-key', 'Private key of the Keyless SSL edge certificate, PEM (put in by an operator)');
    this.arns = [this.tunnelToken.arn, this.gokeylessCredentials.arn, this.privateKey.arn];
    const account = new DataAwsCallerIdentity(this, 'Account');
    const ownAccountOnly = new DataAwsIamPolicyDocument(this, 'OwnAccountOnly', {
      statement: [
        {
          sid: 'DenyOtherAccounts',
          effect: 'Deny',
          principals: [{ type: '*', identifiers: ['*'] }],
          actions: ['secretsmanager:*'],
          resources: ['*'],
          condition: [{ test: 'StringNotEquals', variable: 'aws:PrincipalAccount', values: [account.accountId] }],
        },
      ],
    });
    [this.tunnelToken, this.gokeylessCredentials, this.privateKey].forEach(
      (s) => new SecretsmanagerSecretPolicy(this, `${s.node.id}Policy`, { secretArn: s.arn, policy: ownAccountOnly.json, blockPublicPolicy: true }),
    );
  }
}
