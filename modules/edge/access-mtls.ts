import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { accessCertificatePolicyProblem } from '../../lib/rules';
import { ZeroTrustAccessApplication } from '@cdktf/provider-cloudflare/lib/zero-trust-access-application';
import { ZeroTrustAccessMtlsCertificate } from '@cdktf/provider-cloudflare/lib/zero-trust-access-mtls-certificate';
import { ZeroTrustAccessPolicy, ZeroTrustAccessPolicyInclude } from '@cdktf/provider-cloudflare/lib/zero-trust-access-policy';
import { checkClientCa } from './certificate-checks';
import { CREATE_BEFORE_DESTROY } from './replacement';

/**
 * Who may reach one Access-protected hostname. A certificate rule is mandatory; service
 * tokens are only an alternative for clients that cannot hold a certificate.
 */
export interface AccessProtectedHost {
  readonly hostname: string;
  /** Admit any certificate that chains to the client CA. @default false */
  readonly anyValidCertificate?: boolean;
  /** Admit only these common names (the chain must still verify). @default none */
  readonly commonNames?: readonly string[];
  /** Names of service tokens admitted as well. @default none */
  readonly serviceTokens?: readonly string[];
}

export interface AccessMtlsProps {
  /** Cloudflare account id (Access objects are account-level). */
  readonly accountId: string;
  /** Prefix of every Access object's name, e.g. `prod`. */
  readonly name: string;
  /** PEM of the root CA (plus intermediates) that issues client certificates. */
  readonly clientCaPem: string;
  /** Hostnames to put behind Access. At least one. */
  readonly hosts: readonly AccessProtectedHost[];
  /**
   * Ids of the service tokens hosts name (AccessServiceTokens, in the custody stack), by
   * token name. Required for every name a host lists.
   * @default none
   */
  readonly serviceTokenIds?: ReadonlyMap<string, string>;
  /** How long a `CF_Authorization` session lasts. @default "24h" */
  readonly sessionDuration?: string;
}

/**
 * Cloudflare Access with mTLS: the client CA associated with the protected hostnames, one
 * self-hosted application per hostname, and reusable Service Auth (`non_identity`)
 * policies, so a machine is never sent to a login page and no hostname is left open.
 * Client-certificate forwarding is an account-wide list (`AccessHostnameSettings`), so
 * it lives in the account stack, not here.
 */
export class AccessMtls extends Construct {
  readonly clientCa: ZeroTrustAccessMtlsCertificate;
  readonly applications: ReadonlyMap<string, ZeroTrustAccessApplication>;
  /** Reusable policies, by a stable key (`valid-certificate`, `cn:<names>`, `token:<name>`). */
  readonly policies: ReadonlyMap<string, ZeroTrustAccessPolicy>;

  constructor(scope: Construct, id: string, props: AccessMtlsProps) {
    super(scope, id);
    const what = `AccessMtls ${id}`;
    checkClientCa(props.clientCaPem, `${what}: clientCaPem`);
    if (props.hosts.length === 0) throw new Error(`${what}: expected at least one hostname, got none`);
    const hostnames = props.hosts.map((h) => h.hostname);
    const duplicate = hostnames.find((h, i) => hostnames.indexOf(h) !== i);
    if (duplicate) throw new Error(`${what}: hostname ${JSON.stringify(duplicate)} is listed twice`);

    this.clientCa = new ZeroTrustAccessMtlsCertificate(this, 'ClientCa', {
      accountId: props.accountId,
      name: `${props.name}-access-client-ca`,
      certificate: props.clientCaPem,
      // An application's hostname must be associated with the CA, or Access never asks for a certificate.
      associatedHostnames: hostnames,
      // Access keeps asking for certificates only while a CA exists: the new one first.
      lifecycle: CREATE_BEFORE_DESTROY,
    });

    const policies = new Map<string, ZeroTrustAccessPolicy>();
    const policy = (key: string, label: string, include: ZeroTrustAccessPolicyInclude[], requireCertificate: boolean) => {
      let p = policies.get(key);
      if (!p) {
        p = new ZeroTrustAccessPolicy(this, policyId(key), {
          accountId: props.accountId,
          name: `${props.name}: ${label}`,
          decision: 'non_identity',
          include,
          // Include rules are OR-ed; this AND makes a common-name match also need a verified chain.
          ...(requireCertificate ? { require: [{ certificate: {} }] } : {}),
        });
        policies.set(key, p);
      }
      return p;
    };

    const applications = new Map<string, ZeroTrustAccessApplication>();
    for (const host of props.hosts) {
      const attached: ZeroTrustAccessPolicy[] = [];
      const problem = accessCertificatePolicyProblem(host);
      if (problem) throw new Error(`${what}: ${host.hostname}: ${problem}`);
      const names = host.commonNames ? [...new Set(host.commonNames)].sort() : undefined;
      if (host.anyValidCertificate) attached.push(policy('valid-certificate', 'valid client certificate', [{ certificate: {} }], false));
      else if (names) {
        attached.push(policy(`cn:${names.join(',')}`, `client certificate CN ${names.join(' or ')}`, names.map((commonName) => ({ commonName: { commonName } })), true));
      }
      for (const tokenName of host.serviceTokens ?? []) {
        const tokenId = props.serviceTokenIds?.get(tokenName);
        if (tokenId === undefined) throw new Error(`${what}: ${host.hostname}: service token ${JSON.stringify(tokenName)} has no id; pass serviceTokenIds from the custody stack's AccessServiceTokens`);
        attached.push(policy(`token:${tokenName}`, `service token ${tokenName}`, [{ serviceToken: { tokenId } }], false));
      }
      applications.set(
        host.hostname,
        new ZeroTrustAccessApplication(this, `Application-${host.hostname}`, {
          accountId: props.accountId,
          name: `${props.name}: ${host.hostname}`,
          type: 'self_hosted',
          domain: host.hostname,
          sessionDuration: props.sessionDuration ?? '24h',
          appLauncherVisible: false,
          policies: attached.map((p, i) => ({ id: p.id, precedence: i + 1 })),
          dependsOn: [this.clientCa],
        }),
      );
    }
    this.applications = applications;
    this.policies = policies;
  }
}

/**
 * A construct id for a policy key. Ids keep only a few characters, so two keys that
 * differ only in the dropped ones (`cn:a b` and `cn:a_b`, or the names `a-b` and `a`,`b`)
 * would otherwise collide; a digest of the exact key keeps every id distinct.
 */
function policyId(key: string): string {
  return `Policy-${key.replace(/[^a-z0-9.-]/g, '-').slice(0, 60)}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}
