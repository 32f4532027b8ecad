import { Construct } from 'constructs';
import { ZeroTrustAccessServiceToken } from '@cdktf/provider-cloudflare/lib/zero-trust-access-service-token';

export interface AccessServiceTokensProps {
  /** Cloudflare account id (service tokens are account-level). */
  readonly accountId: string;
  /** Prefix of every token's name, e.g. `staging`. */
  readonly name: string;
  /** Token names, as env files list them under `access.serviceTokens`. */
  readonly tokens: readonly string[];
  /** How long a token is valid. @default "8760h" (a year; an expiry alert watches it) */
  readonly duration?: string;
}

/**
 * Access service tokens, by name. Cloudflare returns each token's client secret once and
 * the provider keeps it in state, so this construct belongs in the custody stack; the
 * edge stack's Access policies admit a token by its id, which is public.
 */
export class AccessServiceTokens extends Construct {
  /** Token id by name. */
  readonly ids: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: AccessServiceTokensProps) {
    super(scope, id);
    const ids = new Map<string, string>();
    for (const tokenName of new Set(props.tokens)) {
      if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(tokenName)) throw new Error(`AccessServiceTokens ${id}: token name ${JSON.stringify(tokenName)} must be lowercase letters, digits and dashes`);
      // The id as before the custody split (`Access/ServiceToken-<name>`), so the state address is unchanged.
      const token = new ZeroTrustAccessServiceToken(this, `ServiceToken-${tokenName}`, {
        accountId: props.accountId,
        name: `${props.name}-${tokenName}`,
        duration: props.duration ?? '8760h',
      });
      ids.set(tokenName, token.id);
    }
    this.ids = ids;
  }
}
