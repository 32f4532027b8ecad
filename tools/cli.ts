import { appendFileSync, writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** What the report scripts (`npm run plan`, `drift`, `review`) share on their command lines. */

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `--name value` options strictly (no positionals, no unknown names). On a bad
 * command line prints the problem and the usage and returns undefined.
 */
export function parseOptions<O extends OptionSpec>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    return undefined;
  }
}

/** Where a report goes besides stdout: `--json <file>` and `--markdown <file>` (appended, e.g. $GITHUB_STEP_SUMMARY). */
export interface ReportOutputs {
  readonly json?: string;
  readonly markdown?: string;
}

/** Prints the Markdown report, writes the JSON one and appends the Markdown where asked. */
export function emitReport(markdown: string, json: () => string, to: ReportOutputs): void {
  process.stdout.write(markdown);
  if (to.json) writeFileSync(to.json, json());
  if (to.markdown) appendFileSync(to.markdown, markdown);
}
