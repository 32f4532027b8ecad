import { Construct } from 'constructs';
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePoliciesExclusive } from '@cdktf/provider-aws/lib/iam-role-policies-exclusive';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachmentsExclusive } from '@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive';

/** The issuer of GitHub Actions' OIDC tokens, and the claim prefix IAM conditions use. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

export interface PipelineRoleProps {
  /** IAM role name (`edge-mtls-dev-plan`). */
  readonly name: string;
  /** ARN of the account's GitHub OIDC provider. */
  readonly oidcProviderArn: string;
  /** GitHub repository `owner/name` whose workflows may assume the role. */
  readonly repository: string;
  /** The GitHub environment a job must run in to get the role (`dev-plan`). */
  readonly githubEnvironment: string;
  /** What the role is for, in its description. */
  readonly purpose: string;
  /** Its permissions: the one inline policy. */
  readonly statements: readonly DataAwsIamPolicyDocumentStatement[];
}

/**
 * A role GitHub Actions assumes with OIDC, trusted only for tokens whose subject is
 * `repo:<owner>/<name>:environment:<githubEnvironment>`: a job gets it only by running
 * in that GitHub environment, whose branch and reviewer rules then guard the role.
 * One inline policy, and exclusive management of inline and attached policies, so a
 * permission added out of band is drift.
 */
export class PipelineRole extends Construct {
  readonly role: IamRole;
  readonly policyDocument: DataAwsIamPolicyDocument;
  readonly trustDocument: DataAwsIamPolicyDocument;

  constructor(scope: Construct, id: string, props: PipelineRoleProps) {
    super(scope, id);
    if (!/^[\w+=,.@-]{1,64}$/.test(props.name)) throw new Error(`PipelineRole ${id}: name "${props.name}" is not a valid IAM role name (1-64 of letters, digits, +=,.@_-)`);
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/.test(props.repository)) throw new Error(`PipelineRole ${id}: repository "${props.repository}" is not "owner/name"`);
    // A wildcard here would let any environment (or branch) of the repository in.
    if (!/^[\w.-]+$/.test(props.githubEnvironment)) throw new Error(`PipelineRole ${id}: GitHub environment "${props.githubEnvironment}" must be a plain name (no wildcard)`);
    if (props.statements.length === 0) throw new Error(`PipelineRole ${id}: no permissions given`);

    this.trustDocument = new DataAwsIamPolicyDocument(this, 'Trust', {
      statement: [
        {
          sid: 'GithubEnvironmentOnly',
          effect: 'Allow',
          principals: [{ type: 'Federated', identifiers: [props.oidcProviderArn] }],
          actions: ['sts:AssumeRoleWithWebIdentity'],
          condition: [
            { test: 'StringEquals', variable: `${GITHUB_OIDC_HOST}:aud`, values: ['sts.amazonaws.com'] },
            { test: 'StringEquals', variable: `${GITHUB_OIDC_HOST}:sub`, values: [`repo:${props.repository}:environment:${props.githubEnvironment}`] },
          ],
        },
      ],
    });
    this.role = new IamRole(this, 'Role', { name: props.name, assumeRolePolicy: this.trustDocument.json, description: props.purpose, maxSessionDuration: 3600 });
    this.policyDocument = new DataAwsIamPolicyDocument(this, 'Permissions', { statement: [...props.statements] });
    const inline = new IamRolePolicy(this, 'Policy', { name: 'pipeline', role: this.role.id, policy: this.policyDocument.json });
    new IamRolePolicyAttachmentsExclusive(this, 'NoAttachments', { roleName: this.role.name, policyArns: [] });
    // Created after the policy it lists, so the first apply never removes ours.
    new IamRolePoliciesExclusive(this, 'OnlyThisInlinePolicy', { roleName: this.role.name, policyNames: [inline.name], dependsOn: [inline] });
  }
}
