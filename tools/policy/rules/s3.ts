import { blocks, PolicyStack, Rule, TfResource } from '../engine';
import { policyStatements } from '../statements';
import { formatValue } from '../../tf-json/format';

/**
 * Every bucket rule follows the same shape: find the companion resources that point at
 * the bucket (by reference, or by its literal name), then judge them.
 */
function companion(bucket: TfResource, stack: PolicyStack, type: string): TfResource[] {
  const byReference = stack.referencing(bucket, type, 'bucket');
  const name = bucket.body.bucket;
  const byName = typeof name === 'string' && !name.includes('${') ? stack.ofType(type).filter((r) => r.body.bucket === name) : [];
  return [...new Set([...byReference, ...byName])];
}

export const s3Versioning: Rule = {
  id: 'S3-VERSIONING',
  description: 'Every S3 bucket has versioning enabled (truststore rotation depends on object version ids).',
  fix: 'Build the bucket with the HardenedBucket construct (modules/origin/hardened-bucket.ts), which always enables versioning.',
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, stack) {
    const versioning = companion(bucket, stack, 'aws_s3_bucket_versioning');
    if (versioning.length === 0) return ['no aws_s3_bucket_versioning refers to this bucket'];
    return versioning
      .filter((v) => blocks(v.body.versioning_configuration)[0]?.status !== 'Enabled')
      .map((v) => `${v.address} sets status ${formatValue(blocks(v.body.versioning_configuration)[0]?.status)}; expected "Enabled"`);
  },
};

const SSE_ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'];

export const s3Encryption: Rule = {
  id: 'S3-ENCRYPTION',
  description: 'Every S3 bucket has default server-side encryption configured.',
  fix: 'Build the bucket with HardenedBucket (modules/origin/hardened-bucket.ts); its `kmsKeyArn` prop picks KMS instead of the default AES256.',
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, stack) {
    const configs = companion(bucket, stack, 'aws_s3_bucket_server_side_encryption_configuration');
    if (configs.length === 0) return ['no aws_s3_bucket_server_side_encryption_configuration refers to this bucket'];
    const problems: string[] = [];
    for (const c of configs) {
      for (const rule of blocks(c.body.rule)) {
        const algorithm = blocks(rule.apply_server_side_encryption_by_default)[0]?.sse_algorithm;
        if (!SSE_ALGORITHMS.includes(algorithm)) problems.push(`${c.address} uses sse_algorithm ${formatValue(algorithm)}; expected one of ${SSE_ALGORITHMS.join(', ')}`);
      }
    }
    return problems;
  },
};

const BLOCK_FLAGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];

export const s3PublicAccessBlock: Rule = {
  id: 'S3-PUBLIC-ACCESS-BLOCK',
  description: 'Every S3 bucket blocks all public access (all four flags true).',
  fix: 'Build the bucket with HardenedBucket (modules/origin/hardened-bucket.ts), which blocks all public access.',
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, stack) {
    const blocksFor = companion(bucket, stack, 'aws_s3_bucket_public_access_block');
    if (blocksFor.length === 0) return ['no aws_s3_bucket_public_access_block refers to this bucket'];
    return blocksFor.flatMap((b) => {
      const off = BLOCK_FLAGS.filter((f) => b.body[f] !== true);
      return off.length > 0 ? [`${b.address} leaves ${off.join(', ')} not true`] : [];
    });
  },
};

export const s3TlsOnly: Rule = {
  id: 'S3-TLS-ONLY',
  description: 'Every S3 bucket policy denies requests made without TLS (aws:SecureTransport = false).',
  fix: 'Leave the `enforceTls` prop of HardenedBucket (modules/origin/hardened-bucket.ts) at its default (true); only the emulated `local` environment turns it off.',
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, stack) {
    const policies = companion(bucket, stack, 'aws_s3_bucket_policy');
    if (policies.length === 0) return ['no aws_s3_bucket_policy refers to this bucket, so plain-HTTP requests are not denied'];
    const denies = policies.some((p) =>
      (policyStatements(p.body.policy, stack) ?? []).some(
        (s) =>
          s.effect === 'Deny' &&
          s.actions.some((a) => a === 's3:*' || a === '*') &&
          s.conditions.some((c) => c.test === 'Bool' && c.variable === 'aws:SecureTransport' && c.values.includes('false')),
      ),
    );
    return denies ? [] : [`the bucket policy (${policies.map((p) => p.address).join(', ')}) has no Deny on aws:SecureTransport "false"`];
  },
};

export const s3PolicyManaged: Rule = {
  id: 'S3-POLICY-MANAGED',
  description: 'Every S3 bucket has a managed bucket policy (in every environment, local included), so a policy set out of band is drift.',
  fix: 'Use modules/origin/hardened-bucket.ts, which always attaches one, or add an aws_s3_bucket_policy for the bucket.',
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, stack) {
    return companion(bucket, stack, 'aws_s3_bucket_policy').length > 0 ? [] : ['no aws_s3_bucket_policy refers to this bucket, so a policy set out of band (public read) is not drift'];
  },
};

export const s3AccessLogging: Rule = {
  id: 'S3-ACCESS-LOGGING',
  description: 'Every S3 bucket has server access logging into another bucket, so a read or overwrite of the truststore can be traced.',
  fix: 'Give HardenedBucket (modules/origin/hardened-bucket.ts) a log bucket to send server access logs to.',
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, stack) {
    const logging = companion(bucket, stack, 'aws_s3_bucket_logging');
    if (logging.length === 0) return ['no aws_s3_bucket_logging refers to this bucket: reads and overwrites leave no access log'];
    return logging.flatMap((l) => {
      const target = l.body.target_bucket;
      if (typeof target !== 'string' || target === '') return [`${l.address} has no target_bucket`];
      // A bucket logging into itself writes a log object per log object.
      return stack.resolve(target)?.address === bucket.address || target === bucket.body.bucket ? [`${l.address} logs into the bucket itself`] : [];
    });
  },
};

export const s3Rules: readonly Rule[] = [s3Versioning, s3Encryption, s3PublicAccessBlock, s3TlsOnly, s3AccessLogging, s3PolicyManaged];
