import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planCommand } from '../../tools/plan/command';
import { terraform, terraformMissingReason, TerraformNotFoundError } from '../../tools/terraform';
import { runInProcess } from '../support/run-command';
import { scratchDir } from '../support/scratch';

/**
 * With no terraform on PATH, every command that runs it prints one line saying so and
 * exits 1: no `spawn terraform ENOENT` stack trace. In process (the command definition
 * with its arguments); test/integration/terraform-missing.test.ts spawns validate for real.
 */
describe('terraform missing from PATH', () => {
  let bin: string;
  beforeAll(() => {
    // An empty PATH folder: terraform is nowhere.
    bin = scratchDir('edge-no-terraform-');
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it.each<['plan' | 'drift', string[]]>([
    ['plan', ['--env', 'dev']],
    ['drift', ['--env', 'dev']],
  ])('%s says so in one line and exits 1', async (mode, args) => {
    const r = await runInProcess(planCommand(mode), args, { PATH: bin, TERRAFORM_BIN: undefined });
    expect(r.code).toBe(1);
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
