import { createInterface } from 'node:readline/promises';
import { defineCommand, EXIT, UsageError, type ExitCode } from '../cli';
import type { PlanReport } from './plan-report';
import { STACK_RUN_OPTIONS, stackRunOptionsFrom } from './run-options';

/** Asks `question` on the terminal and returns the answer. */
async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** Asks on the terminal: "yes", or the number of outage risks typed back when the plans carry any (tools/plan/outage-risk.ts). */
async function askToApply(report: PlanReport): Promise<boolean> {
  const { confirmation } = await import('./outage-risk');
  const { question, accepts } = confirmation(report);
  return accepts(await ask(question));
}

/** `npm run apply`: plan to saved plan files, show, confirm, apply those plans in dependency order. */
export const applyCommand = defineCommand({
  name: 'npm run apply',
  summary:
    'Plans each stack of one environment to a saved plan file, prints the plan report (as npm run plan), asks for "yes" on a terminal, or, when the plans carry outage risks (replacements or deletions of resources that serve traffic, each marked with why and the hostname), for the number of outage risks typed back (elsewhere --auto-approve is required), then applies exactly those plans in dependency order. Stacks waiting for an upstream stack are planned, shown and confirmed in the next round. After a failure, the stacks depending on it are skipped and named. Progress goes to stderr, one line per stack step with its elapsed time.',
  options: {
    ...STACK_RUN_OPTIONS,
    'auto-approve': { type: 'boolean', doc: 'apply without asking (required when stdin is not a terminal)' },
    'aws-only': { type: 'boolean', doc: 'apply the AWS-only projection of each stack with the offline provider mirror (implied by --env local, which applies to the moto `npm run local -- up` started, after seeding it as npm run local does)' },
    'plan-dir': {
      type: 'string',
      valueName: '<dir>',
      doc: 'apply exactly the saved plans in <dir> (from npm run plan --save-plans), in dependency order, without planning again; a stale plan fails with Terraform\'s "Saved plan is stale" and its dependents are skipped',
    },
  },
  exitCodes: { 0: 'applied, or nothing to apply', 1: 'a plan or an apply failed (the report names it; dependents are skipped and named), or bad input', 2: 'declined, or stacks still waiting for something (named)' },
  configErrorNote: 'Nothing was planned or applied.',
  async run(args): Promise<ExitCode> {
    if (!args['auto-approve'] && !process.stdin.isTTY) {
      throw new UsageError('not a terminal, so nothing can be confirmed: pass --auto-approve to apply without asking');
    }
    const { terraformMissingReason, terraformUnavailableReason } = await import('../terraform');
    const missing = terraformMissingReason() ?? (args['aws-only'] || args.env === 'local' ? terraformUnavailableReason() : undefined);
    if (missing) {
      process.stderr.write(`apply: cannot run: ${missing}\n`);
      return EXIT.failure;
    }
    // `--env local`: the running local environment, seeded as `npm run local` seeds it (tools/plan/local-target.ts).
    const { localTarget, isLocalTarget, meansRunningLocal } = await import('./local-target');
    const local = meansRunningLocal(args.env) ? await localTarget('apply', args) : undefined;
    if (local !== undefined && !isLocalTarget(local)) return local;
    if (local) {
      const { seed, defaultPaths } = await import('../local/local');
      await seed(defaultPaths(), local.endpoint, (line) => process.stderr.write(`apply: ${line}\n`));
    }
    const runOptions = { ...stackRunOptionsFrom(args), ...local?.run };
    const { applyEnvironment, applySavedPlans, renderOutcome } = await import('./apply');
    if (args['plan-dir'] !== undefined) {
      const saved = await applySavedPlans({
        ...runOptions,
        planDir: args['plan-dir'],
        confirm: async (stacks) => {
          process.stdout.write(`Saved plans in ${args['plan-dir']}: ${stacks.join(', ')}\n`);
          return args['auto-approve'] || (await ask(`\nApply these saved plans to ${args.env}? Only "yes" applies: `)).trim() === 'yes';
        },
      });
      process.stdout.write(`\n${renderOutcome(saved)}`);
      return saved.exitCode;
    }
    const { renderMarkdown } = await import('./plan-report');
    let shown: PlanReport | undefined;
    const outcome = await applyEnvironment({
      ...runOptions,
      confirm: async (report) => {
        shown = report;
        process.stdout.write(renderMarkdown(report));
        return args['auto-approve'] || askToApply(report);
      },
    });
    // The last round's report is shown even when nobody was asked (a plan error, nothing to apply).
    const last = outcome.reports[outcome.reports.length - 1];
    if (last && last !== shown) process.stdout.write(renderMarkdown(last));
    process.stdout.write(`\n${renderOutcome(outcome)}`);
    return outcome.exitCode;
  },
});
