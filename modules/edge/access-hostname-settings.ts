import { Construct } from 'constructs';
import { ZeroTrustAccessMtlsHostnameSettings } from '@cdktf/provider-cloudflare/lib/zero-trust-access-mtls-hostname-settings';

export interface AccessHostnameSettingsProps {
  readonly accountId: string;
  /** Every Access mTLS hostname of every environment in the account. At least one. */
  readonly hostnames: readonly string[];
}

/**
 * Access mTLS hostname settings: client-certificate forwarding on (the origin receives
 * `Cf-Client-Cert-*` headers) for each hostname. The API keeps ONE list per account and
 * every write replaces all of it, so this construct must hold the hostnames of every
 * environment in the account, in one stack per account: two owners would erase each
 * other's hostnames on every apply.
 */
export class AccessHostnameSettings extends Construct {
  readonly settings: ZeroTrustAccessMtlsHostnameSettings;
  readonly hostnames: readonly string[];

  constructor(scope: Construct, id: string, props: AccessHostnameSettingsProps) {
    super(scope, id);
    if (props.hostnames.length === 0) throw new Error(`AccessHostnameSettings ${id}: expected at least one hostname, got none (an empty list would clear the account's settings)`);
    const duplicate = props.hostnames.find((h, i) => props.hostnames.indexOf(h) !== i);
    if (duplicate) throw new Error(`AccessHostnameSettings ${id}: hostname ${JSON.stringify(duplicate)} is listed twice`);
    // Sorted, so the list (and the plan) does not depend on the order environments were read.
    this.hostnames = [...props.hostnames].sort();
    this.settings = new ZeroTrustAccessMtlsHostnameSettings(this, 'ForwardClientCertificate', {
      accountId: props.accountId,
      settings: this.hostnames.map((hostname) => ({ hostname, clientCertificateForwarding: true, chinaNetwork: false })),
    });
  }
}
