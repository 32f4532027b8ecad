import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../../lib/paths';
import { terraformUnavailableReason } from '../../tools/terraform';
import { BUDGET, budgetFor } from '../support/budget';
import { localWithoutKeyless } from '../support/env-files';
import { motoEnv, motoUnavailableReason, startMoto, type Moto } from '../support/moto';
import { describeUnless } from '../support/skip';

const describeTf = describeUnless(terraformUnavailableReason() ?? motoUnavailableReason(), 'apply command test');

/**
 * `npm run apply` as a pipeline runs it. The custody stack (`local-pki`) publishes its
 * public values to SSM, so its plan needs an AWS API: a private moto, with `local`'s
 * keyless off so the custody stack depends on nothing. A failure is injected by a
 * wrapper around the real terraform binary that fails the apply of one stack folder.
 */
describeTf('npm run apply', () => {
  const work = mkdtempSync(join(tmpdir(), 'edge-apply-cmd-'));
  let moto: Moto | undefined;
  let envsDir = '';
  beforeAll(async () => {
    moto = await startMoto();
    envsDir = localWithoutKeyless(moto.endpoint);
  }, budgetFor('motoStart'));
  afterAll(async () => {
    await moto?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const apply = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [fromRoot('node_modules', 'tsx', 'dist', 'cli.mjs'), fromRoot('scripts', 'apply.ts'), ...args], {
      cwd: fromRoot(),
      // stdin is not a terminal here, as in CI.
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: BUDGET.test,
    });

  it('refuses to run unattended without --auto-approve: usage error 64, nothing planned', () => {
    const r = apply(['--env', 'local', '--aws-only', '--work-dir', join(work, 'never')]);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/^npm run apply: not a terminal, so nothing can be confirmed: pass --auto-approve to apply without asking$/m);
    expect(existsSync(join(work, 'never'))).toBe(false);
  });

  it.each<[string, string[], RegExp]>([
    ['no --env', ['--auto-approve'], /^npm run apply: missing --env <env>$/m],
    ['an unknown option', ['--env', 'local', '--yes'], /^npm run apply: unknown option --yes$/m],
    ['a bad concurrency', ['--env', 'local', '--auto-approve', '--concurrency', '0'], /^npm run apply: --concurrency "0" must be a whole number >= 1$/m],
  ])('%s is a usage error (64)', (_what, args, message) => {
    const r = apply(args);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 64, stderr: expect.stringMatching(message) });
    expect(r.stderr).toContain('run "npm run apply -- --help" for usage');
  });

  it('stops before the dependents of a stack that failed and names them; the saved plans are gone', () => {
    const wrapper = join(work, 'terraform-failing-pki-apply');
    const realTerraform = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(wrapper, `#!/bin/sh\ncase "$1:$PWD" in apply:*-pki) echo "Error: injected failure" >&2; exit 1;; esac\nexec ${realTerraform} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const workDir = join(work, 'tf');
    const r = apply(['--env', 'local', '--aws-only', '--stack', 'pki', '--stack', 'origin', '--auto-approve', '--work-dir', workDir, '--state-root', join(work, 'state')], { TERRAFORM_BIN: wrapper, EDGE_ENVS_DIR: envsDir, ...motoEnv() });
    expect(r.status).toBe(1);
    // The plan report was shown before applying.
    expect(r.stdout).toMatch(/^## Plan report: `local` — changes pending$/m);
    expect(r.stdout).toContain('| `local-origin` | WAITING (waiting for local-pki: not applied yet) |');
    expect(r.stdout).toMatch(/^FAILED    local-pki\n\s+Error: injected failure$/m);
    expect(r.stdout).toMatch(/^SKIPPED   local-origin: local-pki was not applied$/m);
    expect(r.stdout).toMatch(/^apply: FAILED \(exit 1\)$/m);
    expect(r.stderr).toMatch(/^local-pki: apply started\nlocal-pki: apply finished in \d+\.\ds: failed$/m);
    expect(r.stderr).not.toMatch(/local-origin: apply/);
    for (const stack of readdirSync(workDir)) expect(existsSync(join(workDir, stack, 'tfplan'))).toBe(false);
  });
});
