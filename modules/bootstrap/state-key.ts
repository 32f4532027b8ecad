import { Construct } from 'constructs';
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';

export interface StateKeyProps {
  /** The alias the env files name (`alias/edge-mtls-state`). */
  readonly alias: string;
  /** What the key encrypts, for its description. */
  readonly purpose: string;
  /** AWS partition of the account (`aws`). */
  readonly partition: string;
  /** The account owning the key; its IAM policies decide who uses it. */
  readonly accountId: string;
  /**
   * Principals (role ARNs) refused every use of the key in the key policy itself, whatever
   * an IAM policy grants them later.
   * @default none
   */
  readonly deniedPrincipalArns?: readonly string[];
}

/** Every data-key operation: what reading or writing state encrypted with the key takes. */
export const KEY_USE_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'] as const;

/**
 * A customer-managed KMS key for Terraform state, with yearly rotation and an alias.
 * The key policy delegates to the account's IAM policies (so the pipeline roles' own
 * policies decide who decrypts) and, for the custody key, refuses the listed readers
 * outright: a second wall if an IAM policy is ever widened by mistake.
 */
export class StateKey extends Construct {
  readonly key: KmsKey;
  readonly keyArn: string;
  readonly policyDocument: DataAwsIamPolicyDocument;

  constructor(scope: Construct, id: string, props: StateKeyProps) {
    super(scope, id);
    if (!/^alias\/[\w/-]{1,250}$/.test(props.alias) || props.alias.startsWith('alias/aws/')) {
      throw new Error(`StateKey ${id}: alias "${props.alias}" must be "alias/<name>" and not in the AWS-reserved alias/aws/ space`);
    }
    const root = `arn:${props.partition}:iam::${props.accountId}:root`;
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      {
        // In a key policy, Resource "*" is this key. The account root (meaning: the
        // account's IAM policies) administers and uses it; without this statement nobody
        // could, not even to fix the policy.
        sid: 'AccountIamPoliciesDecide',
        effect: 'Allow',
        principals: [{ type: 'AWS', identifiers: [root] }],
        actions: [
          'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Get*',
          'kms:Delete*', 'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', ...KEY_USE_ACTIONS,
        ],
        resources: ['*'],
      },
    ];
    const denied = props.deniedPrincipalArns ?? [];
    if (denied.length > 0) {
      statements.push({
        sid: 'RefuseStateReaders',
        effect: 'Deny',
        principals: [{ type: 'AWS', identifiers: ['*'] }],
        actions: [...KEY_USE_ACTIONS],
        resources: ['*'],
        // By ARN condition, not Principal: a role that is deleted and recreated keeps the
        // deny, and the key does not wait for the roles to exist.
        condition: [{ test: 'ArnEquals', variable: 'aws:PrincipalArn', values: [...denied] }],
      });
    }
    this.policyDocument = new DataAwsIamPolicyDocument(this, 'KeyPolicy', { statement: statements });
    this.key = new KmsKey(this, 'Key', {
      description: `Terraform state: ${props.purpose}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: this.policyDocument.json,
    });
    this.keyArn = this.key.arn;
    new KmsAlias(this, 'Alias', { name: props.alias, targetKeyId: this.key.keyId });
  }
}
