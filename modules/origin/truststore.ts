import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { HardenedBucket } from './hardened-bucket';

export interface TruststoreProps {
  /** Prefix of the bucket name (see HardenedBucket). */
  readonly namePrefix: string;
  /** PEM bundle of every trusted CA (see assembleTruststoreBundle). */
  readonly bundlePem: string;
  /** Object key of the bundle. @default "truststore.pem" */
  readonly objectKey?: string;
  /** TLS-only bucket policy. @default true (the moto-backed `local` env turns it off) */
  readonly enforceTls?: boolean;
  /** Days old truststore versions are kept, for rolling back. @default 90 */
  readonly noncurrentVersionDays?: number;
  /** Expire old versions at all (see HardenedBucket). @default true */
  readonly expireNoncurrentVersions?: boolean;
}

/**
 * The API Gateway mTLS truststore: one PEM object in a hardened, versioned bucket.
 * `version` is the object's version id. Domains must pin it: API Gateway re-reads a
 * truststore only when the pinned version changes, so a new bundle under an old
 * version would silently keep trusting the old CAs.
 */
export class Truststore extends Construct {
  readonly bucket: HardenedBucket;
  readonly object: S3Object;
  /** `s3://bucket/key`, for `mutual_tls_authentication.truststore_uri`. */
  readonly uri: string;
  /** S3 version id of the current bundle, for `truststore_version`. */
  readonly version: string;

  constructor(scope: Construct, id: string, props: TruststoreProps) {
    super(scope, id);
    const key = props.objectKey ?? 'truststore.pem';
    if (!/^[\w./-]+\.pem$/.test(key)) throw new Error(`Truststore ${id}: objectKey "${key}" must be a simple path ending in .pem`);
    this.bucket = new HardenedBucket(this, 'Bucket', {
      namePrefix: props.namePrefix,
      enforceTls: props.enforceTls,
      noncurrentVersionDays: props.noncurrentVersionDays,
      expireNoncurrentVersions: props.expireNoncurrentVersions,
    });
    this.object = new S3Object(this, 'Bundle', {
      bucket: this.bucket.bucketName,
      key,
      content: props.bundlePem,
      // With SSE-S3 the ETag of a single-part upload is the MD5 of its bytes. Declaring
      // it makes a version uploaded behind Terraform's back show up as drift (the
      // object's version id alone is computed and would change silently).
      etag: Fn.md5(props.bundlePem),
      contentType: 'application/x-pem-file',
      // Without versioning in place first, the object gets no version id to pin.
      dependsOn: [this.bucket.versioning],
    });
    this.uri = `s3://${this.bucket.bucketName}/${key}`;
    this.version = this.object.versionId;
  }
}
