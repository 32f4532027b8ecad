import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fromRoot } from '../../lib/paths';
import { callMotoJsonApi } from '../../tools/local/moto';
import type { PlanReport } from '../../tools/plan/plan-report';
import type { StackRunOptions } from '../../tools/plan/plan-runner';
import { terraformUnavailableReason } from '../../tools/terraform';
import { BUDGET, budgetFor } from './budget';
import { baseEnvironment } from './env-files';
import { withFileLock } from './file-lock';
import { boto3, motoEnv, motoUnavailableReason, stateResources } from './moto';
import { opensslUnavailableReason, type TestCertificates } from './openssl';
import { type Finished, runToEnd } from './processes';
import { runDir, sharedMotoPgidFile } from './run-dir';

/**
 * ONE applied `local` environment per jest run, shared by every moto test file.
 *
 * The first file that asks creates it the way the README tells an operator to, through
 * the commands a person types, in a folder of this run (EDGE_LOCAL_DIR): `npm run local
 * -- start`, a `plan` before anything exists (the keyless certificate taken out of SSM
 * first, as on a fresh account), `up` (seed, plan, apply every stack of the AWS part)
 * and `drift` right after. What each command printed is kept: test/integration/
 * local-command.test.ts checks it, so the operator's path is tested without a second
 * apply. The other files get the same environment. A watchdog stops moto when the jest
 * process is gone, and globalTeardown stops it at the end of the run. How to add a
 * case: test/support/README.md.
 */
export interface SharedLocalEnvironment {
  /** moto_server, `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Folder holding the applied `local.yaml` (its aws.endpoint is the moto above). */
  readonly envsDir: string;
  /** The applied env file, parsed: start from it to plan a changed configuration. */
  readonly document: Readonly<Record<string, any>>;
  /** Where the stacks' local state lives (backend and remote state alike). */
  readonly stateRoot: string;
  /** Credentials and region for terraform, boto3 or the CLI talking to moto. */
  readonly terraformEnv: NodeJS.ProcessEnv;
  /** The keyless leaf (and its CA) stored in SSM before apply: the local PKI's (`npm run local` seeds it). */
  readonly keylessCertificate: TestCertificates;
  /** The `npm run local` commands that created the environment, as they finished, and the reports they wrote. */
  readonly creation: LocalCreation;
  /**
   * The drift report (`npm run local -- drift --json`, every stack) made right after
   * the apply: what a second plan said. Each file checks its own stacks in it, so the
   * suite plans the fresh environment once instead of once per file.
   */
  readonly planAfterApply: PlanReport;
  /**
   * Options for planStacks/applyStacks/`npm run drift` on the shared state, with a
   * fresh work dir of their own (two files never share terraform's working files).
   */
  runOptions(): StackRunOptions & { envsDir: string; workDir: string; stateRoot: string };
  /** Every managed resource in the shared state, by address, with its attributes. */
  state(): Record<string, Record<string, any>>;
  /** Runs a boto3 snippet against moto (see moto.ts `boto3`); `only(prefix)` reads `state()`. */
  boto3(snippet: string): void;
  /**
   * Runs `fn` while no other test file uses the environment. Every case goes through
   * here; a case that changes AWS or the state must put it back before it returns
   * (the drift cases check the environment is clean afterwards).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

/** Why the shared environment cannot exist here, or undefined when it can. */
export function sharedLocalUnavailableReason(): string | undefined {
  return terraformUnavailableReason() ?? motoUnavailableReason() ?? opensslUnavailableReason();
}

/** How the environment was created: each `npm run local -- <command>` in order. */
export interface LocalCreation {
  /** The EDGE_LOCAL_DIR of the commands (run.json, state/, work/). */
  readonly dir: string;
  readonly start: Finished;
  /** `plan --json` before anything was applied, with the keyless certificate missing from SSM. */
  readonly planBeforeApply: Finished & { readonly report: PlanReport };
  readonly up: Finished;
  /** `drift --json` right after `up`: its report is `planAfterApply`. */
  readonly drift: Finished;
}

interface Recorded {
  readonly endpoint: string;
  readonly envsDir: string;
  readonly stateRoot: string;
  readonly document: Record<string, any>;
  readonly keylessCertificate: TestCertificates;
  readonly planAfterApply: PlanReport;
  readonly creation: LocalCreation;
}

/**
 * Time limit of a beforeAll that asks for the environment: `start` (moto), the plan
 * before apply, `up` (a plan and the apply), the drift after it; twice, for the one
 * retry from nothing.
 */
const CREATION = ['npmCommand', 'motoStart', 'npmCommand', 'planLocal', 'npmCommand', 'planLocal', 'applyLocal', 'npmCommand', 'planLocal'] as const;
export const SHARED_LOCAL_SETUP_BUDGET = budgetFor(...CREATION, 'npmCommand', ...CREATION);

let mine: Promise<SharedLocalEnvironment> | undefined;

/**
 * The shared environment, created by whichever test file asks first. A failed
 * creation is recorded, so every later file fails at once with the same message
 * instead of applying again.
 */
export function sharedLocalEnvironment(): Promise<SharedLocalEnvironment> {
  mine ??= locate();
  return mine;
}

async function locate(): Promise<SharedLocalEnvironment> {
  const home = join(runDir(), 'shared-local');
  mkdirSync(home, { recursive: true });
  const ready = join(home, 'ready.json');
  const failure = join(home, 'failed.txt');
  const recorded = await withFileLock(join(home, 'create.lock'), 'creating the shared local environment', SHARED_LOCAL_SETUP_BUDGET, async () => {
    if (existsSync(failure)) throw new Error(`the shared local environment could not be created earlier in this run:\n${readFileSync(failure, 'utf8')}`);
    if (existsSync(ready)) return JSON.parse(readFileSync(ready, 'utf8')) as Recorded;
    try {
      const created = await create(home);
      writeFileSync(ready, JSON.stringify(created));
      return created;
    } catch (e) {
      writeFileSync(failure, (e as Error).message);
      throw e;
    }
  });
  return handle(home, recorded);
}

/**
 * Creates the environment; when a command fails, stops everything (`down --purge`) and
 * creates it once more from nothing. moto 5.2.1 is not safe under terraform's
 * concurrent writes on a busy machine: it has answered a new security group's egress
 * calls with InvalidPermission.Duplicate (authorize) and InvalidPermission.NotFound
 * (revoking the default rule). A second `up` on that moto replaces the group and its
 * instances and never settles, while a fresh moto does. A failure that is not the
 * emulator's fails the same way twice.
 */
/** `npm run local -- <args>` as a person types it, on the local environment kept in `dir` (EDGE_LOCAL_DIR). */
export function npmLocal(dir: string, ...args: string[]): Promise<Finished> {
  return runToEnd('npm', ['run', '--silent', 'local', '--', ...args], { cwd: fromRoot(), env: { ...process.env, EDGE_LOCAL_DIR: dir } });
}

async function create(home: string): Promise<Recorded> {
  const dir = join(home, 'local');
  const npm = (...args: string[]): Promise<Finished> => npmLocal(dir, ...args);
  try {
    return await createOnce(home, dir, npm);
  } catch (e) {
    console.warn(`SHARED LOCAL: creating the environment failed; stopping it and creating it once more from nothing:\n${(e as Error).message.slice(0, 3000)}`);
    await npm('down', '--purge');
    return createOnce(home, dir, npm);
  }
}

async function createOnce(home: string, dir: string, npm: (...args: string[]) => Promise<Finished>): Promise<Recorded> {
  const failed = (what: string, r: Finished) => new Error(`npm run local -- ${what} exited ${r.code}:\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-3000)}`);

  const start = await npm('start', '--skip-stand-ins');
  if (start.code !== 0) throw failed('start', start);
  const moto = (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { moto: { pid: number; endpoint: string } }).moto;
  // `local` starts moto in a process group of its own (its pid): teardown ends the
  // group, and a watchdog ends it if jest is gone without a teardown.
  writeFileSync(sharedMotoPgidFile(runDir()), String(moto.pid));
  watchOver(moto.pid, Number(process.env.EDGE_TEST_PARENT_PID ?? process.ppid));

  const parameter: string = baseEnvironment('local').keyless.certificate.ssmParameter;
  // As on a fresh account: the operator has not stored the keyless certificate yet.
  await callMotoJsonApi(moto.endpoint, 'AmazonSSM.DeleteParameter', { Name: parameter });
  const freshJson = join(home, 'plan-before-apply.json');
  const planBefore = await npm('plan', '--json', freshJson);
  if (planBefore.code !== 2) throw failed('plan (before up; expected exit 2, stacks waiting)', planBefore);
  const planBeforeApply = { ...planBefore, report: JSON.parse(readFileSync(freshJson, 'utf8')) as PlanReport };
  // What the stacks are planned from: envs/local.yaml with moto's endpoint, as `local` wrote it.
  const envsDir = join(dir, 'envs');
  const document = parse(readFileSync(join(envsDir, 'local.yaml'), 'utf8')) as Record<string, any>;

  const up = await npm('up', '--skip-stand-ins');
  if (up.code !== 0) throw failed('up', up);

  const driftJson = join(home, 'drift-after-up.json');
  const drift = await npm('drift', '--json', driftJson);
  if (drift.code !== 0 && drift.code !== 2) throw failed('drift', drift);
  const planAfterApply = JSON.parse(readFileSync(driftJson, 'utf8')) as PlanReport;

  // up seeded SSM with the local PKI's keyless leaf: that is the certificate applied.
  const pki = (name: string) => readFileSync(join(dir, 'pki', name), 'utf8');
  const keylessCertificate: TestCertificates = { leafPem: pki('keyless.pem'), leafKeyPem: pki('keyless.key'), caPem: pki('ca.pem'), chainPem: `${pki('keyless.pem')}${pki('ca.pem')}` };
  return {
    endpoint: moto.endpoint,
    envsDir,
    stateRoot: join(dir, 'state'),
    document,
    keylessCertificate,
    planAfterApply,
    creation: { dir, start, planBeforeApply, up, drift },
  };
}

/** Ends process group `pgid` once process `watchPid` is gone (a jest run killed before its teardown). */
function watchOver(pgid: number, watchPid: number): void {
  const script = 'while kill -0 "$WATCH_PID" 2>/dev/null && kill -0 "$PGID" 2>/dev/null; do sleep 1; done; kill -TERM -"$PGID" 2>/dev/null; exit 0';
  const child = spawn('sh', ['-c', script, 'moto-watchdog'], { detached: true, stdio: 'ignore', env: { ...process.env, WATCH_PID: String(watchPid), PGID: String(pgid) } });
  child.unref();
}

function handle(home: string, r: Recorded): SharedLocalEnvironment {
  const terraformEnv = motoEnv();
  return {
    ...r,
    terraformEnv,
    runOptions: () => ({
      env: 'local',
      awsOnly: true,
      envsDir: r.envsDir,
      workDir: mkdtempSync(join(home, 'work-')),
      stateRoot: r.stateRoot,
      terraformEnv,
    }),
    state: () => stateResources(r.stateRoot),
    boto3: (snippet) => boto3(r.endpoint, snippet, stateResources(r.stateRoot)),
    exclusive: (fn) => withFileLock(join(home, 'use.lock'), 'the shared local environment', BUDGET.sharedEnvironmentTurn, fn),
  };
}
