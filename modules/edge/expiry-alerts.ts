import { Construct } from 'constructs';
import { alertDestinationProblem, webhookCredentialProblem } from '../../lib/rules';
import { NotificationPolicy } from '@cdktf/provider-cloudflare/lib/notification-policy';
import { NotificationPolicyWebhooks } from '@cdktf/provider-cloudflare/lib/notification-policy-webhooks';

/** Certificate-expiry alert types (`notification_policy.alert_type`, an enum of the provider schema). */
export const EXPIRY_ALERT = {
  /** The zone-level Authenticated Origin Pulls client certificate. */
  originPullCertificate: 'zone_aop_custom_certificate_expiration_type',
  /** The per-hostname Authenticated Origin Pulls client certificate. */
  hostnameOriginPullCertificate: 'hostname_aop_custom_certificate_expiration_type',
  /** Certificates in the mTLS certificate store (API Shield client CA). */
  apiShieldClientCa: 'mtls_certificate_store_certificate_expiration_type',
  /** Access mTLS (client CA) certificates. */
  accessClientCa: 'access_custom_certificate_expiration_type',
  /** Access service tokens. */
  serviceToken: 'expiring_service_token_alert',
} as const;

export type ExpiryAlert = keyof typeof EXPIRY_ALERT;

export interface CertificateExpiryAlertsProps {
  /** Cloudflare account id. */
  readonly accountId: string;
  /** Prefix of the policy names, e.g. `prod`. */
  readonly name: string;
  /** What to watch. At least one. */
  readonly watch: readonly ExpiryAlert[];
  /** Mailbox for the alerts. @default none (then `webhook` is required) */
  readonly email?: string;
  /** HTTPS webhook for the alerts. @default none (then `email` is required) */
  readonly webhook?: { readonly name: string; readonly url: string };
}

/** Notification policies that warn before any certificate the edge depends on expires. */
export class CertificateExpiryAlerts extends Construct {
  readonly policies: ReadonlyMap<ExpiryAlert, NotificationPolicy>;

  constructor(scope: Construct, id: string, props: CertificateExpiryAlertsProps) {
    super(scope, id);
    const nowhere = alertDestinationProblem(props);
    if (nowhere) throw new Error(`CertificateExpiryAlerts ${id}: ${nowhere}`);
    if (props.webhook && !/^https:\/\//.test(props.webhook.url)) {
      throw new Error(`CertificateExpiryAlerts ${id}: webhook url ${JSON.stringify(props.webhook.url)} must start with https://`);
    }
    // The env schema refuses it naming the field; this is the construct's own backstop (no URL quoted: it holds the secret).
    const credential = props.webhook && webhookCredentialProblem(props.webhook.url);
    if (credential) throw new Error(`CertificateExpiryAlerts ${id}: webhook url: ${credential}`);
    if (props.watch.length === 0) throw new Error(`CertificateExpiryAlerts ${id}: expected at least one certificate kind to watch`);
    const webhook = props.webhook
      ? new NotificationPolicyWebhooks(this, 'Webhook', { accountId: props.accountId, name: props.webhook.name, url: props.webhook.url })
      : undefined;
    const mechanisms = {
      ...(props.email ? { email: [{ id: props.email }] } : {}),
      ...(webhook ? { webhooks: [{ id: webhook.id }] } : {}),
    };
    const policies = new Map<ExpiryAlert, NotificationPolicy>();
    for (const kind of new Set(props.watch)) {
      policies.set(
        kind,
        new NotificationPolicy(this, `Expiry-${kind}`, {
          accountId: props.accountId,
          name: `${props.name}: ${kind} expiring`,
          alertType: EXPIRY_ALERT[kind],
          enabled: true,
          mechanisms,
        }),
      );
    }
    this.policies = policies;
  }
}
