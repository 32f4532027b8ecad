/**
 * The naming contract shared by everything that builds stacks or reads them back:
 * a stack is `<environment>-<concern>`, and a host carries a `Role` tag saying what
 * it is for. Environment names cannot contain a dash (the schema's ENV_NAME), so the
 * split is unambiguous. Build and parse names only through this file.
 */

/** The parts an environment is split into; each is one stack. */
export const CONCERNS = ['pki', 'origin', 'edge', 'keyless'] as const;
export type Concern = (typeof CONCERNS)[number];

/** `dev` + `origin` -> `dev-origin`. */
export function stackName(environment: string, concern: Concern): string {
  return `${environment}-${concern}`;
}

export interface ParsedStackName {
  readonly environment: string;
  readonly concern: Concern;
}

/** `dev-origin` -> { environment: 'dev', concern: 'origin' }; undefined for any other shape. */
export function parseStackName(name: string): ParsedStackName | undefined {
  const dash = name.indexOf('-');
  if (dash <= 0) return undefined;
  const concern = name.slice(dash + 1);
  if (!(CONCERNS as readonly string[]).includes(concern)) return undefined;
  return { environment: name.slice(0, dash), concern: concern as Concern };
}

/**
 * Concerns whose stacks hold private keys or secrets in their state (key custody):
 * `pki` keeps the CA and leaf keys and every upload or import that sends a private key,
 * plus the keyless tunnel token. Their state has its own prefix and KMS key, only the
 * deploy and custody-drift roles can read it, and no other stack reads it: public
 * material leaves them through SSM `String` parameters (PUBLIC_PARAMETER_PREFIX).
 */
export const CUSTODY_CONCERNS: readonly Concern[] = ['pki'];

/** True for `<env>-pki` and any other stack of a custody concern. */
export function isCustodyStack(stack: string): boolean {
  const parsed = parseStackName(stack);
  return parsed !== undefined && CUSTODY_CONCERNS.includes(parsed.concern);
}

/**
 * SSM path under which a custody stack publishes the public material other stacks
 * read (certificate PEMs, certificate ids, ARNs): `/edge-mtls/<env>/public/`.
 */
export function publicParameterPrefix(environment: string): string {
  return `/edge-mtls/${environment}/public`;
}

/** True when `stack` belongs to `environment`. */
export function isStackOf(stack: string, environment: string): boolean {
  return parseStackName(stack)?.environment === environment;
}

/**
 * What a host is for, written to its `Role` tag. Policy rules key on it: only the
 * demo origin may accept traffic (from the tunnel connector), key servers never.
 */
export const HOST_ROLES = { keyServer: 'keyless-key-server', demoOrigin: 'demo-origin' } as const;
export type HostRole = (typeof HOST_ROLES)[keyof typeof HOST_ROLES];

/**
 * Tags the project writes itself: `Environment`, `Stack` and `ManagedBy` on every AWS
 * resource (provider default tags) and `Name`, `Role`, `BootConfigSha256` on hosts. An
 * env file may not set them: a default tag silently loses to a resource tag of the same
 * key, and policy rules and reviews read `Role` and `Environment`.
 */
export const PROJECT_TAG_KEYS = ['Environment', 'Stack', 'ManagedBy', 'Name', 'Role', 'BootConfigSha256'] as const;

/** AWS allows 50 tags per resource; the project's own tags count against that. */
export const MAX_USER_TAGS = 50 - PROJECT_TAG_KEYS.length;

/**
 * Account-wide Cloudflare objects (one list per account, such as Access mTLS hostname
 * settings) live in one stack per Cloudflare account, shared by every environment that
 * uses the account: `cloudflare-account-<account id>`. It is not an environment's stack,
 * so parseStackName does not claim it.
 */
export const ACCOUNT_STACK_PREFIX = 'cloudflare-account';

/** `0123...cdef` -> `cloudflare-account-0123...cdef`. */
export function accountStackName(accountId: string): string {
  return `${ACCOUNT_STACK_PREFIX}-${accountId}`;
}

/** The account id of an account stack's name, or undefined for any other name. */
export function parseAccountStackName(name: string): string | undefined {
  const prefix = `${ACCOUNT_STACK_PREFIX}-`;
  return name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : undefined;
}

/**
 * What every AWS account with S3-backed environments needs before any pipeline runs
 * (the state bucket, its keys, GitHub's OIDC provider, the pipeline roles) lives in one
 * stack per account, applied once by an administrator: `aws-bootstrap-<account id>`.
 * It is not an environment's stack either.
 */
export const BOOTSTRAP_STACK_PREFIX = 'aws-bootstrap';

/** `111111111111` -> `aws-bootstrap-111111111111`. */
export function bootstrapStackName(accountId: string): string {
  return `${BOOTSTRAP_STACK_PREFIX}-${accountId}`;
}

/** The account id of a bootstrap stack's name, or undefined for any other name. */
export function parseBootstrapStackName(name: string): string | undefined {
  const prefix = `${BOOTSTRAP_STACK_PREFIX}-`;
  return name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : undefined;
}

/**
 * The roles the workflows assume, one set per environment. Each is trusted only for the
 * GitHub environment `<env>-<role>` of the configured repository.
 */
export const PIPELINE_ROLES = ['plan', 'drift', 'custody-drift', 'deploy'] as const;
export type PipelineRole = (typeof PIPELINE_ROLES)[number];

/** `dev` + `plan` -> `edge-mtls-dev-plan` (the IAM role name). */
export function pipelineRoleName(environment: string, role: PipelineRole): string {
  return `edge-mtls-${environment}-${role}`;
}

/** `dev` + `plan` -> `dev-plan` (the GitHub environment the role trusts). */
export function pipelineGithubEnvironment(environment: string, role: PipelineRole): string {
  return `${environment}-${role}`;
}
