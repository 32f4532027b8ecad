import { emitReport, parseOptions } from '../tools/cli';
import { ConfigError } from '../lib/errors';
import { planStacks } from '../tools/plan/plan-runner';
import { renderJson, renderMarkdown, type PlanMode } from '../tools/plan/plan-report';
import { terraformUnavailableReason } from '../tools/terraform';

const USAGE = `usage:
  npm run plan  -- --env <env> [--stack <name>]... [--aws-only] [--json <file>] [--markdown <file>]
                [--concurrency <n>] [--work-dir <dir>] [--state-root <dir>]
  npm run drift -- --env <env> [--stack <name>]... [--aws-only] [--json <file>] [--markdown <file>]
exit code: 0 = no changes, 2 = changes/drift, 1 = error`;

/**
 * `npm run plan` / `npm run drift`: prints the Markdown report, optionally writes the
 * JSON report and appends the Markdown to a file (a job summary), and exits with the
 * report's verdict.
 */
async function main(): Promise<number> {
  const mode = process.argv[2] as PlanMode;
  if (mode !== 'plan' && mode !== 'drift') {
    console.error(USAGE);
    return 1;
  }
  const args = parseOptions(
    process.argv.slice(3),
    {
      env: { type: 'string' },
      stack: { type: 'string', multiple: true },
      'aws-only': { type: 'boolean', default: false },
      json: { type: 'string' },
      markdown: { type: 'string' },
      concurrency: { type: 'string' },
      'work-dir': { type: 'string' },
      'state-root': { type: 'string' },
    },
    USAGE,
  );
  if (!args) return 1;
  if (!args.env) {
    console.error(`--env is required\n${USAGE}`);
    return 1;
  }
  const unavailable = terraformUnavailableReason();
  if (args['aws-only'] && unavailable) {
    console.error(`${mode}: cannot run: ${unavailable}`);
    return 1;
  }
  const concurrency = args.concurrency ? Number(args.concurrency) : undefined;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    console.error(`--concurrency ${JSON.stringify(args.concurrency)} must be a positive whole number`);
    return 1;
  }
  try {
    const report = await planStacks({
      mode,
      env: args.env,
      stacks: args.stack?.flatMap((s) => s.split(',')).filter(Boolean),
      awsOnly: args['aws-only'],
      concurrency,
      workDir: args['work-dir'],
      stateRoot: args['state-root'],
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
    emitReport(renderMarkdown(report), () => renderJson(report), args);
    return report.exitCode;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`${e.message}\nNothing was planned.`);
      return 1;
    }
    console.error(`${mode}: ${(e as Error).stack ?? e}`);
    return 1;
  }
}

main().then(
  (code) => (process.exitCode = code),
  () => (process.exitCode = 1),
);
