import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Environment } from '../../envs/load';
import { projectAwsOnly, type TerraformJson } from '../validate/aws-projection';
import { ConfigError, quote } from '../../lib/errors';
import { fromRoot } from '../../lib/paths';
import { isCustodyStack, parseAccountStackName, parseBootstrapStackName } from '../../lib/naming';
import { actionOf, buildReport, type PlanMode, type PlanReport, type StackPlanResult } from './plan-report';
import { progress } from './progress';
import { runInDependencyOrder } from './stack-graph';
import { constructPathsOfFile, currentCommit, lockedProviders } from './provenance';
import { synthesizeJson } from '../synth/synth-json';
import { anchorLocalStatePaths } from '../synth/state-paths';
import { terraform, type TerraformRun } from '../terraform';
import { runInitialized } from './init';

/**
 * `plan`, `drift` and (for tests) `apply` over every stack of one environment:
 * synthesize into a throwaway folder, copy each stack into a stable work dir, then
 * init/plan per stack, stacks in parallel and in dependency order.
 */

export interface StackRunOptions {
  /** The environment (one `envs/<env>.yaml`). */
  readonly env: string;
  /** Stacks to run, as `dev-origin` or `origin`. @default every stack of the environment */
  readonly stacks?: readonly string[];
  /**
   * Run the AWS-only projection of each stack (tools/validate/aws-projection.ts) with the offline
   * provider mirror, instead of the stack as synthesized.
   * @default false
   */
  readonly awsOnly?: boolean;
  /** Folder of the environment files. @default `EDGE_ENVS_DIR` or `envs` */
  readonly envsDir?: string;
  /** Where per-stack Terraform work dirs live (kept between runs, so init runs only when what it depends on changed: tools/plan/init.ts). @default `.cache/terraform/<env>` */
  readonly workDir?: string;
  /**
   * Relative local-backend paths (`terraform-state/local/<stack>.tfstate`) resolve from
   * here, for the backend and for cross-stack `terraform_remote_state` alike.
   * @default the repository root (the files are git-ignored)
   */
  readonly stateRoot?: string;
  /** Stacks run at once. @default the number of cores */
  readonly concurrency?: number;
  /** Extra environment for terraform (credentials of an emulator, for instance). @default none */
  readonly terraformEnv?: NodeJS.ProcessEnv;
  /** Receives one line as each stack starts and ends a step, with elapsed time. @default silent */
  readonly onProgress?: (line: string) => void;
  /**
   * Leave out the custody stacks (`<env>-pki`): a role that cannot read their state (pull
   * requests, nightly drift) plans the public stacks only. The report names what it left out.
   * @default false
   */
  readonly publicOnly?: boolean;
}

export interface PreparedStack {
  readonly name: string;
  readonly dir: string;
  readonly dependencies: readonly string[];
}

/**
 * The stack as Terraform will run it: optionally projected to AWS only (keeping its
 * backend, which Terraform itself implements), with every relative local state path
 * anchored at `stateRoot` so state survives re-synthesis and remote state finds it.
 */
export function terraformReadyStack(stack: TerraformJson, options: { awsOnly: boolean; stateRoot: string }): TerraformJson {
  const json = options.awsOnly ? projectAwsOnly(stack).json : structuredClone(stack);
  const backend = stack.terraform?.backend;
  if (backend) json.terraform = { ...json.terraform, backend: structuredClone(backend) };
  return anchorLocalStatePaths(json, (p) => resolve(options.stateRoot, p));
}

/** Synthesizes one environment and writes each selected stack into its work dir. */
export function prepareStacks(options: StackRunOptions): PreparedStack[] {
  return prepareEnvironment(options).stacks;
}

/** `prepareStacks`, plus the environment it synthesized (loaded once, used by the report). */
export function prepareEnvironment(options: StackRunOptions): { stacks: PreparedStack[]; config: Environment; leftOut: string[] } {
  if (options.env.includes(',') || options.env.trim() === '' || options.env === 'all') {
    throw ConfigError.single('--env', options.env, 'give exactly one environment, e.g. --env dev');
  }
  const synthesized = synthesizeJson(options.env, options.envsDir);
  // The Cloudflare account stack is shared by every environment of the account and its
  // state lives in the owning environment's backend: only that environment runs it.
  const owner = synthesized.environments[0].config.cloudflare.ownsAccountStack;
  // The AWS account bootstrap is applied once by an administrator, never by a pipeline
  // (its roles could not change themselves), and keeps its state locally.
  const runnable = [...synthesized.stacks.keys()].filter((name) => (owner || parseAccountStackName(name) === undefined) && parseBootstrapStackName(name) === undefined);
  const wanted = selectStacks(runnable, options.env, options.stacks);
  const selected = options.publicOnly ? wanted.filter((name) => !isCustodyStack(name)) : wanted;
  const leftOut = wanted.filter((name) => !selected.includes(name));
  const workDir = options.workDir ?? fromRoot('.cache', 'terraform', options.env);
  const stateRoot = options.stateRoot ?? fromRoot();
  const stacks = selected.map((name) => {
    const dir = join(workDir, name);
    mkdirSync(dir, { recursive: true });
    // Stale configuration from an earlier synthesis must not linger next to the new one.
    for (const f of readdirSync(dir)) if (f.endsWith('.tf.json') || f === 'tfplan') rmSync(join(dir, f), { force: true });
    const json = terraformReadyStack(synthesized.stacks.get(name)!, { awsOnly: options.awsOnly ?? false, stateRoot });
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
    // A custody stack left out by publicOnly is not waited for: this run never plans it.
    return { name, dir, dependencies: (synthesized.dependencies.get(name) ?? []).filter((d) => !leftOut.includes(d)) };
  });
  return { stacks, config: synthesized.environments[0].config, leftOut };
}

function selectStacks(all: readonly string[], env: string, wanted: readonly string[] | undefined): string[] {
  if (!wanted || wanted.length === 0) return [...all];
  const names = wanted.map((w) => (all.includes(w) ? w : `${env}-${w}`));
  const unknown = wanted.filter((_, i) => !all.includes(names[i]));
  if (unknown.length > 0) {
    throw ConfigError.single('--stack', unknown.join(','), `unknown stack ${unknown.map((u) => quote(u)).join(', ')}; ${env} has: ${all.join(', ')}`);
  }
  return [...new Set(names)];
}

export function terraformEnvFor(options: StackRunOptions): NodeJS.ProcessEnv {
  // The project CLI config installs only the mirrored AWS provider; the full stacks
  // need the registry (or whatever CLI config the caller set up).
  const cliConfig = options.awsOnly ? {} : { TF_CLI_CONFIG_FILE: process.env.TF_CLI_CONFIG_FILE ?? '/dev/null' };
  return { ...cliConfig, ...options.terraformEnv };
}

export const errorText = (run: TerraformRun): string => (run.stderr.trim() || run.stdout.trim()).slice(-8000);

/** The saved plan of a stack, kept between `plan` and `apply` and deleted after. */
export const planFileOf = (stack: PreparedStack): string => join(stack.dir, 'tfplan');

/**
 * Plans one stack and reads the saved plan back as JSON. With `keepPlan` the plan file
 * stays for `terraform apply <planfile>` (the caller deletes it); otherwise it is
 * deleted at once, because it holds every value in clear text, sensitive ones included.
 */
export async function planStack(stack: PreparedStack, env: NodeJS.ProcessEnv, keepPlan = false): Promise<StackPlanResult> {
  const planFile = planFileOf(stack);
  let keep = false;
  try {
    // Drift is a refreshing plan, not `-refresh-only`: right after a clean apply a
    // refresh-only plan reports a dozen computed attributes that sibling resources
    // filled in (aws_s3_bucket.lifecycle_rule, .versioning...), so it would fail
    // every run. A normal plan compares reality with the code, attribute by attribute.
    // No plan takes the state lock: a plan only reads, so it runs under roles that cannot
    // write the lock file (pull requests, nightly drift), a cancelled run leaves no lock
    // behind, and it never blocks or waits for a deploy. Applying a saved plan takes the
    // lock and refuses a plan whose state changed since ("Saved plan is stale").
    const args = ['plan', '-detailed-exitcode', '-input=false', '-no-color', '-lock=false', `-out=${planFile}`];
    const initialized = await runInitialized(stack.dir, env, () => terraform(args, stack.dir, env));
    if (initialized.failedInit) return { stack: stack.name, exitCode: 1, error: `terraform init failed:\n${errorText(initialized.failedInit)}` };
    const plan = initialized.run;
    if (plan.code !== 0 && plan.code !== 2) {
      const error = errorText(plan);
      const waitingFor = missingInput(error);
      return waitingFor ? { stack: stack.name, exitCode: 0, waitingFor } : { stack: stack.name, exitCode: 1, error: `terraform plan failed:\n${error}` };
    }
    chmodSync(planFile, 0o600);
    const show = await terraform(['show', '-json', '-no-color', planFile], stack.dir, env);
    if (show.code !== 0) return { stack: stack.name, exitCode: 1, error: `terraform show failed:\n${errorText(show)}` };
    keep = keepPlan;
    return {
      stack: stack.name,
      exitCode: plan.code,
      plan: JSON.parse(show.stdout),
      applied: await hasState(stack, env),
      constructPaths: constructPathsOfFile(join(stack.dir, 'cdk.tf.json')),
      providers: lockedProviders(stack.dir),
    };
  } finally {
    if (!keep) rmSync(planFile, { force: true });
  }
}

/**
 * Recognizes a plan that failed only because an input does not exist yet: another
 * stack's state (its `terraform_remote_state`, named `cross-stack-reference-input-<stack>`
 * by CDKTF) or an SSM parameter an operator creates. Returns the reason to report.
 */
export function missingInput(error: string): string | undefined {
  const remote = /Unable to find remote state[\s\S]*?data\.terraform_remote_state\.cross-stack-reference-input-([\w-]+)/.exec(error);
  if (remote) return `waiting for ${remote[1]}: not applied yet`;
  if (/Unable to find remote state/.test(error)) return 'waiting for an upstream stack: not applied yet';
  const ssm = /data\.aws_ssm_parameter\.[\s\S]*?(ParameterNotFound|couldn't find resource)/.exec(error) ?? /(ParameterNotFound|couldn't find resource)[\s\S]*?data\.aws_ssm_parameter\./.exec(error);
  if (ssm) {
    // The AWS provider says `reading SSM Parameter (/edge/dev/keyless-certificate): ...`.
    const name = /SSM Parameter \((\/[^)\s]+)\)/i.exec(error)?.[1];
    return `waiting for SSM parameter ${name ?? '(named in the env file: keyless.certificate.ssmParameter)'}: not created yet`;
  }
  return undefined;
}

/**
 * Whether the stack has state, i.e. was applied at least once. (The plan cannot tell:
 * its prior state holds root outputs Terraform evaluated during refresh even when
 * nothing was ever applied.) A `local` backend with its path set is read directly, in
 * the default workspace, which is all `terraform state pull` would do there (a pull
 * costs a Terraform start, about a second of CPU per stack per plan); any other backend
 * is asked through `state pull`.
 */
async function hasState(stack: PreparedStack, env: NodeJS.ProcessEnv): Promise<boolean> {
  const local = localStateFile(stack, env);
  if (local !== undefined) return hasSerial(existsSync(local) ? readFileSync(local, 'utf8') : '');
  const pull = await terraform(['state', 'pull'], stack.dir, env);
  return pull.code === 0 && hasSerial(pull.stdout);
}

/** The state file of a stack on the `local` backend with an absolute path, in the default workspace; undefined otherwise. */
export function localStateFile(stack: Pick<PreparedStack, 'dir'>, env: NodeJS.ProcessEnv): string | undefined {
  // The workspace: TF_WORKSPACE, else the one `terraform workspace select` recorded.
  const selected = join(stack.dir, '.terraform', 'environment');
  const workspace = ('TF_WORKSPACE' in env ? env.TF_WORKSPACE : process.env.TF_WORKSPACE) || (existsSync(selected) ? readFileSync(selected, 'utf8').trim() : '');
  if (workspace && workspace !== 'default') return undefined;
  let json: TerraformJson;
  try {
    json = JSON.parse(readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8')) as TerraformJson;
  } catch {
    return undefined;
  }
  const path: unknown = json.terraform?.backend?.local?.path;
  return typeof path === 'string' && isAbsolute(path) ? path : undefined;
}

function hasSerial(text: string): boolean {
  if (text.trim() === '') return false;
  try {
    return JSON.parse(text).serial !== undefined;
  } catch {
    return false;
  }
}

/**
 * Why a stack cannot be planned yet given its dependencies' plans: Terraform would read
 * outputs that do not exist, or that are about to change, and plan against them.
 */
export function waitingOn(dependencies: ReadonlyMap<string, StackPlanResult>): string | undefined {
  for (const [name, r] of dependencies) {
    if (r.waitingFor) return `waiting for ${name}: not applied yet`;
    if (!r.plan) return `waiting for ${name}: it could not be planned`;
    if (!r.applied) return `waiting for ${name}: not applied yet`;
    if (Object.values(r.plan.output_changes ?? {}).some((c) => actionOf(c.actions) !== undefined)) return `waiting for ${name}: its outputs change when it is applied`;
    // A custody stack hands values on through SSM parameters, which its plan may change.
    if ((r.plan.resource_changes ?? []).some((c) => c.type === 'aws_ssm_parameter' && actionOf(c.change.actions) !== undefined && isCustodyStack(name))) {
      return `waiting for ${name}: the values it publishes change when it is applied`;
    }
  }
  return undefined;
}

/**
 * Plans every prepared stack in dependency order; a stack whose upstream is not
 * applied yet is reported as waiting instead of failing on the missing state.
 */
export async function planPrepared(stacks: readonly PreparedStack[], options: Pick<StackRunOptions, 'concurrency' | 'onProgress'> & { env: NodeJS.ProcessEnv; mode: PlanMode; keepPlans?: boolean }): Promise<StackPlanResult[]> {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const step = progress(options.onProgress);
  const results = await runInDependencyOrder<StackPlanResult>(
    stacks.map((s) => s.name),
    new Map(stacks.map((s) => [s.name, s.dependencies])),
    async (name, deps) => {
      const waitingFor = waitingOn(deps);
      if (waitingFor) {
        options.onProgress?.(`${name}: not planned, ${waitingFor}`);
        return { stack: name, exitCode: 0, waitingFor };
      }
      return step(name, 'plan', () => planStack(byName.get(name)!, options.env, options.keepPlans), describePlan);
    },
    options.concurrency,
  );
  return [...results.values()];
}

const describePlan = (r: StackPlanResult): string => (r.waitingFor ? r.waitingFor : r.exitCode === 0 ? 'no changes' : r.exitCode === 2 ? 'changes' : 'FAILED');

/** `npm run plan` / `npm run drift`: the report over every selected stack. */
export async function planStacks(options: StackRunOptions & { mode: PlanMode; savePlansTo?: string }): Promise<PlanReport> {
  const { stacks, config, leftOut } = prepareEnvironment(options);
  const keep = options.savePlansTo !== undefined;
  const results = await planPrepared(stacks, { ...options, env: terraformEnvFor(options), keepPlans: keep });
  if (keep) savePlans(stacks, results, options.savePlansTo!);
  return buildReport({
    notPlanned: leftOut,
    mode: options.mode,
    env: options.env,
    awsOnly: options.awsOnly ?? false,
    results,
    knownGaps: config.drift.knownEmulatorGaps,
    commit: currentCommit(),
  });
}

/**
 * Moves each saved plan with changes to `dir/<stack>.tfplan` (mode 0600; plan files hold
 * every value in clear text) and deletes the rest; `npm run apply --plan-dir` applies them.
 */
function savePlans(stacks: readonly PreparedStack[], results: readonly StackPlanResult[], dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const stack of stacks) {
    const result = results.find((r) => r.stack === stack.name);
    const file = planFileOf(stack);
    if (result?.plan && result.exitCode === 2 && existsSync(file)) {
      copyFileSync(file, join(dir, `${stack.name}.tfplan`));
      chmodSync(join(dir, `${stack.name}.tfplan`), 0o600);
    }
    rmSync(file, { force: true });
  }
}

export interface ApplyResult {
  readonly stack: string;
  readonly ok: boolean;
  readonly output: string;
}

/**
 * Applies every selected stack in dependency order; a stack whose dependency failed
 * is not attempted. Used by the emulator tests to create what drift then checks.
 * With `targets`, only the named resources (and what they depend on) are applied, and
 * only in the stacks named: how an operator puts drifted resources back.
 */
export async function applyStacks(options: StackRunOptions & { targets?: ReadonlyMap<string, readonly string[]> }): Promise<ApplyResult[]> {
  const stacks = prepareStacks(options).filter((s) => !options.targets || options.targets.has(s.name));
  const env = terraformEnvFor(options);
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const results = await runInDependencyOrder<ApplyResult>(
    stacks.map((s) => s.name),
    new Map(stacks.map((s) => [s.name, s.dependencies])),
    async (name, deps) => {
      const failedDep = [...deps.values()].find((d) => !d.ok);
      if (failedDep) return { stack: name, ok: false, output: `not applied: dependency ${failedDep.stack} failed` };
      const stack = byName.get(name)!;
      const targets = (options.targets?.get(name) ?? []).map((address) => `-target=${address}`);
      const args = ['apply', '-auto-approve', '-input=false', '-no-color', '-lock-timeout=120s', ...targets];
      const initialized = await runInitialized(stack.dir, env, () => terraform(args, stack.dir, env));
      if (initialized.failedInit) return { stack: name, ok: false, output: errorText(initialized.failedInit) };
      const { run } = initialized;
      return { stack: name, ok: run.code === 0, output: run.code === 0 ? run.stdout.trim().split('\n').slice(-3).join('\n') : errorText(run) };
    },
    options.concurrency,
  );
  return [...results.values()];
}

