import { z } from 'zod';
import { TLS_VERSIONS } from '../../lib/vocabulary';
import { accessCertificatePolicyProblem } from '../../lib/rules';
import { hostname } from './common';

/** TLS versions the edge may be configured to require; anything older is not offered. */
export const minTlsVersion = z.enum(TLS_VERSIONS, {
  // YAML reads an unquoted 1.2 as a number: say so, rather than list "1.2" as if it had been refused.
  error: (issue) =>
    typeof issue.input === 'number'
      ? `YAML reads the unquoted ${issue.input} as a number; write the version in quotes, ${TLS_VERSIONS.map((v) => `"${v}"`).join(' or ')}`
      : `expected ${TLS_VERSIONS.map((v) => `"${v}"`).join(' or ')} (older TLS versions are not allowed)`,
});

/** A URI path prefix for API Shield rules, such as `/v1/`. */
const pathPrefix = z
  .string()
  .regex(/^\/[\x21-\x7e]*$/, 'expected a URI path prefix starting with "/" and made of printable ASCII without spaces, such as "/v1/"')
  .max(256, 'expected a path prefix of at most 256 characters');

/** Name of a Cloudflare Access service token (for clients that cannot hold a certificate). */
const serviceTokenName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a service token name of 1-63 lowercase letters, digits and hyphens, such as "ci-smoke-tests"');

/**
 * API Shield mTLS for a hostname: Cloudflare asks clients for a certificate and a WAF
 * custom rule blocks every request to the host (or to the listed path prefixes) whose
 * certificate did not verify against our client CA.
 */
export const apiShieldSchema = z
  .object({
    /** Only block below these path prefixes. @default the whole host */
    pathPrefixes: z.array(pathPrefix).min(1, 'expected at least one path prefix, or leave pathPrefixes out to protect the whole host').optional(),
    /** Also block certificates Cloudflare reports as revoked. @default true */
    blockRevoked: z.boolean().default(true),
  })
  .strict();

/**
 * Cloudflare Access with mTLS for a hostname: a self-hosted application whose Service
 * Auth (non-identity) policy requires a client certificate from our CA.
 */
export const accessSchema = z
  .object({
    /** Admit any certificate that chains to our client CA. @default false */
    anyValidCertificate: z.boolean().default(false),
    /** Admit only certificates with one of these common names (and a valid chain). @default none */
    commonNames: z
      .array(z.string().min(1, 'expected a non-empty common name').max(64, 'expected a common name of at most 64 characters'))
      .optional(),
    /** Service tokens admitted as an alternative for clients without a certificate. @default none */
    serviceTokens: z.array(serviceTokenName).min(1, 'expected at least one service token name, or leave serviceTokens out').optional(),
  })
  .strict()
  .superRefine((access, ctx) => {
    const problem = accessCertificatePolicyProblem(access);
    if (problem) ctx.addIssue({ code: 'custom', path: access.commonNames !== undefined ? ['commonNames'] : [], message: problem });
  });

/**
 * A protected hostname: a proxied Cloudflare name in front of an API Gateway
 * custom domain of the same name with mutual TLS. Authenticated Origin Pulls with our
 * own certificate is always on (the origin refuses anything else); API Shield and
 * Access are chosen per hostname.
 */
export const protectedHostnameSchema = z
  .object({
    /** Fully-qualified name inside the zone, e.g. `api.example.com`. */
    name: hostname,
    /** Minimum TLS version for this hostname only. @default the zone's edge.minTlsVersion */
    minTlsVersion: minTlsVersion.optional(),
    /** Require a verified client certificate at the edge (API Shield + WAF rule). @default off */
    apiShield: apiShieldSchema.optional(),
    /** Put the hostname behind Cloudflare Access with mTLS. @default off */
    access: accessSchema.optional(),
  })
  .strict();

export type ProtectedHostnameConfig = z.infer<typeof protectedHostnameSchema>;
export type ApiShieldConfig = z.infer<typeof apiShieldSchema>;
export type AccessConfig = z.infer<typeof accessSchema>;
