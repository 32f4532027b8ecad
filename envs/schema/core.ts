import { z } from 'zod';
import { awsAccountId, awsRegion, hex32, hostname, tagMap } from './common';

/** Which AWS account and region an environment lives in. */
export const awsSchema = z
  .object({
    /** Region of every AWS resource of the environment (API Gateway, S3 truststore, EC2). */
    region: awsRegion,
    /** Account the environment deploys into; the provider refuses any other. */
    accountId: awsAccountId,
    /**
     * Local emulator endpoint (moto_server). Only the `local` environment may set it.
     * @default none: the real AWS endpoints
     */
    endpoint: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as "http://127.0.0.1:5000"' }).optional(),
  })
  .strict();

/** The Cloudflare account and zone the edge lives in. */
export const cloudflareSchema = z
  .object({
    accountId: hex32('Cloudflare account id'),
    zoneId: hex32('Cloudflare zone id'),
    /** Apex of the zone; every protected hostname must be inside it. */
    zoneName: hostname,
    /**
     * This environment's state backend also keeps the account stack
     * (`cloudflare-account-<accountId>`), which manages the account-wide objects of every
     * environment using the account. Exactly one of them sets it when several share an
     * account. @default false (a single environment in an account owns it implicitly)
     */
    ownsAccountStack: z.boolean().default(false),
  })
  .strict();

/** Where Terraform state lives. Real environments must use S3 with locking. */
export const backendSchema = z.discriminatedUnion(
  'type',
  [
    z
      .object({
        type: z.literal('s3'),
        /** Pre-existing, versioned state bucket (bootstrapped outside this project). */
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)'),
        region: awsRegion,
        /** Each stack's state is stored at `<keyPrefix>/<stack>.tfstate`. */
        keyPrefix: z.string().regex(/^[\w.-]+(\/[\w.-]+)*$/, 'expected a key prefix such as "edge-mtls/dev" (no leading or trailing slash)'),
        /** KMS key for the public stacks' state. @default the bucket's default encryption (SSE-S3) */
        kmsKeyId: z.string().min(1).optional(),
        /**
         * Key prefix of the custody stacks' state (`<env>-pki`: CA keys, key-bearing
         * uploads), kept apart so the plan and drift roles can be denied it.
         * @default "<keyPrefix>-custody"
         */
        custodyKeyPrefix: z
          .string()
          .regex(/^[\w.-]+(\/[\w.-]+)*$/, 'expected a key prefix such as "edge-mtls/dev-custody" (no leading or trailing slash)')
          .optional(),
        /**
         * KMS key (ARN or alias ARN) of the custody stacks' state, used for nothing else:
         * only the deploy and custody-drift roles may decrypt it. Required.
         */
        custodyKmsKeyId: z
          .string({ error: 'expected the ARN (or alias ARN) of the KMS key that encrypts only the custody stacks\' state, e.g. "arn:aws:kms:eu-west-1:111111111111:alias/edge-mtls-state-custody"' })
          .regex(/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:(key\/[\w-]+|alias\/[\w/.-]+)$/, 'expected a KMS key ARN or alias ARN such as "arn:aws:kms:eu-west-1:111111111111:alias/edge-mtls-state-custody"'),
      })
      .strict(),
    z
      .object({
        type: z.literal('local'),
        /** Folder for `<stack>.tfstate` files, relative to the repository root. @default "terraform-state/<env>" */
        dir: z.string().min(1).optional(),
      })
      .strict(),
  ],
  { error: 'expected backend.type to be "s3" or "local"' },
);

export type AwsConfig = z.infer<typeof awsSchema>;
export type CloudflareConfig = z.infer<typeof cloudflareSchema>;
export type BackendConfig = z.infer<typeof backendSchema>;

/** Where custody state goes for an S3 backend: its own prefix (never inside the public one). */
export function custodyKeyPrefixOf(backend: Extract<BackendConfig, { type: 's3' }>): string {
  return backend.custodyKeyPrefix ?? `${backend.keyPrefix}-custody`;
}
export { tagMap };
