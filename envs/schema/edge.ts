import { z } from 'zod';
import { plainText } from './common';
import { alertDestinationProblem, webhookCredentialProblem } from '../../lib/rules';
import { minTlsVersion } from './hostnames';
import { FIREWALL_RULE_ACTIONS, ORIGIN_PULL_SCOPES } from '../../lib/vocabulary';

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
        url: z
          .url({ protocol: /^https$/, error: 'expected an https URL such as "https://hooks.example.com/cloudflare"' })
          .superRefine((url, ctx) => {
            const problem = webhookCredentialProblem(url);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          }),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const problem = alertDestinationProblem(a);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * A custom WAF rule the zone already has, kept by the zone's firewall ruleset (which
 * replaces the whole list on every apply). Kept rules run after the project's mTLS
 * block rules, so a kept `skip` cannot bypass them.
 */
export const keptFirewallRuleSchema = z
  .object({
    /** Stable reference of the rule (Cloudflare's `ref`). */
    ref: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a ref of 1-64 letters, digits, _ or -'),
    description: plainText('a description', 1, 500),
    /** The rule expression exactly as in the dashboard. */
    expression: z.string().min(1, 'expected the rule expression').max(4096),
    action: z.enum(FIREWALL_RULE_ACTIONS, { error: `expected one of: ${FIREWALL_RULE_ACTIONS.join(', ')}` }),
    /** @default true */
    enabled: z.boolean().default(true),
  })
  .strict();

/** Zone-wide Cloudflare edge settings. */
export const edgeSchema = z
  .object({
    /** Minimum TLS version of the whole zone. @default "1.2" */
    minTlsVersion: minTlsVersion.default('1.2'),
    /**
     * Where Cloudflare presents our origin-pull certificate: `per-hostname` (only the
     * env's hostnames; nothing else in the zone changes) or `zone` (every proxied
     * hostname of the zone). @default "per-hostname"
     */
    originPulls: z.enum(ORIGIN_PULL_SCOPES, { error: `expected one of: ${ORIGIN_PULL_SCOPES.join(', ')}` }).default('per-hostname'),
    /**
     * The zone's custom WAF ruleset is one object per zone: rules it already has that must
     * survive the first apply. @default none: the ruleset holds only the project's rules
     */
    firewall: z.object({ keepRules: z.array(keptFirewallRuleSchema).default([]) }).strict().default({ keepRules: [] }),
    /** Certificate-expiry alerts (origin-pull certificate, client CAs, service tokens). */
    alerts: alertsSchema,
  })
  .strict();

export type EdgeConfig = z.infer<typeof edgeSchema>;
