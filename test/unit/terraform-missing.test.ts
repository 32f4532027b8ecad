import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../../lib/paths';
import { terraform, terraformMissingReason, TerraformNotFoundError } from '../../tools/terraform';

/**
 * With no terraform on PATH, every command that runs it prints one line saying so and
 * exits 1: no `spawn terraform ENOENT` stack trace.
 */
describe('terraform missing from PATH', () => {
  let bin: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    // A PATH with node on it and nothing else, so tsx runs but terraform is nowhere.
    bin = mkdtempSync(join(tmpdir(), 'edge-no-terraform-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    env = { ...process.env, PATH: bin, TERRAFORM_BIN: '' };
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  const run = (script: string, args: string[]) =>
    spawnSync(fromRoot('node_modules', '.bin', 'tsx'), [fromRoot('scripts', script), ...args], { cwd: fromRoot(), env, encoding: 'utf8', timeout: 120000 });

  it.each<[string, string, string[]]>([
    ['plan', 'plan.ts', ['--env', 'dev']],
    ['drift', 'drift.ts', ['--env', 'dev']],
    ['validate', 'validate.ts', []],
  ])('%s says so in one line and exits 1', (mode, script, args) => {
    const r = run(script, args);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([`${mode}: cannot run: terraform is not on PATH; install Terraform (1.10 or later) or set TERRAFORM_BIN to its path`]);
    expect(r.stderr).not.toMatch(/ENOENT|\n\s+at /);
  });

  it('the runner rejects with TerraformNotFoundError, and the reason names TERRAFORM_BIN when that is wrong', async () => {
    const saved = { PATH: process.env.PATH, TERRAFORM_BIN: process.env.TERRAFORM_BIN };
    try {
      process.env.PATH = bin;
      delete process.env.TERRAFORM_BIN;
      await expect(terraform(['version'], tmpdir())).rejects.toBeInstanceOf(TerraformNotFoundError);
      process.env.TERRAFORM_BIN = join(bin, 'no-such-terraform');
      expect(terraformMissingReason()).toBe(`TERRAFORM_BIN=${join(bin, 'no-such-terraform')} is not an executable file`);
    } finally {
      process.env.PATH = saved.PATH;
      if (saved.TERRAFORM_BIN === undefined) delete process.env.TERRAFORM_BIN;
      else process.env.TERRAFORM_BIN = saved.TERRAFORM_BIN;
    }
  });
});
