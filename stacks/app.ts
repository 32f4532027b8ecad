import { App, TerraformStack } from 'cdktf';
import { resolveEnvironments, type ResolveOptions, type ResolvedEnvironment } from '../envs/resolve';
import { ConfigError } from '../lib/errors';
import { accountMembers, CloudflareAccountStack } from './account-stack';
import { AwsBootstrapStack, bootstrapMembers } from './bootstrap-stack';
import { buildEnvironment, type EnvironmentStacks } from './environment';
import { singletonConflicts } from './singletons';

export interface BuildAppOptions {
  /** Output folder. @default cdktf's own choice: CDKTF_OUTDIR or `cdktf.out` */
  readonly outdir?: string;
  /** Comma-separated environments, as in `ENVS=dev,prod`. @default all of `envs/*.yaml` */
  readonly selector?: string;
  /** Folder of the environment files. @default `envs` */
  readonly envsDir?: string;
  /** Expiry moment and project folder for the files env files name. @default now, the parent of envsDir */
  readonly resolve?: ResolveOptions;
}

export interface BuiltApp {
  readonly app: App;
  /** The selected environments, resolved. */
  readonly environments: readonly ResolvedEnvironment[];
  readonly stacks: ReadonlyMap<string, EnvironmentStacks>;
  /** One per Cloudflare account with account-wide objects (`cloudflare-account-<id>`). */
  readonly accountStacks: readonly CloudflareAccountStack[];
  /** One per AWS account with S3-backed environments (`aws-bootstrap-<id>`), applied once by an administrator. */
  readonly bootstrapStacks: readonly AwsBootstrapStack[];
}

/**
 * Resolves every environment first (throwing a ConfigError listing every problem of
 * every env file, selected or not) and only then constructs the selected ones, so bad
 * input never reaches the outdir.
 */
export function buildApp(options: BuildAppOptions = {}): BuiltApp {
  const { selected: environments, all } = resolveEnvironments(options.selector, options.envsDir, options.resolve);
  const app = new App({ outdir: options.outdir, skipValidation: false });
  const stacks = new Map<string, EnvironmentStacks>();
  for (const env of environments) stacks.set(env.config.name, buildEnvironment(app, env));
  // One stack per Cloudflare account used by a selected environment, holding what every
  // environment of that account (selected or not) contributes to account-wide lists.
  const accounts = new Set(environments.map((e) => e.config.cloudflare.accountId));
  const accountStacks = accountMembers(all)
    .filter((m) => accounts.has(m.accountId) && CloudflareAccountStack.needed(m))
    .map((members) => new CloudflareAccountStack(app, { members }));
  // The account stack's Access hostname settings name hostnames whose Access CA each
  // environment's edge stack uploads (and associates): apply and deploy run it after
  // those edge stacks (a stack dependency in the manifest, which their graph follows).
  for (const account of accountStacks) {
    for (const env of account.accessEnvironments) {
      const edge = stacks.get(env.config.name)?.edge;
      if (edge) account.addDependency(edge);
    }
  }
  // One bootstrap per AWS account of a selected S3-backed environment, with the roles of
  // every S3-backed environment of that account (selected or not): the account has one
  // OIDC provider and its buckets are shared.
  const awsAccounts = new Set(environments.filter((e) => e.config.backend.type === 's3').map((e) => e.config.aws.accountId));
  const bootstrapStacks = bootstrapMembers(all)
    .filter((m) => awsAccounts.has(m.accountId))
    .map((members) => new AwsBootstrapStack(app, { members }));
  const conflicts = singletonConflicts(app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack));
  if (conflicts.length > 0) throw new ConfigError(conflicts.map((message) => ({ file: 'envs/', field: 'cloudflare', message })));
  return { app, environments, stacks, accountStacks, bootstrapStacks };
}
