import { z } from 'zod';
import { plainText } from './common';

/**
 * Resource types an emulator environment may leave out entirely (a gap that names no
 * attribute). Closed on purpose: each one is a guard rail, and only an emulator may
 * do without it.
 * - aws_s3_bucket_lifecycle_configuration: after writing it, AWS provider 5.100.0 waits
 *   for ten identical reads 5 s apart after a 10 s delay (at least 55 s per bucket,
 *   against any endpoint); the rule itself is pinned by the synth tests.
 */
export const OMITTABLE_ON_EMULATOR = ['aws_s3_bucket_lifecycle_configuration'] as const;
export type OmittableOnEmulator = (typeof OMITTABLE_ON_EMULATOR)[number];

/**
 * A difference an emulator always reports because it does not implement part of an
 * API (moto drops mutual TLS on REST custom domains, for instance). Drift reports
 * list it under "known emulator gaps" with its reason and do not count it. A gap
 * without `attribute` leaves the whole resource type out of the environment instead
 * (only the types in OMITTABLE_ON_EMULATOR).
 */
export const knownEmulatorGapSchema = z
  .object({
    /** Terraform resource type, e.g. `aws_api_gateway_domain_name`. */
    resourceType: z.string().regex(/^aws_[a-z0-9_]+$/, 'expected an AWS resource type such as "aws_api_gateway_domain_name"'),
    /** Attribute path as the report shows it; it covers everything below it (`mutual_tls_authentication` covers `mutual_tls_authentication[0].truststore_uri`). */
    attribute: z.string().regex(/^[a-z0-9_]+([.[][\w\]]*)*$/, 'expected an attribute path such as "mutual_tls_authentication" or "tags_all.Name"').optional(),
    /** Why the emulator differs; printed in every report. */
    reason: plainText('a reason (say which emulator gap this is)', 20, 300),
  })
  .strict()
  .refine((gap) => gap.attribute !== undefined || (OMITTABLE_ON_EMULATOR as readonly string[]).includes(gap.resourceType), {
    path: ['attribute'],
    error: (issue) =>
      `a gap without an attribute leaves the resource out, which only ${OMITTABLE_ON_EMULATOR.join(', ')} may be; name the attribute that differs (got resource type "${(issue.input as { resourceType: string }).resourceType}")`,
  });

export const driftSchema = z
  .object({
    /** Only for environments on an emulator (`aws.endpoint`). @default none */
    knownEmulatorGaps: z.array(knownEmulatorGapSchema).default([]),
  })
  .strict();

export type KnownEmulatorGap = z.infer<typeof knownEmulatorGapSchema>;
export type DriftConfig = z.infer<typeof driftSchema>;

/** Whether an (emulator) environment leaves `type` out entirely, by a gap that names no attribute. */
export function omittedOnEmulator(drift: DriftConfig, type: OmittableOnEmulator): boolean {
  return drift.knownEmulatorGaps.some((g) => g.resourceType === type && g.attribute === undefined);
}
