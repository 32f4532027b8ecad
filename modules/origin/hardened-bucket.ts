import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import type { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { addBucketBaseline } from '../storage/bucket-baseline';

export interface HardenedBucketProps {
  /** Prefix of the generated bucket name (AWS appends a unique suffix). Lowercase, at most 37 characters. */
  readonly namePrefix: string;
  /**
   * KMS key for default encryption.
   * @default SSE-S3 (AES256): API Gateway reads truststores with its own service
   * principal, which cannot use a customer key without extra grants.
   */
  readonly kmsKeyArn?: string;
  /**
   * Days after which noncurrent object versions are deleted.
   * @default 90
   */
  readonly noncurrentVersionDays?: number;
  /**
   * Write the lifecycle configuration that expires noncurrent versions.
   * @default true. Only a target without the capability turns it off (an emulator: the
   * AWS provider waits at least 55 s per bucket there for ten consistent reads).
   */
  readonly expireNoncurrentVersions?: boolean;
  /**
   * Deny every request not made over TLS in the bucket policy.
   * @default true. The `local` environment turns it off because moto refuses every
   * object operation under a conditional Deny (a known emulator gap); the bucket still
   * gets a managed policy (the ACL deny), so a policy set out of band is drift there too.
   */
  readonly enforceTls?: boolean;
}

const NAME_PREFIX = /^[a-z0-9][a-z0-9-]{1,36}$/;

/**
 * An S3 bucket with every guard rail on: versioning, default encryption, all
 * public access blocked, ACLs disabled (bucket owner enforced), TLS-only access and
 * expiry of old versions. Everything that stores something for this project uses it.
 */
export class HardenedBucket extends Construct {
  readonly bucket: S3Bucket;
  /** Depend on this before writing objects whose version ids matter. */
  readonly versioning: S3BucketVersioningA;
  readonly bucketName: string;
  readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: HardenedBucketProps) {
    super(scope, id);
    if (!NAME_PREFIX.test(props.namePrefix)) {
      throw new Error(`HardenedBucket ${id}: namePrefix "${props.namePrefix}" must be 2-37 lowercase letters, digits or hyphens`);
    }
    const noncurrentDays = props.noncurrentVersionDays ?? 90;
    if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1) {
      throw new Error(`HardenedBucket ${id}: noncurrentVersionDays ${noncurrentDays} must be a positive whole number`);
    }

    this.bucket = new S3Bucket(this, 'Bucket', { bucketPrefix: `${props.namePrefix}-` });
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;

    const baseline = addBucketBaseline(this, this.bucket, {
      bucketArn: this.bucket.arn,
      kmsKeyArn: props.kmsKeyArn,
      expireNoncurrent: (props.expireNoncurrentVersions ?? true) ? { ruleId: 'expire-noncurrent-versions', days: noncurrentDays } : undefined,
      enforceTls: props.enforceTls ?? true,
    });
    this.versioning = baseline.versioning;
  }
}
