import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { ResolvedEnvironment } from '../envs/resolve';
import { ConfigError, type ConfigProblem } from '../lib/errors';
import { accountStackName } from '../lib/naming';
import { AccessHostnameSettings } from '../modules/edge/access-hostname-settings';
import { useCloudflareProvider, useEnvironmentBackend } from './env-stack';

/** The environments sharing one Cloudflare account, and the one whose backend keeps the account stack's state. */
export interface AccountMembers {
  readonly accountId: string;
  readonly owner: ResolvedEnvironment;
  /** Every environment using the account, selected or not. */
  readonly environments: readonly ResolvedEnvironment[];
}

/** Hostnames of an environment that sit behind Access with mTLS. */
export const accessHostnamesOf = (env: ResolvedEnvironment): string[] => env.config.hostnames.filter((h) => h.access !== undefined).map((h) => h.name);

/**
 * Groups ALL environments by Cloudflare account (a selection of one environment still
 * manages the whole account's lists) and picks the owner of each account stack: the only
 * environment of the account, or the one that sets `cloudflare.ownsAccountStack`.
 */
export function accountMembers(all: readonly ResolvedEnvironment[]): AccountMembers[] {
  const byAccount = new Map<string, ResolvedEnvironment[]>();
  for (const env of all) byAccount.set(env.config.cloudflare.accountId, [...(byAccount.get(env.config.cloudflare.accountId) ?? []), env]);
  const problems: ConfigProblem[] = [];
  const members: AccountMembers[] = [];
  for (const [accountId, envs] of byAccount) {
    const owners = envs.filter((e) => e.config.cloudflare.ownsAccountStack);
    if (owners.length > 1) {
      for (const env of owners) {
        const others = owners.filter((o) => o !== env).map((o) => o.file).join(', ');
        problems.push({ file: env.file, field: 'cloudflare.ownsAccountStack', message: `also set by ${others}; exactly one environment of Cloudflare account ${accountId} may own its account stack` });
      }
      continue;
    }
    if (envs.length > 1 && owners.length === 0) {
      const names = envs.map((e) => e.file).join(', ');
      problems.push({ file: envs[0].file, field: 'cloudflare.ownsAccountStack', message: `Cloudflare account ${accountId} is shared by ${names}; set it to true in exactly one of them (that environment's backend keeps the account stack's state)` });
      continue;
    }
    members.push({ accountId, owner: owners[0] ?? envs[0], environments: envs });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return members;
}

export interface CloudflareAccountStackProps {
  readonly members: AccountMembers;
}

/**
 * `cloudflare-account-<account id>`: the account-wide lists every environment of the
 * account contributes to, in one stack so they have one owner. Today: the Access mTLS
 * hostname settings (client-certificate forwarding) of every Access hostname of every
 * environment in the account. It depends on the selected environments' edge stacks
 * (stacks/app.ts), which create the Access CAs those hostnames are associated with, so
 * apply and deploy run it after them.
 */
export class CloudflareAccountStack extends TerraformStack {
  readonly accessHostnameSettings?: AccessHostnameSettings;
  /** The environments whose Access hostnames the settings list: their edge stacks upload the Access CAs, so they are applied first. */
  readonly accessEnvironments: readonly ResolvedEnvironment[];

  constructor(scope: Construct, props: CloudflareAccountStackProps) {
    const { accountId, owner, environments } = props.members;
    super(scope, accountStackName(accountId));
    useEnvironmentBackend(this, owner);
    useCloudflareProvider(this);
    this.accessEnvironments = environments.filter((e) => accessHostnamesOf(e).length > 0);
    const hostnames = environments.flatMap(accessHostnamesOf);
    if (hostnames.length > 0) this.accessHostnameSettings = new AccessHostnameSettings(this, 'AccessMtlsHostnames', { accountId, hostnames });
  }

  /** Whether the account has anything account-wide to manage (else no stack is built). */
  static needed(members: AccountMembers): boolean {
    return members.environments.some((e) => accessHostnamesOf(e).length > 0);
  }
}
