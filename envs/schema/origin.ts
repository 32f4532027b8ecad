import { z } from 'zod';
import { SERVER_CERTIFICATE_MODES, type ServerCertificateMode } from '../../lib/vocabulary';
import { caPins, pemPath } from './common';

export { SERVER_CERTIFICATE_MODES, type ServerCertificateMode };

/** The AWS origin: truststore and API Gateway mTLS custom domains. */
export const originSchema = z
  .object({
    /**
     * The custom domains' server certificate: `acm` (public, DNS-validated),
     * `imported-own-ca` (issued by the PKI, imported to ACM) or `cloudflare-origin-ca`.
     * @default "acm"
     */
    serverCertificate: z.enum(SERVER_CERTIFICATE_MODES, { error: `expected one of ${SERVER_CERTIFICATE_MODES.join(', ')}` }).default('acm'),
    /** Where the ACM DNS validation records go. @default "cloudflare" */
    dnsProvider: z.enum(['cloudflare', 'route53'], { error: 'expected "cloudflare" or "route53"' }).default('cloudflare'),
    /** Route53 hosted zone for the validation records; required with dnsProvider route53. */
    route53ZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, 'expected a Route53 hosted zone id such as "Z0123456789ABCDEFGHIJ"').optional(),
    /**
     * An existing REST API to put behind the domains instead of the demo API. Its
     * `disable_execute_api_endpoint` must be set where that API is managed.
     * @default none: a small MOCK demo API is created
     */
    restApi: z
      .object({
        id: z.string().regex(/^[a-z0-9]{10}$/, 'expected a REST API id of 10 lowercase letters and digits'),
        stageName: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'expected a stage name of letters, digits, _ or -'),
      })
      .strict()
      .optional(),
    /** Extra CA certificates (PEM files, relative to the env file) to keep trusting, e.g. during a CA migration. @default [] */
    additionalTrustedCas: z.array(pemPath).max(10, 'expected at most 10 extra CA files').default([]),
    /**
     * The key of every CA of the `additionalTrustedCas` files (`sha256:<hex>`, lib/ca-pins):
     * an unlisted CA is refused, its error prints the line to add. @default []
     */
    expectedCaKeys: caPins('origin.additionalTrustedCas'),
    /** Days old truststore versions are kept. @default 90 */
    noncurrentVersionDays: z.int('expected a whole number of days').min(1, 'expected at least 1 day').default(90),
  })
  .strict()
  .refine((o) => o.dnsProvider !== 'route53' || o.route53ZoneId !== undefined, {
    message: 'dnsProvider "route53" needs route53ZoneId (the hosted zone of the protected hostnames)',
    path: ['route53ZoneId'],
  });

export type OriginConfig = z.infer<typeof originSchema>;
