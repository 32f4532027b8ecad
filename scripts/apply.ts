import { createInterface } from 'node:readline/promises';
import { parseOptions } from '../tools/cli';
import { ConfigError } from '../lib/errors';
import { applyEnvironment, renderOutcome } from '../tools/plan/apply';
import { renderMarkdown } from '../tools/plan/plan-report';
import { terraformUnavailableReason } from '../tools/terraform';

const USAGE = `usage: npm run apply -- --env <env> [--stack <name>]... [--auto-approve] [--aws-only]
                     [--concurrency <n>] [--work-dir <dir>] [--state-root <dir>]
Plans each stack to a saved plan file, shows the plan report, asks (on a terminal; elsewhere
--auto-approve is required), then applies exactly those plans in dependency order.
exit code: 0 = applied (or nothing to do), 1 = a plan or apply failed, 2 = declined or
stacks still waiting for something (named), 64 = usage`;

const EX_USAGE = 64;

/** Asks on the terminal; only "yes" applies. */
async function askYes(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim() === 'yes';
  } finally {
    rl.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseOptions(
    argv,
    {
      env: { type: 'string' },
      stack: { type: 'string', multiple: true },
      'auto-approve': { type: 'boolean', default: false },
      'aws-only': { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      'work-dir': { type: 'string' },
      'state-root': { type: 'string' },
    },
    USAGE,
  );
  if (!args) return EX_USAGE;
  if (!args.env) {
    console.error(`--env is required\n${USAGE}`);
    return EX_USAGE;
  }
  if (!args['auto-approve'] && !process.stdin.isTTY) {
    console.error(`apply: not a terminal, so nothing can be confirmed: pass --auto-approve to apply without asking\n${USAGE}`);
    return EX_USAGE;
  }
  const concurrency = args.concurrency ? Number(args.concurrency) : undefined;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    console.error(`--concurrency ${JSON.stringify(args.concurrency)} must be a positive whole number\n${USAGE}`);
    return EX_USAGE;
  }
  const unavailable = terraformUnavailableReason();
  if (args['aws-only'] && unavailable) {
    console.error(`apply: cannot run: ${unavailable}`);
    return 1;
  }
  let shown: unknown;
  try {
    const outcome = await applyEnvironment({
      env: args.env,
      stacks: args.stack?.flatMap((s) => s.split(',')).filter(Boolean),
      awsOnly: args['aws-only'],
      concurrency,
      workDir: args['work-dir'],
      stateRoot: args['state-root'],
      onProgress: (line) => process.stderr.write(`${line}\n`),
      confirm: async (report) => {
        shown = report;
        process.stdout.write(renderMarkdown(report));
        if (args['auto-approve']) return true;
        return askYes(`\nApply these plans to ${args.env}? Only "yes" applies: `);
      },
    });
    // The last round's report is shown even when nobody was asked (a plan error, nothing to apply).
    const last = outcome.reports[outcome.reports.length - 1];
    if (last && last !== shown) process.stdout.write(renderMarkdown(last));
    process.stdout.write(`\n${renderOutcome(outcome)}`);
    return outcome.exitCode;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`${e.message}\nNothing was planned or applied.`);
      return 1;
    }
    console.error(`apply: ${(e as Error).stack ?? e}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  () => (process.exitCode = 1),
);
