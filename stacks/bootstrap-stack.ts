import { LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import type { ResolvedEnvironment } from '../envs/resolve';
import { kmsAliasName, prefixCovers, s3StateLayout, type S3StateLayout } from '../envs/state-layout';
import { ConfigError, type ConfigProblem } from '../lib/errors';
import { bootstrapStackName, PIPELINE_ROLES, pipelineGithubEnvironment, pipelineRoleName, type PipelineRole as PipelineRoleKind } from '../lib/naming';
import { GITHUB_OIDC_HOST, PipelineRole } from '../modules/bootstrap/pipeline-role';
import { StateBucket } from '../modules/bootstrap/state-bucket';
import { StateKey } from '../modules/bootstrap/state-key';
import { pipelineStatements } from './pipeline-permissions';

/** One S3-backed environment as the bootstrap sees it: its state layout and key aliases. */
export interface BootstrapEnvironment {
  readonly env: ResolvedEnvironment;
  readonly layout: S3StateLayout;
  readonly publicAlias: string;
  readonly custodyAlias: string;
  readonly repository: string;
}

/** The S3-backed environments of one AWS account. */
export interface BootstrapMembers {
  readonly accountId: string;
  /** Region of the state buckets and keys (one per account, checked). */
  readonly region: string;
  readonly environments: readonly BootstrapEnvironment[];
}

/** `aws-us-gov` for GovCloud regions, `aws-cn` for China, else `aws`. */
export function partitionOf(region: string): string {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

/** `arn:aws:iam::111111111111:role/edge-mtls-dev-plan`: literal, so policies need not wait for the role. */
export function pipelineRoleArn(env: ResolvedEnvironment, role: PipelineRoleKind): string {
  const { region, accountId } = env.config.aws;
  return `arn:${partitionOf(region)}:iam::${accountId}:role/${pipelineRoleName(env.config.name, role)}`;
}

/** The roles that must never see custody state. */
export const STATE_READER_ROLES: readonly PipelineRoleKind[] = ['plan', 'drift'];

/**
 * Groups ALL S3-backed environments by AWS account and checks what only the account
 * view shows: one state region per account, a bucket in one account only, no key alias
 * used for public state by one environment and custody state by another, and no public
 * prefix covering another environment's custody prefix in a shared bucket. (The schema
 * already checked each environment alone, so aliases resolve here.)
 */
export function bootstrapMembers(all: readonly ResolvedEnvironment[]): BootstrapMembers[] {
  const problems: ConfigProblem[] = [];
  const byAccount = new Map<string, BootstrapEnvironment[]>();
  const bucketAccount = new Map<string, { account: string; file: string }>();
  for (const env of all) {
    const b = env.config.backend;
    if (b.type !== 's3') continue;
    const home = { region: b.region, accountId: env.config.aws.accountId };
    const publicAlias = b.kmsKeyId === undefined ? undefined : kmsAliasName(b.kmsKeyId, home);
    const custodyAlias = kmsAliasName(b.custodyKmsKeyId, home);
    if (!publicAlias || !('alias' in publicAlias) || !('alias' in custodyAlias) || env.config.bootstrap === undefined) continue; // reported by the schema
    const owner = bucketAccount.get(b.bucket);
    if (owner && owner.account !== home.accountId) {
      problems.push({ file: env.file, field: 'backend.bucket', message: `"${b.bucket}" is also the state bucket of ${owner.file} in AWS account ${owner.account}; each account's bootstrap creates its own bucket, so use another name` });
      continue;
    }
    bucketAccount.set(b.bucket, { account: home.accountId, file: env.file });
    const member = { env, layout: s3StateLayout(b), publicAlias: publicAlias.alias, custodyAlias: custodyAlias.alias, repository: env.config.bootstrap.githubRepository };
    byAccount.set(home.accountId, [...(byAccount.get(home.accountId) ?? []), member]);
  }
  const members: BootstrapMembers[] = [];
  for (const [accountId, envs] of byAccount) {
    const region = envs[0].layout.region;
    for (const e of envs.filter((x) => x.layout.region !== region)) {
      problems.push({ file: e.env.file, field: 'backend.region', message: `"${e.layout.region}" differs from ${envs[0].env.file} (${region}); one bootstrap per AWS account keeps every state bucket and key in one region` });
    }
    for (const e of envs) {
      // The same environment's own overlaps are the schema's (custodyStateApart).
      for (const other of envs.filter((o) => o !== e)) {
        if (other.publicAlias === e.custodyAlias) {
          problems.push({ file: e.env.file, field: 'backend.custodyKmsKeyId', message: `"${e.custodyAlias}" is the public state key of ${other.env.file}; its plan and drift roles would decrypt this custody state` });
        }
        if (other.layout.bucket === e.layout.bucket && prefixCovers(other.layout.publicPrefix, e.layout.custodyPrefix)) {
          problems.push({ file: e.env.file, field: 'backend.custodyKeyPrefix', message: `"${e.layout.custodyPrefix}" lies under ${other.env.file}'s backend.keyPrefix "${other.layout.publicPrefix}" in the same bucket; its plan and drift roles would read this custody state` });
        }
      }
    }
    members.push({ accountId, region, environments: envs });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return members;
}

export interface AwsBootstrapStackProps {
  readonly members: BootstrapMembers;
}

/**
 * `aws-bootstrap-<account id>`: everything the workflows assume exists in one AWS
 * account, for every S3-backed environment of it. The state bucket(s), the public and
 * custody state keys under the aliases the env files name, GitHub's OIDC provider, and
 * per environment the roles plan, drift, custody-drift and deploy.
 *
 * Its own state is local (`terraform-state/bootstrap/<stack>.tfstate`): it creates the
 * bucket a remote backend would need, and it holds no secret (names, ARNs, policies).
 * An administrator applies it once per account, and again when an environment is added
 * or its permissions change; no workflow runs it (the pipeline roles cannot change
 * themselves).
 */
export class AwsBootstrapStack extends TerraformStack {
  /** Per environment, per role kind. */
  readonly roles = new Map<string, Map<PipelineRoleKind, PipelineRole>>();
  readonly keys = new Map<string, StateKey>();
  readonly buckets = new Map<string, StateBucket>();

  constructor(scope: Construct, props: AwsBootstrapStackProps) {
    const { accountId, region, environments } = props.members;
    super(scope, bootstrapStackName(accountId));
    const partition = partitionOf(region);
    new LocalBackend(this, { path: `terraform-state/bootstrap/${this.node.id}.tfstate` });
    new AwsProvider(this, 'aws', {
      region,
      allowedAccountIds: [accountId],
      defaultTags: [{ tags: { Stack: this.node.id, ManagedBy: 'cdktf' } }],
    });

    const readers = environments.flatMap((e) => STATE_READER_ROLES.map((r) => pipelineRoleArn(e.env, r)));
    const keyFor = (alias: string, custody: boolean): StateKey => {
      let key = this.keys.get(alias);
      if (key === undefined) {
        const id = `${custody ? 'Custody' : 'Public'}StateKey-${alias.slice('alias/'.length).replace(/[^\w-]/g, '-')}`;
        key = new StateKey(this, id, {
          alias,
          partition,
          accountId,
          purpose: custody ? 'custody stacks (private keys); never the plan or drift roles' : 'public stacks',
          deniedPrincipalArns: custody ? readers : undefined,
        });
        this.keys.set(alias, key);
      }
      return key;
    };
    for (const e of environments) {
      keyFor(e.publicAlias, false);
      keyFor(e.custodyAlias, true);
    }

    for (const bucket of [...new Set(environments.map((e) => e.layout.bucket))]) {
      const users = environments.filter((e) => e.layout.bucket === bucket);
      this.buckets.set(
        bucket,
        new StateBucket(this, `StateBucket-${bucket}`, {
          bucketName: bucket,
          partition,
          // Objects written without naming a key are treated as custody: unreadable by default.
          defaultKmsKeyArn: this.keys.get(users[0].custodyAlias)!.keyArn,
          forbidden: [{ principalArns: users.flatMap((e) => STATE_READER_ROLES.map((r) => pipelineRoleArn(e.env, r))), prefixes: users.map((e) => e.layout.custodyPrefix) }],
        }),
      );
    }

    const github = new IamOpenidConnectProvider(this, 'GithubOidc', {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdList: ['sts.amazonaws.com'],
      // AWS no longer checks these for GitHub's issuer (it trusts the CA), but older
      // provider versions require the attribute; GitHub's published intermediates.
      thumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1', '1c58a3a8518e8759bf075b76b750d4f2df264fcd'],
    });
    new TerraformOutput(this, 'github_oidc_provider_arn', { value: github.arn });

    for (const e of environments) {
      const name = e.env.config.name;
      const inputs = { env: e.env, layout: e.layout, partition, publicKeyArn: this.keys.get(e.publicAlias)!.keyArn, custodyKeyArn: this.keys.get(e.custodyAlias)!.keyArn };
      const roles = new Map<PipelineRoleKind, PipelineRole>();
      for (const kind of PIPELINE_ROLES) {
        const role = new PipelineRole(this, `${name}-${kind}`, {
          name: pipelineRoleName(name, kind),
          oidcProviderArn: github.arn,
          repository: e.repository,
          githubEnvironment: pipelineGithubEnvironment(name, kind),
          purpose: `${name} pipeline: ${kind} (GitHub environment ${pipelineGithubEnvironment(name, kind)})`,
          statements: pipelineStatements(kind, inputs),
        });
        roles.set(kind, role);
        // The value for the GitHub environment's variable (PLAN_ROLE_ARN, DRIFT_ROLE_ARN, ...).
        new TerraformOutput(this, `${name}_${kind.replace('-', '_')}_role_arn`, { value: role.role.arn });
      }
      this.roles.set(name, roles);
    }
  }
}
