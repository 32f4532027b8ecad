import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../../lib/paths';
import { isOurProcess } from '../../tools/local/processes';
import { localUnavailableReason } from '../../tools/local/local';
import { budgetFor } from '../support/budget';
import { runToEnd } from '../support/processes';
import { npmLocal, sharedLocalUnavailableReason } from '../support/shared-local';
import { describeUnless } from '../support/skip';

const describeLocal = describeUnless(localUnavailableReason() ?? sharedLocalUnavailableReason(), 'local down test');

/**
 * `down` on an environment of its own (the shared one lives until the run ends): a
 * started moto, and state files as an apply leaves them. Apart from
 * local-command.test.ts because it needs nothing of the shared environment, so it runs
 * beside the shared-environment lane (test/support/lanes-runner.js), not in it.
 */
describeLocal('npm run local -- down', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-local-down-'));
  afterAll(async () => {
    await npmLocal(dir, 'down', '--purge');
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops moto and forgets the state that described it; afterwards status and plan say it is not running', async () => {
    const started = await npmLocal(dir, 'start', '--skip-stand-ins');
    expect({ code: started.code, stderr: started.stderr }).toMatchObject({ code: 0 });
    const { pid } = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).moto;
    expect(isOurProcess(pid, 'moto')).toBe(true);
    const state = join(dir, 'state', 'terraform-state', 'local');
    const custody = join(dir, 'state', 'terraform-state', 'local-custody');
    mkdirSync(state, { recursive: true });
    mkdirSync(custody, { recursive: true });
    writeFileSync(join(state, 'local-origin.tfstate'), '{"version":4,"serial":1,"resources":[]}');
    writeFileSync(join(custody, 'local-pki.tfstate'), '{"version":4,"serial":1,"resources":[]}');

    const down = await npmLocal(dir, 'down');
    expect(down.code).toBe(0);
    expect(isOurProcess(pid, 'moto')).toBe(false);
    expect(existsSync(state)).toBe(false);
    expect(existsSync(custody)).toBe(false);
    const status = await npmLocal(dir, 'status');
    expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 1, stderr: 'moto_server: not running\nverify stand-ins: not running\n' });
    const plan = await npmLocal(dir, 'plan');
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 1, stderr: 'local plan: the local environment is not running: run `npm run local -- up` first\n' });
    const bare = await runToEnd('npm', ['run', '--silent', 'apply', '--', '--env', 'local', '--auto-approve'], { cwd: fromRoot(), env: { ...process.env, EDGE_LOCAL_DIR: dir, EDGE_ENVS_DIR: undefined } });
    expect({ code: bare.code, stderr: bare.stderr }).toEqual({ code: 1, stderr: 'apply: the local environment is not running: run `npm run local -- up` first\n' });
    const bypass = await runToEnd('npm', ['run', '--silent', 'drift', '--', '--env', 'local', '--bypass'], { cwd: fromRoot(), env: { ...process.env, EDGE_LOCAL_DIR: dir, EDGE_ENVS_DIR: undefined } });
    expect({ code: bypass.code, stderr: bypass.stderr }).toEqual({ code: 1, stderr: 'drift --bypass: the local environment is not running: run `npm run local -- up` first\n' });
  }, budgetFor('npmCommand', 'motoStart', 'npmCommand', 'npmCommand', 'npmCommand', 'npmCommand', 'npmCommand'));
});
