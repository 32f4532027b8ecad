import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanReport } from '../../tools/plan/plan-report';
import { applyStacks, planStacks, type StackRunOptions } from '../../tools/plan/plan-runner';
import { terraformUnavailableReason } from '../../tools/terraform';
import { BUDGET, budgetFor } from './budget';
import { baseEnvironment, withField } from './env-files';
import { withFileLock } from './file-lock';
import { boto3, motoEnv, motoUnavailableReason, startDetachedMoto, stateResources } from './moto';
import { makeTestCertificates, opensslUnavailableReason, type TestCertificates } from './openssl';
import { runDir, sharedMotoPgidFile } from './run-dir';

/**
 * ONE applied `local` environment per jest run, shared by every moto test file.
 *
 * The first file that asks starts moto_server, stores the keyless certificate in SSM
 * and applies every stack of `local` (AWS part) with the project's own apply runner;
 * the others get the same environment. globalTeardown stops moto. How to add a
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
  /** The keyless leaf (and its CA) stored in SSM before apply. */
  readonly keylessCertificate: TestCertificates;
  /**
   * The drift report (`planStacks`, mode drift, every stack) made right after the
   * apply: what a second plan said. Each file checks its own stacks in it, so the
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

interface Recorded {
  readonly endpoint: string;
  readonly envsDir: string;
  readonly stateRoot: string;
  readonly document: Record<string, any>;
  readonly keylessCertificate: TestCertificates;
  readonly planAfterApply: PlanReport;
}

/** Time limit of a beforeAll that asks for the environment: starting moto, the apply (and its one retry), the plan after it. */
export const SHARED_LOCAL_SETUP_BUDGET = budgetFor('motoStart', 'applyLocal', 'applyLocal', 'planLocal');

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

async function create(home: string): Promise<Recorded> {
  const watchPid = Number(process.env.EDGE_TEST_PARENT_PID ?? process.ppid);
  const moto = await startDetachedMoto(join(home, 'moto.log'), watchPid);
  writeFileSync(sharedMotoPgidFile(runDir()), String(moto.pgid));
  const document = withField(baseEnvironment('local'), 'aws.endpoint', moto.endpoint);
  const envsDir = join(home, 'envs');
  mkdirSync(envsDir);
  writeFileSync(join(envsDir, 'local.yaml'), JSON.stringify(document));
  // The keyless stack reads its edge certificate (public) from SSM, where an operator puts it.
  const keylessCertificate = makeTestCertificates(mkdtempSync(join(home, 'certs-')));
  boto3(moto.endpoint, `ssm.put_parameter(Name=${JSON.stringify(document.keyless.certificate.ssmParameter)}, Type='String', Value=${JSON.stringify(keylessCertificate.leafPem)})`, {});
  const stateRoot = join(home, 'state');
  const options = { env: 'local', awsOnly: true, envsDir, workDir: join(home, 'apply'), stateRoot, terraformEnv: motoEnv() };
  let applied = await applyStacks(options);
  if (applied.some((a) => !a.ok)) {
    // moto 5.2.1 is not safe under terraform's concurrent writes: on a busy machine it
    // has answered AuthorizeSecurityGroupEgress for a brand-new group with
    // InvalidPermission.Duplicate. Terraform recorded what it created, so one more apply
    // converges; a second failure is a real one and fails the run.
    console.warn(`SHARED LOCAL: the first apply against moto failed, applying once more:\n${applied.filter((a) => !a.ok).map((f) => `${f.stack}: ${f.output.split('\n')[0]}`).join('\n')}`);
    applied = await applyStacks(options);
  }
  const failed = applied.filter((a) => !a.ok);
  if (failed.length > 0) throw new Error(`applying local to moto failed:\n${failed.map((f) => `${f.stack}: ${f.output}`).join('\n')}`);
  const planAfterApply = await planStacks({ ...options, mode: 'drift' });
  return { endpoint: moto.endpoint, envsDir, stateRoot, document, keylessCertificate, planAfterApply };
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
