import { z } from 'zod';
import { plainText } from './common';

/**
 * A difference an emulator always reports because it does not implement part of an
 * API (moto drops mutual TLS on REST custom domains, for instance). Drift reports
 * list it under "known emulator gaps" with its reason and do not count it. That is all a
 * gap does: what is built on an emulator is decided by its capabilities
 * (envs/capabilities.ts), never by a drift setting.
 */
export const knownEmulatorGapSchema = z
  .object({
    /** Terraform resource type, e.g. `aws_api_gateway_domain_name`. */
    resourceType: z.string().regex(/^aws_[a-z0-9_]+$/, 'expected an AWS resource type such as "aws_api_gateway_domain_name"'),
    /** Attribute path as the report shows it; it covers everything below it (`mutual_tls_authentication` covers `mutual_tls_authentication[0].truststore_uri`). */
    attribute: z
      .string({
        // A gap without an attribute once left the resource type out: say where that went.
        error: (issue) =>
          issue.input === undefined
            ? 'expected the attribute that differs; a gap only names a difference for drift reports, and what an emulator leaves out is decided by its capabilities (envs/capabilities.ts)'
            : undefined,
      })
      .regex(/^[a-z0-9_]+([.[][\w\]]*)*$/, 'expected an attribute path such as "mutual_tls_authentication" or "tags_all.Name"'),
    /** Why the emulator differs; printed in every report. */
    reason: plainText('a reason (say which emulator gap this is)', 20, 300),
  })
  .strict();

export const driftSchema = z
  .object({
    /** Only for environments on an emulator (`aws.endpoint`). @default none */
    knownEmulatorGaps: z.array(knownEmulatorGapSchema).default([]),
  })
  .strict();

export type KnownEmulatorGap = z.infer<typeof knownEmulatorGapSchema>;
export type DriftConfig = z.infer<typeof driftSchema>;
