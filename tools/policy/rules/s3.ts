import { blocks, PolicyStack, Rule, TfResource } from '../engine';
import { policyStatements } from '../statements';
import { formatValue } from '../../tf-json/format';

/**
 * Trivy (CI, job scan) repeats some of these checks, but only reports: it runs with
 * exit-code 0, and not in `npm test`. A repeated check stays here only with a reason,
 * said above the rule; Trivy alone checks default encryption (AVD-AWS-0088: AWS encrypts
 * every new object with SSE-S3 anyway since January 2023) and server access logging
 * (AVD-AWS-0089, accepted in tools/policy/suppressions.yaml).
 *
 * Every bucket rule follows the same shape: find the companion resources that point at
 * the bucket (by reference, or by its literal name), then judge them.
 */
function companion(bucket: TfResource, stack: PolicyStack, type: string): TfResource[] {
  const byReference = stack.referencing(bucket, type, 'bucket');
  const name = bucket.body.bucket;
  const byName = typeof name === 'string' && !name.includes('${') ? stack.ofType(type).filter((r) => r.body.bucket === name) : [];
  return [...new Set([...byReference, ...byName])];
}

// Repeats Trivy AVD-AWS-0090; kept: mTLS truststore rotation depends on object version ids, and only this rule fails `npm test`.
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

const BLOCK_FLAGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];

// Repeats Trivy AVD-AWS-0086/0087/0091/0093/0094; kept: the state buckets hold custody state (private keys), and only this rule fails `npm test`.
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

export const s3Rules: readonly Rule[] = [s3Versioning, s3PublicAccessBlock, s3TlsOnly, s3PolicyManaged];
