import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../lib/errors';
import { fromRoot } from '../../../lib/paths';
import { prepareStacks } from '../../../tools/plan/plan-runner';

describe('plan and drift refuse bad input before running Terraform', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'edge-plan-cli-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('names the known stacks when --stack is wrong, and writes no work dir', () => {
    expect(() => prepareStacks({ env: 'dev', stacks: ['origin', 'nope'], workDir })).toThrow(ConfigError);
    expect(() => prepareStacks({ env: 'dev', stacks: ['nope'], workDir })).toThrow(/^invalid configuration: --stack: nope: unknown stack "nope"; dev has: (dev-\w+, )*dev-origin/);
    expect(existsSync(join(workDir, 'dev-origin'))).toBe(false);
  });

  it('wants exactly one known environment', () => {
    expect(() => prepareStacks({ env: 'dev,prod', workDir })).toThrow('--env: dev,prod: give exactly one environment, e.g. --env dev');
    expect(() => prepareStacks({ env: 'qa', workDir })).toThrow(/unknown environment "qa"; expected a comma-separated list of: .*dev/);
  });

  it('accepts a stack by concern name and writes only that stack', () => {
    const [stack] = prepareStacks({ env: 'dev', stacks: ['origin'], workDir });
    expect(stack).toMatchObject({ name: 'dev-origin', dir: join(workDir, 'dev-origin'), dependencies: ['dev-pki'] });
    expect(existsSync(join(stack.dir, 'cdk.tf.json'))).toBe(true);
  });

  it('exits 1 with the usage when --env is missing (the exit code a pipeline sees)', () => {
    const r = spawnSync(process.execPath, [fromRoot('node_modules', 'tsx', 'dist', 'cli.mjs'), fromRoot('scripts', 'plan.ts'), 'drift'], { encoding: 'utf8', cwd: fromRoot(), timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--env is required');
    expect(r.stderr).toContain('exit code: 0 = no changes, 2 = changes/drift, 1 = error');
  });
});
