import { z } from 'zod';
import { alertDestinationProblem } from '../../lib/rules';
import { minTlsVersion } from './hostnames';

/** Where certificate-expiry alerts go. At least one destination. */
export const alertsSchema = z
  .object({
    /** Mailbox that receives the alerts, e.g. `security@example.com`. @default none */
    email: z.email({ error: 'expected an email address such as "security@example.com"' }).optional(),
    /** HTTPS webhook that receives the alerts. @default none */
    webhook: z
      .object({
        /** Display name of the webhook destination in Cloudflare. */
        name: z.string().regex(/^[\w .-]{1,64}$/, 'expected a name of 1-64 letters, digits, spaces or _.-'),
        /** Only https URLs: alerts name hosts and certificates. */
        url: z.url({ protocol: /^https$/, error: 'expected an https URL such as "https://hooks.example.com/cloudflare"' }),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const problem = alertDestinationProblem(a);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Zone-wide Cloudflare edge settings. */
export const edgeSchema = z
  .object({
    /** Minimum TLS version of the whole zone. @default "1.2" */
    minTlsVersion: minTlsVersion.default('1.2'),
    /** Certificate-expiry alerts (origin-pull certificate, client CAs, service tokens). */
    alerts: alertsSchema,
  })
  .strict();

export type EdgeConfig = z.infer<typeof edgeSchema>;
