import { z } from 'zod';

/**
 * What the account bootstrap (`aws-bootstrap-<account>`, stacks/bootstrap-stack.ts)
 * needs to know about an environment besides its backend: who may assume its
 * pipeline roles. Required for every environment with an S3 backend.
 */
export const bootstrapSchema = z
  .object({
    /**
     * The GitHub repository (`owner/name`) whose workflows may assume the environment's
     * pipeline roles through OIDC: the trust policies pin the token subject
     * `repo:<owner>/<name>:environment:<env>-<role>`.
     */
    githubRepository: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/, 'expected a GitHub repository "owner/name" such as "example-org/edge-mtls"'),
  })
  .strict();

export type BootstrapConfig = z.infer<typeof bootstrapSchema>;
