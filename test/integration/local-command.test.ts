import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { callMotoJsonApi } from '../../tools/local/moto';
import { localUnavailableReason } from '../../tools/local/local';
import { fromRoot } from '../../lib/paths';
import { budgetFor } from '../support/budget';
import { runToEnd } from '../support/processes';
import { SHARED_LOCAL_SETUP_BUDGET, sharedLocalEnvironment, sharedLocalUnavailableReason, type LocalCreation } from '../support/shared-local';
import { describeUnless } from '../support/skip';

const describeLocal = describeUnless(localUnavailableReason() ?? sharedLocalUnavailableReason(), 'local command test');

/**
 * The README's path for `local`, through the commands a person types, against a real
 * moto_server and the real AWS provider: plan before anything exists, up (moto, seed,
 * apply), drift right after. These are the very commands that created the shared
 * environment every moto suite uses (test/support/shared-local.ts), so the path is
 * applied once per run; this file reads what each command printed and left behind.
 */
describeLocal('npm run local against moto', () => {
  let created: LocalCreation;
  beforeAll(async () => {
    created = (await sharedLocalEnvironment()).creation;
  }, SHARED_LOCAL_SETUP_BUDGET);
  const parameter = '/edge/local/keyless-certificate';

  it('start runs moto and seeds SSM; plan before apply: each stack waits for what it needs, named, exit 2 (not an error)', () => {
    expect({ code: created.start.code, stderr: created.start.stderr }).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(/^moto_server started at http:\/\/127\.0\.0\.1:\d+ .*\nseeded SSM parameter/),
    });
    const plan = created.planBeforeApply;
    expect(plan.code).toBe(2);
    const waiting = Object.fromEntries(plan.report.stacks.map((s) => [s.stack, s.waitingFor ?? s.status]));
    // keyless first (the custody stack stores its tunnel's token), then the custody stack,
    // whose SSM parameters origin and edge read.
    expect(waiting).toEqual({
      'local-keyless': `waiting for SSM parameter ${parameter}: not created yet`,
      'local-pki': 'waiting for local-keyless: not applied yet',
      'local-origin': 'waiting for local-pki: not applied yet',
      'local-edge': 'waiting for local-pki: not applied yet',
    });
    expect(plan.stdout).toMatch(/^## Plan report: `local` — changes pending$/m);
    expect(plan.stdout).not.toMatch(/ERROR|Unable to find remote state|ParameterNotFound/);
    // Progress: one line as each planned stack starts and ends, with elapsed time.
    expect(plan.stderr).toMatch(/^local-keyless: plan started$/m);
    expect(plan.stderr).toMatch(/^local-keyless: plan finished in \d+\.\ds: waiting for SSM parameter \/edge\/local\/keyless-certificate: not created yet$/m);
    expect(plan.stderr).toMatch(/^local-pki: not planned, waiting for local-keyless: not applied yet$/m);
    expect(plan.stderr).toMatch(/^local-origin: not planned, waiting for local-pki: not applied yet$/m);
  });

  it('up seeds SSM and applies every stack in dependency order, then prints what to try next', () => {
    const { up, dir } = created;
    expect({ code: up.code, tail: up.stdout.slice(-1500) }).toMatchObject({ code: 0 });
    expect(up.stdout).toMatch(/^APPLIED  local-pki$/m);
    expect(up.stdout).toMatch(/^APPLIED  local-origin$/m);
    expect(up.stdout).toMatch(/^APPLIED  local-keyless$/m);
    // The edge stack is Cloudflare only: its AWS part is empty.
    expect(up.stdout).toMatch(/^UNCHANGED local-edge$/m);
    expect(up.stdout).toContain('npm run verify -- --env local');
    // Each stack is applied after the stacks it reads.
    const order = [...up.stderr.matchAll(/^(local-\w+): apply finished/gm)].map((m) => m[1]);
    expect(order.indexOf('local-pki')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('local-pki')).toBeLessThan(order.indexOf('local-origin'));
    expect(order.indexOf('local-keyless')).toBeLessThan(order.indexOf('local-pki'));
    expect(existsSync(join(dir, 'state', 'terraform-state', 'local', 'local-origin.tfstate'))).toBe(true);
    // The custody stack's state sits in a folder of its own, beside the public one.
    expect(existsSync(join(dir, 'state', 'terraform-state', 'local-custody', 'local-pki.tfstate'))).toBe(true);
    expect(existsSync(join(dir, 'state', 'terraform-state', 'local', 'local-pki.tfstate'))).toBe(false);
    // The saved plans hold every value in clear text: none outlives the apply.
    expect(existsSync(join(dir, 'work', 'local-origin', 'tfplan'))).toBe(false);
  });

  it('drift right after up is clean (exit 0) except the emulator gaps the env file names', async () => {
    const { planAfterApply } = await sharedLocalEnvironment();
    expect({ code: created.drift.code, report: created.drift.code === 0 ? '' : created.drift.stdout }).toEqual({ code: 0, report: '' });
    expect(planAfterApply.stacks.map((s) => [s.stack, s.status]).sort()).toEqual([
      ['local-edge', 'no-changes'],
      ['local-keyless', 'no-changes'],
      ['local-origin', 'no-changes'],
      ['local-pki', 'no-changes'],
    ]);
    const gaps = new Set(planAfterApply.stacks.flatMap((s) => s.knownGaps.map((g) => `${g.address.split('.')[0]} ${g.attribute.split(/[.[]/)[0]}`)));
    expect([...gaps].sort()).toEqual([
      'aws_api_gateway_domain_name mutual_tls_authentication',
      'aws_launch_template default_version',
      'aws_launch_template latest_version',
      'aws_launch_template tag_specifications',
    ]);
  });
});

/**
 * `npm run plan|drift|apply -- --env local`, as the README's first commands read, run
 * against the environment `npm run local -- up` started (its moto port, its fake
 * credentials, its state folder), never the placeholder endpoint of envs/local.yaml.
 */
describeLocal('npm run plan, drift and apply with --env local', () => {
  let shared: Awaited<ReturnType<typeof sharedLocalEnvironment>>;
  beforeAll(async () => {
    shared = await sharedLocalEnvironment();
  }, SHARED_LOCAL_SETUP_BUDGET);
  const npm = (command: string, ...args: string[]) =>
    runToEnd('npm', ['run', '--silent', command, '--', '--env', 'local', ...args], { cwd: fromRoot(), env: { ...process.env, EDGE_LOCAL_DIR: shared.creation.dir, EDGE_ENVS_DIR: undefined } });
  const note = (command: string) => `${command}: local: the AWS part of each stack only (--aws-only is implied): the tls and Cloudflare providers are not installed offline, and local has no Cloudflare account; against the running moto at ${shared.endpoint}\n`;

  it('plan and drift use the running moto and the state npm run local keeps: exit 0 right after up', async () => {
    await shared.exclusive(async () => {
      // drift without its live checks here: test/integration/live-checks-moto.test.ts runs them.
      for (const [command, extra] of [['plan', []], ['drift', ['--skip-live']]] as const) {
        const r = await npm(command, ...extra);
        expect({ command, code: r.code, stdout: r.code === 0 ? '' : r.stdout }).toEqual({ command, code: 0, stdout: '' });
        expect(r.stderr.startsWith(note(command))).toBe(true);
        expect(r.stderr).not.toMatch(/registry|No valid credential sources|127\.0\.0\.1:5000/);
      }
    });
  }, budgetFor('sharedEnvironmentTurn', 'npmCommand', 'planLocal', 'npmCommand', 'planLocal'));

  it('drift --bypass sweeps the running moto with the state npm run local keeps, as npm run local -- bypass does: exit 0 right after up', async () => {
    await shared.exclusive(async () => {
      const r = await npm('drift', '--bypass', '--regions', 'us-east-1');
      expect({ code: r.code, stdout: r.code === 0 ? '' : r.stdout }).toEqual({ code: 0, stdout: '' });
      expect(r.stderr.startsWith(note('drift --bypass'))).toBe(true);
      // Found in the state of this run, so nothing is a finding; what moto cannot show is listed.
      expect(r.stdout).toMatch(/No resource reaches the origin around mTLS\.[\s\S]*known gaps? \(not counted\)/);
      expect(r.stderr).not.toMatch(/registry|No valid credential sources|127\.0\.0\.1:5000|cannot run/);
    });
  }, budgetFor('sharedEnvironmentTurn', 'npmCommand', 'bypassLocal'));

  it('apply seeds what local needs (the keyless certificate in SSM), as npm run local does, and applies into the same state folder', async () => {
    const parameter = '/edge/local/keyless-certificate';
    await shared.exclusive(async () => {
      // As on a moto that `npm run local` did not seed; the apply puts it back.
      await callMotoJsonApi(shared.endpoint, 'AmazonSSM.DeleteParameter', { Name: parameter });
      // One stack: the keyless stack's key servers stay as the other suites expect them.
      const r = await npm('apply', '--auto-approve', '--stack', 'origin');
      expect(r.stderr).toContain(`${note('apply')}apply: seeded SSM parameter ${parameter} with the local keyless certificate\n`);
      expect({ code: r.code, tail: r.code === 0 ? '' : r.stdout.slice(-2000) }).toEqual({ code: 0, tail: '' });
      expect(r.stdout).toMatch(/^(APPLIED |UNCHANGED) local-origin$/m);
      expect(r.stdout).toMatch(/^apply: applied \(exit 0\)$/m);
      const seeded = await callMotoJsonApi(shared.endpoint, 'AmazonSSM.GetParameter', { Name: parameter });
      expect(seeded.Parameter.Value).toContain('-----BEGIN CERTIFICATE-----');
      // The state npm run local wrote: the apply found the origin's resources there and created none.
      expect(r.stdout).not.toMatch(/\| create \|/);
    });
  }, budgetFor('sharedEnvironmentTurn', 'npmCommand', 'planLocal', 'applyLocal'));
});
