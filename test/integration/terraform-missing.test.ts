import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../../lib/paths';

/**
 * With no terraform on PATH, the commands that run it print one line and exit 1, spawned
 * for real the way npm runs them. test/unit/terraform-missing.test.ts checks plan and
 * drift in process; this spawns validate (its command lives in its script) and plan once.
 */
describe('terraform missing from PATH (real spawns)', () => {
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
    ['validate', 'validate.ts', []],
  ])('%s says so in one line and exits 1', (mode, script, args) => {
    const r = run(script, args);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([`${mode}: cannot run: terraform is not on PATH; install Terraform (1.10 or later) or set TERRAFORM_BIN to its path`]);
    expect(r.stderr).not.toMatch(/ENOENT|\n\s+at /);
  });
});
