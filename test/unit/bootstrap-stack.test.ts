import { join } from 'node:path';
import { loadEnvironment } from '../../envs/load';
import { resolveEnvironments } from '../../envs/resolve';
import { s3StateLayout, type S3StateLayout } from '../../envs/state-layout';
import { ConfigError } from '../../lib/errors';
import { PIPELINE_ROLES, pipelineRoleName, type PipelineRole } from '../../lib/naming';
import { bootstrapMembers } from '../../stacks/bootstrap-stack';
import { evaluate, type Decision, type IamRequest } from '../../tools/policy/evaluate';
import type { Statement } from '../../tools/policy/statements';
import { bootstrapPolicies, concrete, type BootstrapPolicies } from '../support/bootstrap';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { synthStacks } from '../support/synth';

/**
 * The account bootstrap's roles, proven with the project's IAM evaluator
 * (tools/policy/evaluate.ts) over the policies exactly as synthesized: the plan and
 * drift roles can read the public state of their environment and decrypt its key, and
 * can neither read a custody state object nor decrypt the custody key, by their own
 * policy (implicit deny) and again by the bucket and key policies (explicit deny).
 * test/integration/bootstrap-moto.test.ts proves the same against moto.
 */

const stacks = synthStacks();
const ACCOUNTS = { '111111111111': ['dev', 'staging'], '222222222222': ['prod'] } as const;

interface Env {
  readonly name: string;
  readonly account: string;
  readonly layout: S3StateLayout;
  readonly policies: BootstrapPolicies;
}

const environments: Env[] = Object.entries(ACCOUNTS).flatMap(([account, names]) => {
  const json = stacks.get(`aws-bootstrap-${account}`);
  if (json === undefined) throw new Error(`no stack aws-bootstrap-${account} among ${[...stacks.keys()].join(', ')}`);
  const policies = bootstrapPolicies(json);
  return names.map((name) => {
    const backend = loadEnvironment(name).config.backend;
    if (backend.type !== 's3') throw new Error(`${name} has no s3 backend`);
    return { name, account, layout: s3StateLayout(backend), policies };
  });
});

/** The key's stand-in ARN: what `concrete` writes for its reference. */
const keyArn = (env: Env, which: 'public' | 'custody'): string => {
  const alias = (which === 'public' ? env.layout.publicKmsKeyId! : env.layout.custodyKmsKeyId).replace(/^arn:.*:(alias\/.*)$/, '$1');
  const key = env.policies.keys.get(alias);
  if (key === undefined) throw new Error(`no key with alias ${alias}; the stack has ${[...env.policies.keys.keys()].join(', ')}`);
  return concrete([{ effect: 'Allow', actions: [], notActions: [], resources: [key.arnReference], conditions: [] }])[0].resources[0];
};

const roleArn = (env: Env, role: PipelineRole): string => `arn:aws:iam::${env.account}:role/${pipelineRoleName(env.name, role)}`;
const object = (env: Env, prefix: string, key: string): string => `arn:aws:s3:::${env.layout.bucket}/${prefix}/${key}`;

/** The decision for `role` alone (its identity policy), and with the resource's own policy. */
function decide(env: Env, role: PipelineRole, request: Omit<IamRequest, 'principalArn' | 'context'>, resourcePolicy?: Statement[]): { identity: Decision; withResourcePolicy: Decision } {
  const identity = concrete(env.policies.roles.get(pipelineRoleName(env.name, role))!.permissions);
  const principalArn = roleArn(env, role);
  const full = { ...request, principalArn, context: { 'aws:PrincipalArn': principalArn, 'aws:SecureTransport': 'true' } };
  return { identity: evaluate([identity], full), withResourcePolicy: evaluate([identity, ...(resourcePolicy ? [concrete(resourcePolicy)] : [])], full) };
}

const custodyKeyPolicy = (env: Env): Statement[] => env.policies.keys.get(env.layout.custodyKmsKeyId.replace(/^arn:.*:(alias\/.*)$/, '$1'))!.policy;
const publicKeyPolicy = (env: Env): Statement[] => env.policies.keys.get(env.layout.publicKmsKeyId!.replace(/^arn:.*:(alias\/.*)$/, '$1'))!.policy;
const bucketPolicy = (env: Env): Statement[] => env.policies.buckets.get(env.layout.bucket)!;

describe.each(environments.map((e) => [e.name, e] as const))('aws-bootstrap: the pipeline roles of %s', (_, env) => {
  const custodyState = object(env, env.layout.custodyPrefix, `${env.name}-pki.tfstate`);
  const publicState = object(env, env.layout.publicPrefix, `${env.name}-origin.tfstate`);
  const publicLock = object(env, env.layout.publicPrefix, `${env.name}-origin.tfstate.tflock`);
  const custodyLock = object(env, env.layout.custodyPrefix, `${env.name}-pki.tfstate.tflock`);

  it.each(['plan', 'drift'] as const)('%s cannot read a custody state object nor decrypt the custody key: denied by its policy, and explicitly by the bucket and key policies', (role) => {
    expect(decide(env, role, { action: 's3:GetObject', resource: custodyState }, bucketPolicy(env))).toEqual({ identity: 'implicit-deny', withResourcePolicy: 'explicit-deny' });
    expect(decide(env, role, { action: 's3:GetObjectVersion', resource: custodyState }, bucketPolicy(env))).toEqual({ identity: 'implicit-deny', withResourcePolicy: 'explicit-deny' });
    expect(decide(env, role, { action: 'kms:Decrypt', resource: keyArn(env, 'custody') }, custodyKeyPolicy(env))).toEqual({ identity: 'implicit-deny', withResourcePolicy: 'explicit-deny' });
  });

  it.each(['plan', 'drift'] as const)('%s reads the public state and decrypts the public key, and cannot write state or take the lock', (role) => {
    expect(decide(env, role, { action: 's3:GetObject', resource: publicState }, bucketPolicy(env))).toEqual({ identity: 'allow', withResourcePolicy: 'allow' });
    expect(decide(env, role, { action: 'kms:Decrypt', resource: keyArn(env, 'public') }, publicKeyPolicy(env))).toEqual({ identity: 'allow', withResourcePolicy: 'allow' });
    expect(decide(env, role, { action: 's3:ListBucket', resource: `arn:aws:s3:::${env.layout.bucket}` }).identity).toBe('allow');
    for (const action of ['s3:PutObject', 's3:DeleteObject']) {
      expect(decide(env, role, { action, resource: publicLock }).identity).toBe('implicit-deny');
      expect(decide(env, role, { action, resource: publicState }).identity).toBe('implicit-deny');
    }
    expect(decide(env, role, { action: 'kms:Encrypt', resource: keyArn(env, 'public') }).identity).toBe('implicit-deny');
    expect(decide(env, role, { action: 'ssm:GetParameter', resource: `arn:aws:ssm:eu-west-1:${env.account}:parameter/edge-mtls/${env.name}/public/origin-pull-certificate` }).identity).toBe('allow');
    expect(decide(env, role, { action: 'ssm:GetParameter', resource: `arn:aws:ssm:eu-west-1:${env.account}:parameter/edge-mtls/${env.name}/private` }).identity).toBe('implicit-deny');
  });

  it('custody-drift reads both states and keys and writes nothing; deploy reads and writes both states and their lock files', () => {
    for (const role of ['custody-drift', 'deploy'] as const) {
      expect(decide(env, role, { action: 's3:GetObject', resource: custodyState }, bucketPolicy(env))).toEqual({ identity: 'allow', withResourcePolicy: 'allow' });
      expect(decide(env, role, { action: 'kms:Decrypt', resource: keyArn(env, 'custody') }, custodyKeyPolicy(env))).toEqual({ identity: 'allow', withResourcePolicy: 'allow' });
      expect(decide(env, role, { action: 'kms:Decrypt', resource: keyArn(env, 'public') }).identity).toBe('allow');
    }
    for (const resource of [publicState, publicLock, custodyState, custodyLock]) {
      expect(decide(env, 'custody-drift', { action: 's3:PutObject', resource }).identity).toBe('implicit-deny');
      for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:GetObject']) expect(decide(env, 'deploy', { action, resource }, bucketPolicy(env))).toEqual({ identity: 'allow', withResourcePolicy: 'allow' });
    }
    for (const action of ['kms:Encrypt', 'kms:GenerateDataKey']) for (const which of ['public', 'custody'] as const) expect(decide(env, 'deploy', { action, resource: keyArn(env, which) }).identity).toBe('allow');
  });

  it('custody-drift saves the deploy\'s plans under <custodyKeyPrefix>/plans/ (encrypted with the custody key) and nowhere else; plan and drift cannot read them', () => {
    const plans = custodyState.replace(/\/[^/]+\.tfstate$/, '/plans/12345/x-pki.tfplan');
    expect(decide(env, 'custody-drift', { action: 's3:PutObject', resource: plans }, bucketPolicy(env))).toEqual({ identity: 'allow', withResourcePolicy: 'allow' });
    expect(decide(env, 'custody-drift', { action: 'kms:GenerateDataKey', resource: keyArn(env, 'custody') }).identity).toBe('allow');
    expect(decide(env, 'custody-drift', { action: 'kms:GenerateDataKey', resource: keyArn(env, 'public') }).identity).toBe('implicit-deny');
    expect(decide(env, 'custody-drift', { action: 's3:DeleteObject', resource: plans }).identity).toBe('implicit-deny');
    for (const action of ['s3:GetObject', 's3:DeleteObject']) expect(decide(env, 'deploy', { action, resource: plans }, bucketPolicy(env))).toEqual({ identity: 'allow', withResourcePolicy: 'allow' });
    for (const role of ['plan', 'drift'] as const) expect(decide(env, role, { action: 's3:GetObject', resource: plans }, bucketPolicy(env)).identity).not.toBe('allow');
  });

  it('no role reads another environment\'s state', () => {
    for (const other of environments.filter((o) => o !== env && o.account === env.account)) {
      for (const role of PIPELINE_ROLES) {
        for (const prefix of [other.layout.publicPrefix, other.layout.custodyPrefix]) {
          expect(decide(env, role, { action: 's3:GetObject', resource: object(other, prefix, `${other.name}-pki.tfstate`) }).identity).toBe('implicit-deny');
        }
      }
    }
  });

  it.each(PIPELINE_ROLES.map((r) => [r]))('%s is assumable only from the GitHub environment <env>-%s of the configured repository', (role) => {
    const trust = concrete(env.policies.roles.get(pipelineRoleName(env.name, role))!.trust);
    const assume = (sub: string, aud = 'sts.amazonaws.com'): Decision =>
      evaluate([trust], {
        action: 'sts:AssumeRoleWithWebIdentity',
        resource: roleArn(env, role),
        principalArn: 'arn:test:aws_iam_openid_connect_provider:GithubOidc',
        context: { 'token.actions.githubusercontent.com:sub': sub, 'token.actions.githubusercontent.com:aud': aud },
      });
    expect(assume(`repo:example-org/edge-mtls:environment:${env.name}-${role}`)).toBe('allow');
    expect(assume(`repo:example-org/edge-mtls:environment:${env.name}-${role}`, 'something-else')).toBe('implicit-deny');
    expect(assume('repo:example-org/edge-mtls:ref:refs/heads/main')).toBe('implicit-deny');
    expect(assume('repo:example-org/edge-mtls:pull_request')).toBe('implicit-deny');
    expect(assume(`repo:someone-else/edge-mtls:environment:${env.name}-${role}`)).toBe('implicit-deny');
    const other = PIPELINE_ROLES.find((r) => r !== role)!;
    expect(assume(`repo:example-org/edge-mtls:environment:${env.name}-${other}`)).toBe('implicit-deny');
  });
});

describe('aws-bootstrap: secret values (prod with keyless on, as the test env files have it)', () => {
  const prod = environments.find((e) => e.name === 'prod')!;
  const secret = (name: string) => `arn:aws:secretsmanager:eu-west-1:222222222222:secret:prod/keyless/${name}-AbC123`;
  it('only deploy and custody-drift read the tunnel token; no role reads the edge private key or the gokeyless API key', () => {
    for (const role of PIPELINE_ROLES) {
      const expected = role === 'deploy' || role === 'custody-drift' ? 'allow' : 'implicit-deny';
      expect({ role, token: decide(prod, role, { action: 'secretsmanager:GetSecretValue', resource: secret('tunnel-token') }).identity }).toEqual({ role, token: expected });
      for (const name of ['private-key', 'gokeyless-api-key']) {
        expect({ role, name, value: decide(prod, role, { action: 'secretsmanager:GetSecretValue', resource: secret(name) }).identity }).toEqual({ role, name, value: 'implicit-deny' });
      }
    }
    expect(decide(prod, 'plan', { action: 'secretsmanager:DescribeSecret', resource: secret('private-key') }).identity).toBe('allow');
  });
});

describe('aws-bootstrap: the stack', () => {
  it('one per AWS account with S3-backed environments, with its own local state, the OIDC provider, both keys with rotation, and a hardened bucket', () => {
    expect([...stacks.keys()].filter((s) => s.startsWith('aws-bootstrap-')).sort()).toEqual(['aws-bootstrap-111111111111', 'aws-bootstrap-222222222222']);
    for (const account of Object.keys(ACCOUNTS)) {
      const json = stacks.get(`aws-bootstrap-${account}`)!;
      expect(json.terraform.backend).toEqual({ local: { path: `terraform-state/bootstrap/aws-bootstrap-${account}.tfstate` } });
      expect(Object.values<any>(json.resource.aws_iam_openid_connect_provider).map((p) => [p.url, p.client_id_list])).toEqual([['https://token.actions.githubusercontent.com', ['sts.amazonaws.com']]]);
      for (const key of Object.values<any>(json.resource.aws_kms_key)) expect(key.enable_key_rotation).toBe(true);
      for (const block of Object.values<any>(json.resource.aws_s3_bucket_public_access_block)) {
        expect([block.block_public_acls, block.block_public_policy, block.ignore_public_acls, block.restrict_public_buckets]).toEqual([true, true, true, true]);
      }
      for (const v of Object.values<any>(json.resource.aws_s3_bucket_versioning)) expect(v.versioning_configuration.status).toBe('Enabled');
    }
    const dev = environments.find((e) => e.name === 'dev')!;
    expect([...dev.policies.keys.keys()].sort()).toEqual(['alias/edge-mtls-state', 'alias/edge-mtls-state-custody']);
    expect([...dev.policies.roles.keys()].sort()).toEqual(['dev', 'staging'].flatMap((e) => PIPELINE_ROLES.map((r) => pipelineRoleName(e, r))).sort());
    const tlsOnly = bucketPolicy(dev).find((s) => s.conditions.some((c) => c.variable === 'aws:SecureTransport'));
    expect(tlsOnly?.effect).toBe('Deny');
  });
});

describe('aws-bootstrap: configuration problems', () => {
  const dev = baseEnvironment('dev');
  const staging = baseEnvironment('staging');
  const problemsOf = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.map((p) => `${p.field}: ${p.message}`);
      throw e;
    }
    return [];
  };
  const load = (doc: Record<string, unknown>) => () => loadEnvironment('dev', envDir({ dev: doc }));

  it.each([
    ['no repository', withField(dev, 'bootstrap', undefined), /^bootstrap\.githubRepository: missing: aws-bootstrap-111111111111 builds this environment's pipeline roles/],
    ['a repository that is no owner/name', withField(dev, 'bootstrap.githubRepository', 'edge-mtls'), /^bootstrap\.githubRepository: expected a GitHub repository "owner\/name"/],
    ['no custody key', withField(dev, 'backend.custodyKmsKeyId', undefined), /^backend\.custodyKmsKeyId: missing required field \(expected the KMS key of the custody state/],
    ['no public key', withField(dev, 'backend.kmsKeyId', undefined), /^backend\.kmsKeyId: missing: aws-bootstrap-111111111111 creates the public state key/],
    ['one key for both', withField(dev, 'backend.custodyKmsKeyId', 'alias/edge-mtls-state'), /^backend\.custodyKmsKeyId: "alias\/edge-mtls-state" is the same key as backend\.kmsKeyId/],
    ['a key id instead of an alias', withField(dev, 'backend.custodyKmsKeyId', '1234abcd-12ab-34cd-56ef-1234567890ab'), /^backend\.custodyKmsKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" is not a KMS alias/],
    ['a key of another account', withField(dev, 'backend.custodyKmsKeyId', 'arn:aws:kms:eu-west-1:999999999999:alias/x'), /^backend\.custodyKmsKeyId: .*account 999999999999; the state key must be in .* account 111111111111/],
    ['a custody prefix inside the public one', withField(dev, 'backend.custodyKeyPrefix', 'edge-mtls/dev/custody'), /^backend\.custodyKeyPrefix: "edge-mtls\/dev\/custody" overlaps backend\.keyPrefix "edge-mtls\/dev"/],
  ])('%s is one clear line', (_, doc, message) => {
    const problems = problemsOf(load(doc));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('the account view: no key alias is public for one environment and custody for another, no public prefix covers another environment\'s custody state', () => {
    const swapped = envDir({ dev, staging: withField(withField(staging, 'backend.kmsKeyId', dev.backend.custodyKmsKeyId), 'backend.custodyKmsKeyId', 'alias/staging-custody') });
    expect(problemsOf(() => bootstrapMembers(resolveEnvironments(undefined, swapped).all))).toEqual([
      `backend.custodyKmsKeyId: "alias/edge-mtls-state-custody" is the public state key of ${join(swapped, 'staging.yaml')}; its plan and drift roles would decrypt this custody state`,
    ]);
    const nested = envDir({ dev: withField(dev, 'backend.keyPrefix', 'edge-mtls'), staging: withField(staging, 'backend.custodyKeyPrefix', 'edge-mtls/staging-custody') });
    expect(problemsOf(() => bootstrapMembers(resolveEnvironments(undefined, nested).all))).toEqual([
      `backend.custodyKeyPrefix: "edge-mtls/staging-custody" lies under ${join(nested, 'dev.yaml')}'s backend.keyPrefix "edge-mtls" in the same bucket; its plan and drift roles would read this custody state`,
    ]);
  });
});
