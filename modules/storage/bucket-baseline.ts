import type { Construct } from 'constructs';
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';

/** What differs between the project's buckets; everything else is the same guard rails. */
export interface BucketBaselineProps {
  /** The bucket's ARN, for the policy's resources. */
  readonly bucketArn: string;
  /** KMS key for default encryption; without one, SSE-S3 (AES256). */
  readonly kmsKeyArn?: string;
  /** Expire noncurrent versions after this many days under this lifecycle rule id; without it, no lifecycle configuration. */
  readonly expireNoncurrent?: { readonly ruleId: string; readonly days: number };
  /** Deny every request not made over TLS. */
  readonly enforceTls: boolean;
  /** Statements after the baseline's own (deny insecure transport, deny ACL changes). */
  readonly extraStatements?: readonly DataAwsIamPolicyDocumentStatement[];
}

/** The resources the baseline adds, for what must depend on them. */
export interface BucketBaseline {
  readonly versioning: S3BucketVersioningA;
  readonly policyDocument: DataAwsIamPolicyDocument;
}

/**
 * The guard rails every bucket of the project carries, added to `scope` under fixed ids
 * (so the addresses of the buckets that use it never move): all public access blocked,
 * ACLs off (bucket owner enforced), versioning, default encryption, expiry of old
 * versions, and a managed bucket policy that denies ACL changes and, where the target
 * allows it, any request not made over TLS. A managed policy always exists, so one set
 * out of band (public read) is drift.
 */
export function addBucketBaseline(scope: Construct, bucket: S3Bucket, props: BucketBaselineProps): BucketBaseline {
  const publicAccess = new S3BucketPublicAccessBlock(scope, 'PublicAccessBlock', {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, 'OwnershipControls', { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
  const versioning = new S3BucketVersioningA(scope, 'Versioning', { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } });
  new S3BucketServerSideEncryptionConfigurationA(scope, 'Encryption', {
    bucket: bucket.id,
    rule: [
      {
        applyServerSideEncryptionByDefault: props.kmsKeyArn ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn } : { sseAlgorithm: 'AES256' },
        bucketKeyEnabled: props.kmsKeyArn !== undefined,
      },
    ],
  });
  if (props.expireNoncurrent) {
    new S3BucketLifecycleConfiguration(scope, 'Lifecycle', {
      bucket: bucket.id,
      dependsOn: [versioning],
      rule: [
        {
          id: props.expireNoncurrent.ruleId,
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.expireNoncurrent.days }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
  }
  const arn = props.bucketArn;
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    ...(props.enforceTls
      ? [
          {
            sid: 'DenyInsecureTransport',
            effect: 'Deny',
            principals: [{ type: '*', identifiers: ['*'] }],
            actions: ['s3:*'],
            resources: [arn, `${arn}/*`],
            condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
          },
        ]
      : []),
    // ACL writes are denied without a condition: ACLs are off (BucketOwnerEnforced), and
    // moto accepts an unconditional Deny.
    {
      sid: 'DenyAclChanges',
      effect: 'Deny',
      principals: [{ type: '*', identifiers: ['*'] }],
      actions: ['s3:PutBucketAcl', 's3:PutObjectAcl', 's3:PutObjectVersionAcl'],
      resources: [arn, `${arn}/*`],
    },
    ...(props.extraStatements ?? []),
  ];
  const policyDocument = new DataAwsIamPolicyDocument(scope, 'BucketPolicy', { statement: statements });
  // Applying a policy while the public access block is being created races in S3.
  new S3BucketPolicy(scope, 'Policy', { bucket: bucket.id, policy: policyDocument.json, dependsOn: [publicAccess] });
  return { versioning, policyDocument };
}
