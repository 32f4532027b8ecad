import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { ResolvedEnvironment } from '../envs/resolve';
import type { S3StateLayout } from '../envs/state-layout';
import { publicParameterPrefix, type PipelineRole } from '../lib/naming';

/**
 * What each pipeline role of one environment may do, as IAM statements: exactly what
 * its workflow runs, nothing else. Pure functions of the environment, so the unit tests
 * and the moto test read the same statements the stack synthesizes.
 *
 * - plan (pull requests) and drift (nightly): read the PUBLIC state and its key, the
 *   public SSM parameters and the AWS resources of the public stacks; no lock (both run
 *   with -lock=false), no custody state, no custody key.
 * - custody-drift: read both states and keys, and the custody stack's resources; the
 *   deploy workflow's plan job runs as it and keeps its saved plans (which hold every value
 *   in clear text) under `<custodyKeyPrefix>/plans/`, encrypted with the custody key. No
 *   state write, no lock.
 * - deploy: read and write both states and their lock files, both keys, and apply.
 */
export interface PermissionInputs {
  readonly env: ResolvedEnvironment;
  readonly layout: S3StateLayout;
  readonly partition: string;
  /** ARNs (or references) of the public and custody state keys. */
  readonly publicKeyArn: string;
  readonly custodyKeyArn: string;
}


export function pipelineStatements(role: PipelineRole, inputs: PermissionInputs): DataAwsIamPolicyDocumentStatement[] {
  switch (role) {
    case 'plan':
      return [...stateRead(inputs, 'public'), ...commonRead(inputs), ...publicStacksRead(inputs)];
    case 'drift':
      // The drift job also runs `npm run drift -- --bypass`, which lists the region's
      // instances, security groups and VPCs whether or not keyless is enabled.
      return [...stateRead(inputs, 'public'), ...commonRead(inputs), ...publicStacksRead(inputs), bypassRead()];
    case 'custody-drift':
      return [...stateRead(inputs, 'both'), ...commonRead(inputs), ...custodyStackRead(inputs), ...savePlans(inputs)];
    case 'deploy':
      return [...stateWrite(inputs), ...commonRead(inputs), ...applyStatements(inputs)];
  }
}

function arns(i: PermissionInputs) {
  const { partition: p } = i;
  const { region, accountId: a } = i.env.config.aws;
  const name = i.env.config.name;
  const bucket = `arn:${p}:s3:::${i.layout.bucket}`;
  return {
    bucket,
    publicObjects: `${bucket}/${i.layout.publicPrefix}/*`,
    custodyObjects: `${bucket}/${i.layout.custodyPrefix}/*`,
    publicParameters: `arn:${p}:ssm:${region}:${a}:parameter${publicParameterPrefix(name)}/*`,
    keylessCertificateParameter: keylessParameter(i),
    apigateway: `arn:${p}:apigateway:${region}::/*`,
    certificates: `arn:${p}:acm:${region}:${a}:certificate/*`,
    // HardenedBucket names the truststore bucket `<env>-mtls-truststore-<suffix>`.
    truststoreBuckets: `arn:${p}:s3:::${name}-mtls-truststore-*`,
    truststoreObjects: `arn:${p}:s3:::${name}-mtls-truststore-*/*`,
    keylessRoles: `arn:${p}:iam::${a}:role/${name}-keyless-*`,
    keylessProfiles: `arn:${p}:iam::${a}:instance-profile/${name}-keyless-*`,
    keylessSecrets: `arn:${p}:secretsmanager:${region}:${a}:secret:${name}/keyless/*`,
    // Secret ARNs end in a random `-XXXXXX`: the tunnel token only, never the edge
    // private key or the gokeyless API key an operator puts in (KeyServerSecrets).
    tunnelTokenSecret: `arn:${p}:secretsmanager:${region}:${a}:secret:${name}/keyless/tunnel-token-??????`,
    ec2: `arn:${p}:ec2:${region}:${a}:*`,
    images: `arn:${p}:ec2:${region}::image/*`,
    amiParameters: `arn:${p}:ssm:${region}::parameter/aws/service/ami-amazon-linux-latest/*`,
  };
}

function keylessParameter(i: PermissionInputs): string | undefined {
  const k = i.env.config.keyless;
  const name = k.enabled ? k.certificate.ssmParameter : undefined;
  if (name === undefined) return undefined;
  const { region, accountId } = i.env.config.aws;
  return `arn:${i.partition}:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, '')}`;
}

const keylessOn = (i: PermissionInputs): boolean => i.env.config.keyless.enabled;

function stateRead(i: PermissionInputs, which: 'public' | 'both'): DataAwsIamPolicyDocumentStatement[] {
  const a = arns(i);
  return [
    // Listing shows key names only, never contents; Terraform lists to find workspaces.
    { sid: 'ListStateBucket', effect: 'Allow', actions: ['s3:ListBucket'], resources: [a.bucket] },
    { sid: 'ReadState', effect: 'Allow', actions: ['s3:GetObject'], resources: which === 'public' ? [a.publicObjects] : [a.publicObjects, a.custodyObjects] },
    { sid: 'DecryptState', effect: 'Allow', actions: ['kms:Decrypt'], resources: which === 'public' ? [i.publicKeyArn] : [i.publicKeyArn, i.custodyKeyArn] },
  ];
}

/** The deploy workflow's saved plans: written by its plan job, read and deleted by its apply job (deploy). */
export const savedPlansPrefix = (layout: S3StateLayout): string => `${layout.custodyPrefix}/plans`;

function savePlans(i: PermissionInputs): DataAwsIamPolicyDocumentStatement[] {
  const plans = `arn:${i.partition}:s3:::${i.layout.bucket}/${savedPlansPrefix(i.layout)}/*`;
  return [
    { sid: 'SavePlansForDeploy', effect: 'Allow', actions: ['s3:PutObject'], resources: [plans] },
    { sid: 'EncryptSavedPlans', effect: 'Allow', actions: ['kms:GenerateDataKey'], resources: [i.custodyKeyArn] },
  ];
}

function stateWrite(i: PermissionInputs): DataAwsIamPolicyDocumentStatement[] {
  const a = arns(i);
  return [
    { sid: 'ListStateBucket', effect: 'Allow', actions: ['s3:ListBucket'], resources: [a.bucket] },
    // `<stack>.tfstate` and its `<stack>.tfstate.tflock` lock file, under both prefixes.
    { sid: 'ReadWriteStateAndLocks', effect: 'Allow', actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [a.publicObjects, a.custodyObjects] },
    { sid: 'UseStateKeys', effect: 'Allow', actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [i.publicKeyArn, i.custodyKeyArn] },
  ];
}

function commonRead(i: PermissionInputs): DataAwsIamPolicyDocumentStatement[] {
  const a = arns(i);
  return [
    // The AWS provider checks the account against allowed_account_ids.
    { sid: 'WhoAmI', effect: 'Allow', actions: ['sts:GetCallerIdentity'], resources: ['*'] },
    {
      sid: 'ReadPublicParameters',
      effect: 'Allow',
      actions: ['ssm:GetParameter', 'ssm:GetParameters'],
      resources: [a.publicParameters, ...(a.keylessCertificateParameter ? [a.keylessCertificateParameter] : [])],
    },
  ];
}

function publicStacksRead(i: PermissionInputs): DataAwsIamPolicyDocumentStatement[] {
  const a = arns(i);
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    { sid: 'ReadApiGateway', effect: 'Allow', actions: ['apigateway:GET'], resources: [a.apigateway] },
    { sid: 'ReadCertificates', effect: 'Allow', actions: ['acm:DescribeCertificate', 'acm:ListTagsForCertificate'], resources: [a.certificates] },
    {
      sid: 'ReadTruststoreBucket',
      effect: 'Allow',
      actions: [
        's3:GetBucket*', 's3:GetAccelerateConfiguration', 's3:GetEncryptionConfiguration', 's3:GetLifecycleConfiguration',
        's3:GetReplicationConfiguration', 's3:ListBucket', 's3:ListBucketVersions',
      ],
      resources: [a.truststoreBuckets],
    },
    { sid: 'ReadTruststoreObjects', effect: 'Allow', actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging'], resources: [a.truststoreObjects] },
  ];
  if (keylessOn(i)) {
    statements.push(
      { sid: 'DescribeNetworkAndHosts', effect: 'Allow', actions: ['ec2:Describe*'], resources: ['*'] },
      {
        sid: 'ReadKeylessRoles',
        effect: 'Allow',
        actions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:ListInstanceProfilesForRole', 'iam:GetInstanceProfile'],
        resources: [a.keylessRoles, a.keylessProfiles],
      },
      // Metadata and resource policies only: never a secret's value.
      { sid: 'DescribeKeylessSecrets', effect: 'Allow', actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy'], resources: [a.keylessSecrets] },
    );
  }
  return statements;
}

function bypassRead(): DataAwsIamPolicyDocumentStatement {
  return { sid: 'BypassDetection', effect: 'Allow', actions: ['ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs'], resources: ['*'] };
}

function custodyStackRead(i: PermissionInputs): DataAwsIamPolicyDocumentStatement[] {
  const a = arns(i);
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    // The custody stack writes the public parameters; refreshing one reads its metadata.
    { sid: 'DescribeParameters', effect: 'Allow', actions: ['ssm:DescribeParameters'], resources: ['*'] },
    { sid: 'ReadParameterTags', effect: 'Allow', actions: ['ssm:ListTagsForResource'], resources: [a.publicParameters] },
    // The imported server certificate (imported-own-ca / cloudflare-origin-ca modes).
    { sid: 'ReadCertificates', effect: 'Allow', actions: ['acm:DescribeCertificate', 'acm:GetCertificate', 'acm:ListTagsForCertificate'], resources: [a.certificates] },
  ];
  if (keylessOn(i)) {
    // The tunnel-token secret and its version live in the custody stack; refreshing the
    // version reads the value, which is why only this role and deploy can.
    statements.push(
      { sid: 'DescribeKeylessSecrets', effect: 'Allow', actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy'], resources: [a.keylessSecrets] },
      { sid: 'ReadTunnelToken', effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources: [a.tunnelTokenSecret] },
    );
  }
  return statements;
}

function applyStatements(i: PermissionInputs): DataAwsIamPolicyDocumentStatement[] {
  const a = arns(i);
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    {
      sid: 'ManagePublicParameters',
      effect: 'Allow',
      actions: ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:AddTagsToResource', 'ssm:RemoveTagsFromResource', 'ssm:ListTagsForResource'],
      resources: [a.publicParameters],
    },
    { sid: 'DescribeParameters', effect: 'Allow', actions: ['ssm:DescribeParameters'], resources: ['*'] },
    { sid: 'ManageApiGateway', effect: 'Allow', actions: ['apigateway:GET', 'apigateway:POST', 'apigateway:PUT', 'apigateway:PATCH', 'apigateway:DELETE'], resources: [a.apigateway] },
    // ACM authorizes creating a certificate only on "*"; everything after on its ARN.
    { sid: 'CreateCertificates', effect: 'Allow', actions: ['acm:RequestCertificate', 'acm:ImportCertificate'], resources: ['*'] },
    {
      sid: 'ManageCertificates',
      effect: 'Allow',
      actions: [
        'acm:DescribeCertificate', 'acm:GetCertificate', 'acm:ListTagsForCertificate', 'acm:AddTagsToCertificate', 'acm:RemoveTagsFromCertificate',
        'acm:ImportCertificate', 'acm:DeleteCertificate',
      ],
      resources: [a.certificates],
    },
    {
      sid: 'ManageTruststoreBucket',
      effect: 'Allow',
      actions: [
        's3:CreateBucket', 's3:DeleteBucket', 's3:GetBucket*', 's3:PutBucket*', 's3:DeleteBucketPolicy', 's3:GetAccelerateConfiguration',
        's3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration', 's3:GetLifecycleConfiguration', 's3:PutLifecycleConfiguration',
        's3:GetReplicationConfiguration', 's3:ListBucket', 's3:ListBucketVersions',
      ],
      resources: [a.truststoreBuckets],
    },
    {
      sid: 'ManageTruststoreObjects',
      effect: 'Allow',
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:PutObject', 's3:PutObjectTagging', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      resources: [a.truststoreObjects],
    },
  ];
  if (keylessOn(i)) {
    statements.push(
      { sid: 'DescribeNetworkAndHosts', effect: 'Allow', actions: ['ec2:Describe*'], resources: ['*'] },
      {
        sid: 'ManageNetworkAndHosts',
        effect: 'Allow',
        actions: [
          'ec2:Create*', 'ec2:Delete*', 'ec2:Modify*', 'ec2:Associate*', 'ec2:Disassociate*', 'ec2:Attach*', 'ec2:Detach*', 'ec2:AllocateAddress',
          'ec2:ReleaseAddress', 'ec2:AuthorizeSecurityGroup*', 'ec2:RevokeSecurityGroup*', 'ec2:ReplaceRoute', 'ec2:RunInstances', 'ec2:TerminateInstances',
          'ec2:GetLaunchTemplateData',
        ],
        resources: [a.ec2, a.images],
      },
      { sid: 'ResolveAmi', effect: 'Allow', actions: ['ssm:GetParameters', 'ssm:GetParameter'], resources: [a.amiParameters] },
      {
        sid: 'ManageKeylessRoles',
        effect: 'Allow',
        actions: [
          'iam:CreateRole', 'iam:GetRole', 'iam:DeleteRole', 'iam:TagRole', 'iam:UntagRole', 'iam:UpdateRole', 'iam:UpdateAssumeRolePolicy',
          'iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:ListRolePolicies',
          'iam:ListAttachedRolePolicies', 'iam:ListInstanceProfilesForRole', 'iam:CreateInstanceProfile', 'iam:GetInstanceProfile',
          'iam:DeleteInstanceProfile', 'iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:TagInstanceProfile',
        ],
        resources: [a.keylessRoles, a.keylessProfiles],
      },
      {
        sid: 'PassKeylessRolesToEc2Only',
        effect: 'Allow',
        actions: ['iam:PassRole'],
        resources: [a.keylessRoles],
        condition: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['ec2.amazonaws.com'] }],
      },
      {
        sid: 'ManageKeylessSecrets',
        effect: 'Allow',
        actions: [
          'secretsmanager:CreateSecret', 'secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecret', 'secretsmanager:DeleteSecret',
          'secretsmanager:GetResourcePolicy', 'secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy',
          'secretsmanager:TagResource', 'secretsmanager:UntagResource',
        ],
        resources: [a.keylessSecrets],
      },
      // Terraform writes and refreshes the tunnel token's value; the other two secrets'
      // values are an operator's, never the pipeline's.
      { sid: 'WriteTunnelToken', effect: 'Allow', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], resources: [a.tunnelTokenSecret] },
    );
  }
  return statements;
}
