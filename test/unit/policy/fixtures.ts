import { loadEnvironment } from '../../../envs/load';
import { PolicyStack, StackJson } from '../../../tools/policy/engine';

/** The dev environment, renamed: fixture stacks judged as if they belonged to it. */
export const devEnv = loadEnvironment('dev').config;

/** A hand-written stack: `resources` maps `type.name` (or `data.type.name`) to a body. */
export function fixtureStack(name: string, resources: Record<string, Record<string, unknown>>): PolicyStack {
  const json: StackJson = {};
  for (const [address, body] of Object.entries(resources)) {
    const isData = address.startsWith('data.');
    const [type, id] = (isData ? address.slice(5) : address).split('.');
    const section = (json[isData ? 'data' : 'resource'] ??= {});
    (section[type] ??= {})[id] = body;
  }
  return new PolicyStack(name, json, devEnv);
}

/** A bucket with every guard rail, as HardenedBucket writes it. */
export function secureBucket(overrides: Record<string, Record<string, unknown> | undefined> = {}): Record<string, Record<string, unknown>> {
  const ref = '${aws_s3_bucket.b.id}';
  const all: Record<string, Record<string, unknown> | undefined> = {
    'aws_s3_bucket.b': { bucket_prefix: 'x-' },
    'aws_s3_bucket_versioning.v': { bucket: ref, versioning_configuration: { status: 'Enabled' } },
    'aws_s3_bucket_server_side_encryption_configuration.e': { bucket: ref, rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }] },
    'aws_s3_bucket_public_access_block.p': { bucket: ref, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
    'aws_s3_bucket_policy.tls': { bucket: ref, policy: '${data.aws_iam_policy_document.tls.json}' },
    'aws_s3_bucket_logging.log': { bucket: ref, target_bucket: 'central-access-logs', target_prefix: 'b/' },
    'data.aws_iam_policy_document.tls': {
      statement: [
        {
          effect: 'Deny',
          actions: ['s3:*'],
          principals: [{ type: '*', identifiers: ['*'] }],
          resources: ['${aws_s3_bucket.b.arn}', '${aws_s3_bucket.b.arn}/*'],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
        },
      ],
    },
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<string, Record<string, unknown>>;
}
