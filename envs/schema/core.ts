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
        /** KMS key for state encryption. @default the bucket's default encryption (SSE-S3) */
        kmsKeyId: z.string().min(1).optional(),
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
export { tagMap };
