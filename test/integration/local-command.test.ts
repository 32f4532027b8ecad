import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../../lib/paths';
import { callMotoJsonApi } from '../../tools/local/moto';
import { isOurProcess } from '../../tools/local/processes';
import { localUnavailableReason } from '../../tools/local/local';
import type { PlanReport } from '../../tools/plan/plan-report';
import { budgetFor } from '../support/budget';
import { type Finished, runToEnd } from '../support/processes';

const unavailable = localUnavailableReason();
if (unavailable) console.warn(`SKIPPED local command test: ${unavailable}`);
const describeLocal = unavailable ? describe.skip : describe;

/**
 * The README's path for `local`, through the commands a person types, in an isolated
 * folder (EDGE_LOCAL_DIR): plan before anything exists, up (moto, seed, apply), plan
 * again, drift, down. Against a real moto_server and the real AWS provider.
 */
describeLocal('npm run local against moto', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-local-cmd-'));
  const npm = (...args: string[]): Promise<Finished> =>
    runToEnd('npm', ['run', '--silent', 'local', '--', ...args], { cwd: fromRoot(), env: { ...process.env, EDGE_LOCAL_DIR: dir } });
  const run = () => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  const report = (file: string): PlanReport => JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const parameter = '/edge/local/keyless-certificate';

  afterAll(async () => {
    await npm('down', '--purge');
    rmSync(dir, { recursive: true, force: true });
  });

  it('plan before apply: each stack waits for what it needs, named, exit 2 (not an error)', async () => {
    const started = await npm('start', '--skip-stand-ins');
    expect({ code: started.code, stderr: started.stderr }).toMatchObject({ code: 0, stderr: expect.stringMatching(/^moto_server started at http:\/\/127\.0\.0\.1:\d+ .*\nseeded SSM parameter/) });
    // As on a fresh account: the operator has not stored the keyless certificate yet.
    await callMotoJsonApi(run().moto.endpoint, 'AmazonSSM.DeleteParameter', { Name: parameter });

    const plan = await npm('plan', '--json', join(dir, 'fresh.json'));
    expect(plan.code).toBe(2);
    const waiting = Object.fromEntries(report('fresh.json').stacks.map((s) => [s.stack, s.waitingFor ?? s.status]));
    expect(waiting).toEqual({
      'local-pki': 'outputs-only',
      'local-origin': 'waiting for local-pki: not applied yet',
      'local-edge': 'waiting for local-origin: not applied yet',
      'local-keyless': `waiting for SSM parameter ${parameter}: not created yet`,
    });
    expect(plan.stdout).toMatch(/^## Plan report: `local` — changes pending$/m);
    expect(plan.stdout).not.toMatch(/ERROR|Unable to find remote state|ParameterNotFound/);
    // Progress: one line as each planned stack starts and ends, with elapsed time.
    expect(plan.stderr).toMatch(/^local-pki: plan started$/m);
    expect(plan.stderr).toMatch(/^local-pki: plan finished in \d+\.\ds: changes$/m);
    expect(plan.stderr).toMatch(/^local-origin: not planned, waiting for local-pki: not applied yet$/m);
  }, budgetFor('npmCommand', 'motoStart', 'npmCommand', 'planLocal'));

  it('up seeds SSM and applies every stack in dependency order, then prints what to try next', async () => {
    const up = await npm('up', '--skip-stand-ins');
    expect({ code: up.code, tail: up.stdout.slice(-1500) }).toMatchObject({ code: 0 });
    expect(up.stdout).toMatch(/^APPLIED  local-pki$/m);
    expect(up.stdout).toMatch(/^APPLIED  local-origin$/m);
    expect(up.stdout).toMatch(/^APPLIED  local-keyless$/m);
    // The edge stack is Cloudflare only: its AWS part is empty.
    expect(up.stdout).toMatch(/^UNCHANGED local-edge$/m);
    expect(up.stdout).toContain('npm run verify -- --env local');
    // Each stack is applied after the stacks it reads.
    const order = [...up.stderr.matchAll(/^(local-\w+): apply finished/gm)].map((m) => m[1]);
    expect(order.indexOf('local-pki')).toBeLessThan(order.indexOf('local-origin'));
    expect(existsSync(join(dir, 'state', 'terraform-state', 'local', 'local-origin.tfstate'))).toBe(true);
    expect(existsSync(join(dir, 'work', 'local-origin', 'tfplan'))).toBe(false);
  // Three rounds of plans (pki; origin; edge) and the applies between them.
  }, budgetFor('npmCommand', 'planLocal', 'planLocal', 'planLocal', 'applyLocal'));

  it('a second plan is clean except the emulator gaps the env file names', async () => {
    const plan = await npm('plan', '--json', join(dir, 'replan.json'));
    expect({ code: plan.code, report: plan.code === 0 ? '' : plan.stdout }).toEqual({ code: 0, report: '' });
    const replan = report('replan.json');
    expect(replan.stacks.map((s) => [s.stack, s.status]).sort()).toEqual([
      ['local-edge', 'no-changes'],
      ['local-keyless', 'no-changes'],
      ['local-origin', 'no-changes'],
      ['local-pki', 'no-changes'],
    ]);
    const gaps = new Set(replan.stacks.flatMap((s) => s.knownGaps.map((g) => `${g.address.split('.')[0]} ${g.attribute.split(/[.[]/)[0]}`)));
    expect([...gaps].sort()).toEqual([
      'aws_api_gateway_domain_name mutual_tls_authentication',
      'aws_launch_template default_version',
      'aws_launch_template latest_version',
      'aws_launch_template tag_specifications',
    ]);
  }, budgetFor('npmCommand', 'planLocal'));

  it('down stops moto and forgets the state that described it', async () => {
    const { pid } = run().moto;
    const down = await npm('down');
    expect(down.code).toBe(0);
    expect(isOurProcess(pid, 'moto')).toBe(false);
    expect(existsSync(join(dir, 'state', 'terraform-state', 'local'))).toBe(false);
    const status = await npm('status');
    expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 1, stderr: 'moto_server: not running\nverify stand-ins: not running\n' });
    const plan = await npm('plan');
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 1, stderr: 'local plan: the local environment is not running: start it with `npm run local -- up`\n' });
  }, budgetFor('npmCommand', 'npmCommand', 'npmCommand'));
});
