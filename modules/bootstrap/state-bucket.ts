import { Construct } from 'constructs';
import type { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { addBucketBaseline } from '../storage/bucket-baseline';

/** Object key prefixes some principals must never read or write. */
export interface ForbiddenPrefixes {
  /** Role ARNs refused. */
  readonly principalArns: readonly string[];
  /** Key prefixes (no trailing slash) they are refused under. */
  readonly prefixes: readonly string[];
}

export interface StateBucketProps {
  /** The exact bucket name the env files' `backend.bucket` names. */
  readonly bucketName: string;
  /** AWS partition (`aws`), for the ARNs in the bucket policy. */
  readonly partition: string;
  /**
   * Default encryption for objects written without their own key. Terraform always
   * names its key, so this only catches stray writes.
   */
  readonly defaultKmsKeyArn: string;
  /**
   * Refused in the bucket policy whatever their IAM policies say.
   * @default none
   */
  readonly forbidden?: readonly ForbiddenPrefixes[];
  /**
   * Days old state versions are kept (the way back from a bad apply).
   * @default 365
   */
  readonly noncurrentVersionDays?: number;
}

/**
 * The Terraform state bucket under its fixed name: versioning, default KMS encryption,
 * all public access blocked, ACLs off, TLS-only, and a bucket policy that refuses the
 * state readers the custody prefixes. Not HardenedBucket: that one generates its name.
 */
export class StateBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketArn: string;
  readonly policyDocument: DataAwsIamPolicyDocument;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.bucketName)) throw new Error(`StateBucket ${id}: "${props.bucketName}" is not an S3 bucket name`);
    const days = props.noncurrentVersionDays ?? 365;
    if (!Number.isInteger(days) || days < 1) throw new Error(`StateBucket ${id}: noncurrentVersionDays ${days} must be a positive whole number`);

    // Losing the bucket loses every environment's state: Terraform refuses to destroy it.
    this.bucket = new S3Bucket(this, 'Bucket', { bucket: props.bucketName, lifecycle: { preventDestroy: true } });
    const arn = `arn:${props.partition}:s3:::${props.bucketName}`;
    this.bucketArn = arn;
    const custodyDenials: DataAwsIamPolicyDocumentStatement[] = [];
    (props.forbidden ?? []).forEach((f, i) => {
      if (f.principalArns.length === 0 || f.prefixes.length === 0) return;
      custodyDenials.push({
        sid: `DenyCustodyToStateReaders${i}`,
        effect: 'Deny',
        principals: [{ type: 'AWS', identifiers: ['*'] }],
        // Every object action, not only GetObject: versions, attributes, tags and writes too.
        actions: ['s3:GetObject*', 's3:PutObject*', 's3:DeleteObject*', 's3:RestoreObject'],
        resources: f.prefixes.map((p) => `${arn}/${p}/*`),
        condition: [{ test: 'ArnEquals', variable: 'aws:PrincipalArn', values: [...f.principalArns] }],
      });
    });
    this.policyDocument = addBucketBaseline(this, this.bucket, {
      bucketArn: arn,
      kmsKeyArn: props.defaultKmsKeyArn,
      expireNoncurrent: { ruleId: 'expire-old-state-versions', days },
      enforceTls: true,
      extraStatements: custodyDenials,
    }).policyDocument;
  }
}
