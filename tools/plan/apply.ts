import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../lib/errors';
import { runInitialized } from './init';
import { keyServersAtOnce } from './outage-risk';
import { buildReport, type PlanReport, type StackPlanResult } from './plan-report';
import { errorText, planFileOf, planPrepared, prepareEnvironment, terraformEnvFor, type PreparedStack, type StackRunOptions } from './plan-runner';
import { progress } from './progress';
import { runInDependencyOrder } from './stack-graph';
import { terraform } from '../terraform';

/**
 * `npm run apply`: plan every selected stack to a saved plan file, show the report,
 * ask, then apply exactly those plan files in dependency order. A stack that waits
 * for an upstream one (not applied yet) is planned in the next round, once that
 * upstream stack is applied: each round is shown and confirmed on its own.
 */

export interface ApplyOptions extends StackRunOptions {
  /** Shown each round's plan report; returns whether to apply it. Never called when nothing is to apply. */
  readonly confirm: (report: PlanReport) => Promise<boolean>;
}

export type StackOutcome =
  | { readonly stack: string; readonly result: 'applied' | 'unchanged' }
  | { readonly stack: string; readonly result: 'failed'; readonly error: string }
  | { readonly stack: string; readonly result: 'skipped' | 'waiting'; readonly reason: string };

export interface ApplyOutcome {
  /** The plan report of each round, in order. */
  readonly reports: readonly PlanReport[];
  /** The last known outcome of every selected stack. */
  readonly stacks: readonly StackOutcome[];
  /** The person (or caller) said no to a round. */
  readonly declined: boolean;
  /** 0 = everything applied or unchanged; 1 = a plan or apply failed; 2 = declined, or stacks still waiting. */
  readonly exitCode: 0 | 1 | 2;
}

const APPLY_ARGS = ['apply', '-input=false', '-no-color', '-lock-timeout=120s'];

export async function applyEnvironment(options: ApplyOptions): Promise<ApplyOutcome> {
  const { stacks, config } = prepareEnvironment(options);
  const env = terraformEnvFor(options);
  const outcomes = new Map<string, StackOutcome>();
  const reports: PlanReport[] = [];
  const step = progress(options.onProgress);
  let remaining: readonly PreparedStack[] = stacks;
  const removePlans = (): void => stacks.forEach((s) => rmSync(planFileOf(s), { force: true }));
  try {
    // Each round applies at least one stack or stops, so there are at most as many rounds as stacks.
    for (let round = 0; remaining.length > 0 && round < stacks.length; round++) {
      const results = await planPrepared(remaining, { ...options, env, mode: 'plan', keepPlans: true });
      const report = buildReport({ mode: 'plan', env: options.env, awsOnly: options.awsOnly ?? false, results, knownGaps: config.drift.knownEmulatorGaps });
      reports.push(report);
      for (const s of report.stacks) {
        if (s.status === 'error') outcomes.set(s.stack, { stack: s.stack, result: 'failed', error: s.error ?? 'plan failed' });
        else if (s.status === 'waiting') outcomes.set(s.stack, { stack: s.stack, result: 'waiting', reason: s.waitingFor! });
        else if (s.status === 'no-changes') outcomes.set(s.stack, { stack: s.stack, result: 'unchanged' });
      }
      // A plan error stops everything before anything is applied: the report shows why.
      if (report.exitCode === 1) return done(reports, stacks, outcomes, false);
      const toApply = report.stacks.filter((s) => s.status === 'changes' || s.status === 'outputs-only').map((s) => s.stack);
      if (toApply.length === 0) break;
      // Never every key server at once: refused before anyone is asked.
      const together = keyServersAtOnce(report);
      if (together.length > 0) {
        const error = `refused: this apply would replace or delete ${together.length} key servers at once (${together.map((r) => r.serves ?? r.address).join(', ')}), and Keyless SSL would stop; roll one per apply (docs/keyless.md, "Rolling key servers")`;
        for (const stack of new Set(together.map((r) => r.stack))) outcomes.set(stack, { stack, result: 'failed', error });
        return done(reports, stacks, outcomes, false);
      }
      if (!(await options.confirm(report))) return done(reports, stacks, outcomes, true);
      const applied = await applyPlans(remaining.filter((s) => toApply.includes(s.name)), env, step, options.concurrency);
      for (const o of applied) outcomes.set(o.stack, o);
      // What waited on a stack that failed now waits for good: say so by name.
      const failed = new Set(applied.filter((o) => o.result === 'failed' || o.result === 'skipped').map((o) => o.stack));
      for (const s of remaining) {
        const blocker = s.dependencies.find((d) => failed.has(d));
        if (blocker && outcomes.get(s.name)?.result === 'waiting') {
          outcomes.set(s.name, { stack: s.name, result: 'skipped', reason: `${blocker} was not applied` });
          failed.add(s.name);
        }
      }
      if (failed.size > 0) return done(reports, stacks, outcomes, false);
      remaining = remaining.filter((s) => outcomes.get(s.name)?.result === 'waiting');
    }
    return done(reports, stacks, outcomes, false);
  } finally {
    removePlans();
  }
}

export interface SavedPlansOptions extends StackRunOptions {
  /** Folder of `<stack>.tfplan` files written by `npm run plan --save-plans`. */
  readonly planDir: string;
  /** Shown the stacks whose saved plans are about to be applied; returns whether to go on. */
  readonly confirm: (stacks: readonly string[]) => Promise<boolean>;
}

/**
 * `npm run apply --plan-dir`: applies exactly the saved plans made earlier (and reviewed),
 * in dependency order, never planning again. Terraform itself refuses a plan whose state
 * changed since it was made ("Saved plan is stale"): that stack fails, its dependents are
 * skipped, and a new plan has to be made and reviewed. A stack without a saved plan had no
 * changes when the plans were made and is left alone.
 */
export async function applySavedPlans(options: SavedPlansOptions): Promise<ApplyOutcome> {
  const dir = resolve(options.planDir);
  if (!existsSync(dir)) throw ConfigError.single('--plan-dir', options.planDir, 'no such folder; make the plans with npm run plan -- --env <env> --save-plans <dir>');
  const { stacks } = prepareEnvironment(options);
  const files = readdirSync(dir).filter((f) => f.endsWith('.tfplan'));
  const unknown = files.filter((f) => !stacks.some((s) => `${s.name}.tfplan` === f));
  if (unknown.length > 0) {
    throw ConfigError.single('--plan-dir', options.planDir, `holds ${unknown.join(', ')}, which is no stack of ${options.env} (${stacks.map((s) => s.name).join(', ')}); plans of another environment or another commit are never applied`);
  }
  if (files.length === 0) throw ConfigError.single('--plan-dir', options.planDir, 'holds no <stack>.tfplan file: nothing was planned with changes');
  const planned = stacks.filter((s) => files.includes(`${s.name}.tfplan`));
  const outcomes = new Map<string, StackOutcome>(stacks.filter((s) => !planned.includes(s)).map((s) => [s.name, { stack: s.name, result: 'unchanged' as const }]));
  const env = terraformEnvFor(options);
  const step = progress(options.onProgress);
  // The saved plans are read back before anything is applied: the same refusal as a
  // fresh apply (never every key server at once), whoever approved them.
  const shown: StackPlanResult[] = [];
  for (const stack of planned) {
    const read = await runInitialized(stack.dir, env, () => terraform(['show', '-json', '-no-color', join(dir, `${stack.name}.tfplan`)], stack.dir, env));
    const run = read.failedInit ?? read.run;
    if (read.failedInit || run.code !== 0) {
      outcomes.set(stack.name, { stack: stack.name, result: 'failed', error: `the saved plan cannot be read: ${errorText(run)}` });
      return done([], stacks, outcomes, false);
    }
    shown.push({ stack: stack.name, exitCode: 2, plan: JSON.parse(run.stdout) });
  }
  const report = buildReport({ mode: 'plan', env: options.env, awsOnly: options.awsOnly ?? false, results: shown });
  const together = keyServersAtOnce(report);
  if (together.length > 0) {
    const error = `refused: these saved plans would replace or delete ${together.length} key servers at once (${together.map((r) => r.serves ?? r.address).join(', ')}), and Keyless SSL would stop; roll one per apply (docs/keyless.md, "Rolling key servers")`;
    for (const stack of new Set(together.map((r) => r.stack))) outcomes.set(stack, { stack, result: 'failed', error });
    return done([report], stacks, outcomes, false);
  }
  if (!(await options.confirm(planned.map((s) => s.name)))) return done([report], stacks, outcomes, true);
  // Each planned folder was initialized above, to read its plan back.
  const applied = await applyPlans(planned, env, step, options.concurrency, (stack) => join(dir, `${stack.name}.tfplan`));
  for (const o of applied) outcomes.set(o.stack, o);
  return done([report], stacks, outcomes, false);
}

/**
 * Applies saved plans in dependency order (dependencies outside `stacks` are not waited
 * for); a stack after a failed one is skipped, named with the reason.
 */
async function applyPlans(
  stacks: readonly PreparedStack[],
  env: NodeJS.ProcessEnv,
  step: ReturnType<typeof progress>,
  concurrency: number | undefined,
  planOf: (stack: PreparedStack) => string = planFileOf,
): Promise<StackOutcome[]> {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const results = await runInDependencyOrder<StackOutcome>(
    stacks.map((s) => s.name),
    new Map(stacks.map((s) => [s.name, s.dependencies])),
    async (name, deps) => {
      const blocker = [...deps.values()].find((d) => d.result === 'failed' || d.result === 'skipped');
      if (blocker) return { stack: name, result: 'skipped', reason: `${blocker.stack} was not applied` };
      const stack = byName.get(name)!;
      return step(name, 'apply', async (): Promise<StackOutcome> => {
        const run = await terraform([...APPLY_ARGS, planOf(stack)], stack.dir, env);
        return run.code === 0 ? { stack: name, result: 'applied' } : { stack: name, result: 'failed', error: errorText(run) };
      }, (o) => o.result);
    },
    concurrency,
  );
  return [...results.values()];
}

function done(reports: PlanReport[], stacks: readonly PreparedStack[], outcomes: Map<string, StackOutcome>, declined: boolean): ApplyOutcome {
  const all = stacks.map((s) => outcomes.get(s.name) ?? { stack: s.name, result: 'skipped' as const, reason: 'not planned: an earlier step stopped the run' });
  const exitCode = all.some((o) => o.result === 'failed' || o.result === 'skipped') ? 1 : declined || all.some((o) => o.result === 'waiting') ? 2 : 0;
  return { reports, stacks: all, declined, exitCode };
}

/** One line per stack: what happened and, for the ones not applied, why. */
export function renderOutcome(outcome: ApplyOutcome): string {
  const lines = outcome.stacks.map((o) => {
    if (o.result === 'failed') return `FAILED    ${o.stack}\n${o.error.split('\n').map((l) => `         ${l}`).join('\n')}`;
    if (o.result === 'skipped') return `SKIPPED   ${o.stack}: ${o.reason}`;
    if (o.result === 'waiting') return `WAITING   ${o.stack}: ${o.reason}`;
    return `${o.result === 'applied' ? 'APPLIED ' : 'UNCHANGED'} ${o.stack}`;
  });
  const verdict = outcome.declined ? 'not applied: declined' : outcome.exitCode === 0 ? 'applied' : outcome.exitCode === 2 ? 'incomplete: stacks still waiting' : 'FAILED';
  return `${lines.join('\n')}\napply: ${verdict} (exit ${outcome.exitCode})\n`;
}
