import { Construct } from 'constructs';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamRolePoliciesExclusive } from '@cdktf/provider-aws/lib/iam-role-policies-exclusive';
import { IamRolePolicyAttachmentsExclusive } from '@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive';

export interface InstanceRoleProps {
  /** Role and instance profile name. */
  readonly name: string;
  /**
   * The only secrets the hosts may read.
   * @default none: no Secrets Manager access at all
   */
  readonly readableSecretArns?: readonly string[];
}

/**
 * An instance role for private hosts: Session Manager (instead of SSH) and, when given,
 * read access to exactly the listed secrets. Nothing else, not even listing secrets.
 * Its managed-policy attachments and inline policies are declared exclusive, so a policy
 * attached or added out of band (AdministratorAccess, an inline `secretsmanager:*`)
 * shows as drift and is removed by the next apply.
 */
export class InstanceRole extends Construct {
  readonly role: IamRole;
  readonly instanceProfileName: string;

  constructor(scope: Construct, id: string, props: InstanceRoleProps) {
    super(scope, id);
    if (!/^[\w+=,.@-]{1,64}$/.test(props.name)) throw new Error(`InstanceRole ${id}: name "${props.name}" is not a valid IAM role name (1-64 of letters, digits, +=,.@_-)`);
    const assume = new DataAwsIamPolicyDocument(this, 'AssumedByEc2', {
      statement: [{ effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['ec2.amazonaws.com'] }] }],
    });
    this.role = new IamRole(this, 'Role', { name: props.name, assumeRolePolicy: assume.json, description: `Private hosts ${props.name}` });
    const secrets = props.readableSecretArns ?? [];
    const inline: IamRolePolicy[] = [];
    if (secrets.length > 0) {
      const readSecrets = new DataAwsIamPolicyDocument(this, 'ReadOwnSecrets', {
        statement: [{ sid: 'ReadOwnSecrets', effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources: [...secrets] }],
      });
      inline.push(new IamRolePolicy(this, 'ReadOwnSecretsPolicy', { name: 'read-own-secrets', role: this.role.id, policy: readSecrets.json }));
    }
    const partition = new DataAwsPartition(this, 'Partition');
    const attachments = [
      new IamRolePolicyAttachment(this, 'SessionManager', {
        role: this.role.name,
        policyArn: `arn:${partition.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
      }),
    ];
    // Created after the policies they list, so the first apply never detaches one of ours.
    new IamRolePolicyAttachmentsExclusive(this, 'OnlyTheseAttachments', {
      roleName: this.role.name,
      policyArns: attachments.map((a) => a.policyArn),
      dependsOn: attachments,
    });
    new IamRolePoliciesExclusive(this, 'OnlyTheseInlinePolicies', {
      roleName: this.role.name,
      policyNames: inline.map((p) => p.name),
      dependsOn: inline,
    });
    this.instanceProfileName = new IamInstanceProfile(this, 'InstanceProfile', { name: props.name, role: this.role.name }).name;
  }
}
