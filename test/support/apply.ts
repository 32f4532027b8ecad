import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectAwsOnly, replaceInterpolations, type TerraformJson } from '../../tools/validate/aws-projection';
import { terraform, type TerraformRun } from '../../tools/terraform';

/**
 * Applying the AWS part of a synthesized stack to an emulator, then planning again:
 * generic helpers for apply, drift and rotation tests.
 */

/**
 * Replaces every cross-stack input (`data.terraform_remote_state`) with a literal
 * chosen by output name (inside the surrounding expression, so functions such as
 * trimspace still apply), so one stack can be applied without its producers' state.
 */
const REMOTE_OUTPUT = /data\.terraform_remote_state\.[\w-]+\.outputs\.([\w-]+)/;

export function detachRemoteState(stack: TerraformJson, value: (outputName: string) => string): TerraformJson {
  const json = structuredClone(stack);
  if (json.data?.terraform_remote_state) {
    delete json.data.terraform_remote_state;
    if (Object.keys(json.data).length === 0) delete json.data;
  }
  const rewrite = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return replaceInterpolations(v, (expr) => {
        if (!REMOTE_OUTPUT.test(expr)) return undefined;
        return `\${${expr.replace(new RegExp(REMOTE_OUTPUT.source, 'g'), (_m, name: string) => JSON.stringify(value(name)))}}`;
      });
    }
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (v as Record<string, unknown>)[k] = rewrite(x);
    return v;
  };
  for (const block of ['resource', 'data', 'output', 'locals']) if (json[block]) rewrite(json[block]);
  return json;
}

/** One resource the plan would touch, with the top-level attributes that would change. */
export interface PlannedChange {
  readonly address: string;
  readonly actions: readonly string[];
  readonly attributes: readonly string[];
}

export interface ApplyResult {
  readonly apply: TerraformRun;
  /** Changes a second plan still wants; empty means the apply converged. */
  readonly secondPlan: readonly PlannedChange[];
  /** Resource addresses in state after apply. */
  readonly state: readonly string[];
}

export interface ApplyOptions {
  /** Empty folder to run terraform in (state lives there). */
  readonly workDir: string;
  /** Environment for terraform (credentials for the emulator). */
  readonly env?: NodeJS.ProcessEnv;
  /** Placeholder for references to projected-away (tls, cloudflare) resources. */
  readonly placeholder?: (address: string, attribute: string) => string;
}

function failed(step: string, run: TerraformRun): Error {
  return new Error(`terraform ${step} failed (exit ${run.code}):\n${(run.stderr || run.stdout).slice(-4000)}`);
}

/** Awaits a terraform run and throws with its output unless it succeeded. */
export async function expectOk(run: Promise<TerraformRun>, step: string): Promise<TerraformRun> {
  const r = await run;
  if (r.code !== 0) throw failed(step, r);
  return r;
}

export interface PrepareOptions extends Pick<ApplyOptions, 'placeholder'> {
  /**
   * Let the provider look up the account id. The emulated provider config skips that
   * lookup, which leaves allowed_account_ids nothing to compare and fails every run;
   * moto's STS answers 123456789012 (the local env's account), so the provider can ask.
   * @default false
   */
  readonly askAccountId?: boolean;
}

/** Writes the AWS-only projection of a stack into `dir` and runs terraform init there. */
export async function prepareAwsOnlyStack(stack: TerraformJson, dir: string, env?: NodeJS.ProcessEnv, o: PrepareOptions = {}): Promise<{ removed: readonly string[] }> {
  mkdirSync(dir, { recursive: true });
  const { json, removed } = projectAwsOnly(stack, { placeholder: o.placeholder });
  if (o.askAccountId) for (const aws of json.provider?.aws ?? []) aws.skip_requesting_account_id = false;
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(json, null, 2));
  await expectOk(terraform(['init', '-input=false', '-no-color'], dir, env), 'init');
  return { removed };
}

/** Writes the AWS-only projection of a stack to `workDir`, runs init + apply, then a second plan. */
export async function applyAndReplan(stack: TerraformJson, o: ApplyOptions): Promise<ApplyResult> {
  await prepareAwsOnlyStack(stack, o.workDir, o.env, o);
  const apply = await terraform(['apply', '-auto-approve', '-input=false', '-no-color', '-parallelism=4'], o.workDir, o.env);
  if (apply.code !== 0) throw failed('apply', apply);
  return { apply, secondPlan: await plannedChanges(o.workDir, o.env), state: await stateList(o.workDir, o.env) };
}

/** Re-plans a stack in an already-applied folder after changing its configuration. */
export async function replanWith(stack: TerraformJson, o: ApplyOptions): Promise<readonly PlannedChange[]> {
  writeFileSync(join(o.workDir, 'main.tf.json'), JSON.stringify(projectAwsOnly(stack, { placeholder: o.placeholder }).json, null, 2));
  return plannedChanges(o.workDir, o.env);
}

export async function plannedChanges(workDir: string, env?: NodeJS.ProcessEnv): Promise<PlannedChange[]> {
  const plan = await terraform(['plan', '-input=false', '-no-color', '-out=tfplan'], workDir, env);
  if (plan.code !== 0) throw failed('plan', plan);
  const show = await terraform(['show', '-json', 'tfplan'], workDir, env);
  if (show.code !== 0) throw failed('show', show);
  const parsed = JSON.parse(show.stdout);
  return (parsed.resource_changes ?? [])
    .filter((c: any) => !(c.change.actions.length === 1 && ['no-op', 'read'].includes(c.change.actions[0])))
    .map((c: any) => ({ address: c.address, actions: c.change.actions, attributes: changedAttributes(c.change) }));
}

function changedAttributes(change: any): string[] {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const unknown = change.after_unknown ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null) || containsTrue(unknown[k]))
    .sort();
}

function containsTrue(v: unknown): boolean {
  if (v === true) return true;
  if (Array.isArray(v)) return v.some(containsTrue);
  if (v && typeof v === 'object') return Object.values(v).some(containsTrue);
  return false;
}

async function stateList(workDir: string, env?: NodeJS.ProcessEnv): Promise<string[]> {
  const r = await terraform(['state', 'list'], workDir, env);
  if (r.code !== 0) throw failed('state list', r);
  return r.stdout.split('\n').filter(Boolean);
}
