import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../lib/errors';
import { listEnvironments } from '../../../envs/load';
import { planCommand } from '../../../tools/plan/command';
import { prepareEnvironment, prepareStacks } from '../../../tools/plan/plan-runner';
import { NEVER_AN_ENVIRONMENT } from '../../support/env-files';
import { runInProcess } from '../../support/run-command';
import { scratchDir } from '../../support/scratch';

describe('plan and drift refuse bad input before running Terraform', () => {
  const workDir = scratchDir('edge-plan-cli-');
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('names the known stacks when --stack is wrong, and writes no work dir', () => {
    expect(() => prepareStacks({ env: 'dev', stacks: ['origin', 'nope'], workDir })).toThrow(ConfigError);
    expect(() => prepareStacks({ env: 'dev', stacks: ['nope'], workDir })).toThrow(/^invalid configuration: --stack: nope: unknown stack "nope"; dev has: (cloudflare-account-[0-9a-f]{32}, )?(dev-\w+, )*dev-origin/);
    expect(existsSync(join(workDir, 'dev-origin'))).toBe(false);
  });

  it('wants exactly one known environment', () => {
    expect(() => prepareStacks({ env: 'dev,prod', workDir })).toThrow('--env: dev,prod: give exactly one environment, e.g. --env dev');
    expect(() => prepareStacks({ env: NEVER_AN_ENVIRONMENT, workDir })).toThrow(`unknown environment "${NEVER_AN_ENVIRONMENT}"; expected a comma-separated list of: ${listEnvironments().join(', ')}`);
  });

  it('accepts a stack by concern name and writes only that stack', () => {
    const [stack] = prepareStacks({ env: 'dev', stacks: ['origin'], workDir });
    expect(stack).toMatchObject({ name: 'dev-origin', dir: join(workDir, 'dev-origin'), dependencies: ['dev-pki'] });
    expect(existsSync(join(stack.dir, 'cdk.tf.json'))).toBe(true);
    expect(existsSync(join(workDir, 'dev-pki'))).toBe(false);
  });

  it('waits for a selected dependency: the origin stack after the custody stack', () => {
    const stacks = prepareStacks({ env: 'dev', stacks: ['origin', 'pki'], workDir });
    expect(Object.fromEntries(stacks.map((s) => [s.name, s.dependencies]))).toEqual({ 'dev-origin': ['dev-pki'], 'dev-pki': [] });
  });

  it('--public-only leaves out the custody stack, and nothing waits for it', () => {
    const { stacks, leftOut } = prepareEnvironment({ env: 'dev', publicOnly: true, workDir });
    expect(leftOut).toEqual(['dev-pki']);
    expect(stacks.map((s) => s.name)).not.toContain('dev-pki');
    expect(stacks.flatMap((s) => s.dependencies)).not.toContain('dev-pki');
    expect(stacks.find((s) => s.name === 'dev-edge')!.dependencies).toEqual(['dev-origin']);
  });

  it('exits 64, a usage error a pipeline can tell from drift, when --env is missing', async () => {
    // $ENVS would stand in for --env: the run has none.
    const r = await runInProcess(planCommand('drift'), [], { ENVS: undefined });
    expect(r.code).toBe(64);
    expect(r.stderr).toBe('npm run drift: missing --env <env>\nrun "npm run drift -- --help" for usage\n');
  });
});

describe('the shared Cloudflare account stack', () => {
  const workDir = scratchDir('edge-plan-account-');
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('runs only with the environment that owns it (its state is in that backend)', () => {
    const names = (env: string) => prepareStacks({ env, workDir }).map((s) => s.name);
    expect(names('prod')).toContain('cloudflare-account-0123456789abcdef0123456789abcdef');
    expect(names('local').filter((n) => n.startsWith('cloudflare-account-'))).toEqual([]);
    expect(() => prepareStacks({ env: 'local', stacks: ['cloudflare-account-0123456789abcdef0123456789abcdef'], workDir })).toThrow(/unknown stack "cloudflare-account-0123456789abcdef0123456789abcdef"; local has: local-/);
  });
});
