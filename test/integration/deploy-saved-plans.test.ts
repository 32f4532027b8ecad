import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applySavedPlans, type ApplyOutcome } from '../../tools/plan/apply';
import { planStacks } from '../../tools/plan/plan-runner';
import { cliConfigFile, terraformBinary, terraformUnavailableReason } from '../../tools/terraform';
import { budgetFor } from '../support/budget';
import { localWithoutKeyless } from '../support/env-files';
import { motoEnv, motoUnavailableReason, startMoto, type Moto } from '../support/moto';
import { scratchDir } from '../support/scratch';
import { describeUnless } from '../support/skip';

/**
 * The deploy path as the deploy workflow runs it, against moto: plan every stack to
 * saved plan files, apply exactly those files (`npm run apply --plan-dir`), and refuse a
 * saved plan made before that apply ("Saved plan is stale") instead of planning again.
 * The custody stack's AWS part (the SSM parameters it publishes) is what is deployed:
 * it is small, so the whole path costs a few plans, not an environment.
 */
const describeMoto = describeUnless(terraformUnavailableReason() ?? motoUnavailableReason(), 'deploy saved-plan tests');

describeMoto('deploy: the reviewed plan is the applied plan', () => {
  let moto: Moto;
  // Under the run's scratch folder: gone with the run even if afterAll never runs.
  const work = scratchDir('deploy-');
  let envsDir: string;
  const run = () => ({
    env: 'local',
    stacks: ['pki'],
    awsOnly: true,
    envsDir,
    workDir: join(work, 'tf'),
    stateRoot: join(work, 'state'),
    terraformEnv: motoEnv(),
    concurrency: 1,
  });
  const parameters = async (): Promise<string[]> =>
    ((await moto.call('AmazonSSM.GetParametersByPath', { Path: '/edge-mtls/local/public', Recursive: true })).Parameters ?? []).map((p: { Name: string }) => p.Name).sort();

  beforeAll(async () => {
    moto = await startMoto();
    envsDir = localWithoutKeyless(moto.endpoint);
  }, budgetFor('motoStart'));
  afterAll(async () => {
    await moto?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('plans without taking the lock, saves only plans with changes (0600), applies exactly them, and refuses a stale one', async () => {
    const reviewed = join(work, 'reviewed');
    const older = join(work, 'older');
    const first = await planStacks({ ...run(), mode: 'plan', savePlansTo: reviewed });
    expect(first.stacks.map((s) => [s.stack, s.status])).toEqual([['local-pki', 'changes']]);
    expect(readdirSync(reviewed)).toEqual(['local-pki.tfplan']);
    expect(statSync(join(reviewed, 'local-pki.tfplan')).mode & 0o777).toBe(0o600);
    // A plan of the same state, as a deploy started earlier would hold: the same bytes
    // terraform would write again for this configuration and state (one plan less).
    mkdirSync(older);
    copyFileSync(join(reviewed, 'local-pki.tfplan'), join(older, 'local-pki.tfplan'));
    expect(await parameters()).toEqual([]);

    const asked: string[][] = [];
    const applied: ApplyOutcome = await applySavedPlans({ ...run(), planDir: reviewed, confirm: async (s) => (asked.push([...s]), true) });
    expect(asked).toEqual([['local-pki']]);
    expect(applied.stacks).toEqual([{ stack: 'local-pki', result: 'applied' }]);
    expect(applied.exitCode).toBe(0);
    expect(await parameters()).toEqual(['/edge-mtls/local/public/ca-g1-intermediate', '/edge-mtls/local/public/ca-g1-root', '/edge-mtls/local/public/origin-pull-certificate-id']);

    const stale = await applySavedPlans({ ...run(), planDir: older, confirm: async () => true });
    expect(stale.exitCode).toBe(1);
    expect(stale.stacks[0]).toEqual({ stack: 'local-pki', result: 'failed', error: expect.stringMatching(/Saved plan is stale/) });

    // Nothing changed after the refusal: no silent re-plan applied anything.
    const after = await planStacks({ ...run(), mode: 'plan' });
    expect(after.stacks.map((s) => [s.stack, s.status])).toEqual([['local-pki', 'no-changes']]);
  }, budgetFor('planLocal', 'applyLocal', 'applyLocal', 'planLocal'));

  it('plans while a deploy holds the state lock (a plan never takes it), where a locking plan is refused', async () => {
    const dir = join(work, 'tf', 'local-pki');
    const env = { ...process.env, ...motoEnv(), TF_CLI_CONFIG_FILE: cliConfigFile(), TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
    // The local backend locks its state file with fcntl, as a running apply would hold it.
    const stateFile = join(work, 'state', 'terraform-state', 'local-custody', 'local-pki.tfstate');
    // It says `locked` once it holds the lock, and holds it until it is killed.
    const holder = spawn('python3', ['-c', 'import fcntl,sys,time\nf=open(sys.argv[1],"r+")\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint("locked",flush=True)\ntime.sleep(600)', stateFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once('data', () => resolve());
        holder.once('exit', (code) => reject(new Error(`the lock holder exited (${code}) before it held the lock on ${stateFile}`)));
      });
      const locking = spawnSync(terraformBinary()!, ['plan', '-input=false', '-no-color', '-lock-timeout=0s'], { cwd: dir, env, encoding: 'utf8' });
      expect({ status: locking.status, stderr: locking.stderr }).toEqual({ status: 1, stderr: expect.stringMatching(/Error acquiring the state lock/) });
      const report = await planStacks({ ...run(), mode: 'plan' });
      expect(report.stacks.map((s) => [s.stack, s.status])).toEqual([['local-pki', 'no-changes']]);
    } finally {
      holder.kill();
    }
  }, budgetFor('planLocal', 'planLocal', 'planLocal'));

  it('refuses a plan folder holding a plan of another stack or environment, before applying anything', async () => {
    // A real saved plan of this stack (the one reviewed above), and beside it one that is not ours.
    const foreign = join(work, 'foreign');
    mkdirSync(foreign);
    copyFileSync(join(work, 'reviewed', 'local-pki.tfplan'), join(foreign, 'local-pki.tfplan'));
    writeFileSync(join(foreign, 'prod-pki.tfplan'), 'not ours');
    let confirmed = false;
    await expect(applySavedPlans({ ...run(), planDir: foreign, confirm: async () => (confirmed = true) })).rejects.toThrow(/--plan-dir: .*holds prod-pki\.tfplan, which is no stack of local/);
    expect(confirmed).toBe(false);
  });

  it('refuses a folder with no plans, and a folder that does not exist', async () => {
    const empty = mkdtempSync(join(work, 'empty-'));
    await expect(applySavedPlans({ ...run(), planDir: empty, confirm: async () => true })).rejects.toThrow(/holds no <stack>\.tfplan file/);
    await expect(applySavedPlans({ ...run(), planDir: join(work, 'missing'), confirm: async () => true })).rejects.toThrow(/--plan-dir: .*no such folder/);
  }, budgetFor('planLocal'));
});
