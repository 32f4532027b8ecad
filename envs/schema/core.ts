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

const stateKeyPrefix = z.string().regex(/^[\w.-]+(\/[\w.-]+)*$/, 'expected a key prefix such as "edge-mtls/dev" (no leading or trailing slash)');

/** Where Terraform state lives. Real environments must use S3 with locking. */
export const backendSchema = z.discriminatedUnion(
  'type',
  [
    z
      .object({
        type: z.literal('s3'),
        /** The versioned state bucket, created in the environment's AWS account by the account bootstrap (`aws-bootstrap-<account>`). */
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)'),
        region: awsRegion,
        /** Each public stack's state is stored at `<keyPrefix>/<stack>.tfstate`. */
        keyPrefix: stateKeyPrefix,
        /**
         * Each custody stack's state (`<env>-pki`: private keys) is stored at
         * `<custodyKeyPrefix>/<stack>.tfstate`, apart from the public state so that IAM can
         * grant the plan and drift roles `<keyPrefix>/*` without it. @default `<keyPrefix>-custody`
         */
        custodyKeyPrefix: stateKeyPrefix.optional(),
        /**
         * KMS key for the public state: an alias name (`alias/edge-mtls-state`) or alias ARN,
         * which the account bootstrap (`aws-bootstrap-<account>`) creates.
         * @default the bucket's default encryption (the account bootstrap requires it)
         */
        kmsKeyId: z.string().min(1).optional(),
        /**
         * KMS key for the custody state, never the public state's key: only the deploy and
         * custody-drift roles may decrypt it. An alias name or alias ARN, such as
         * `arn:aws:kms:eu-west-1:111111111111:alias/edge-mtls-state-custody`.
         */
        custodyKmsKeyId: z.string({ error: 'expected the KMS key of the custody state, such as "alias/edge-mtls-state-custody"' }).min(1, 'expected the KMS key of the custody state, such as "alias/edge-mtls-state-custody"'),
      })
      .strict(),
    z
      .object({
        type: z.literal('local'),
        /** Folder for `<stack>.tfstate` files, relative to the repository root. @default "terraform-state/<env>" */
        dir: z
          .string()
          .min(1)
          .refine((d) => !d.startsWith('/') && !/^[A-Za-z]:/.test(d) && !d.split(/[\\/]/).includes('..'), 'expected a folder inside the repository, relative to its root (no leading /, no ..): state holds secrets and must stay under the git-ignored terraform-state/')
          .refine((d) => !/^\.git([\\/]|$)/.test(d), 'expected a folder outside .git')
          .optional(),
      })
      .strict(),
  ],
  { error: 'expected backend.type to be "s3" or "local"' },
);

export type AwsConfig = z.infer<typeof awsSchema>;
export type CloudflareConfig = z.infer<typeof cloudflareSchema>;
export type BackendConfig = z.infer<typeof backendSchema>;
export type S3BackendConfig = Extract<BackendConfig, { type: 's3' }>;
export { tagMap };
