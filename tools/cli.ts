import { appendFileSync, lstatSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs, types } from 'node:util';
import { ConfigError, quote } from '../lib/errors';
import { FileRefusedError, readRegularFile } from '../lib/files';

/**
 * The one runner behind every npm command. Each command is defined in a `command.ts`
 * (or `<name>-command.ts`) under tools/; scripts/<name>.ts only runs it, and main.ts runs
 * the synth command.
 *
 * API:
 * - `defineCommand({ name, summary, options, exitCodes?, configErrorNote?, run })` declares
 *   a command: its options (type, default, doc, environment-variable fallback, required)
 *   and a `run(values)` that returns an exit code. `values` is typed from the options.
 * - `runCommand(command)` parses `process.argv`, answers `--help`, runs the command and
 *   sets `process.exitCode`; it never throws and never prints a stack trace unless
 *   `EDGE_DEBUG=1`. `runEntry(name, execute)` does the same for a command with
 *   sub-commands (`npm run local -- <command>`), whose `execute` picks one.
 * - `UsageError`: throw it from `run` when the command line itself is wrong (exit 64).
 * - `EXIT`: the exit-code table below. `ENVS_OPTION` (`--env`, or `$ENVS`) and
 *   `REPORT_OPTIONS` (`--json`, `--markdown`): shared option definitions.
 *   `emitReport`: stdout plus the `--json`/`--markdown` files.
 *
 * Exit codes, the same for every command (README "Commands" repeats this table):
 *   0   ok
 *   1   failure or bad input: a failed check, a configuration problem, an unexpected error
 *   2   changes or drift (plan and drift only)
 *   64  usage error: unknown option, missing or malformed value (BSD sysexits EX_USAGE)
 *
 * Commands must import their heavy modules (stacks, providers, tools) inside `run`
 * with `await import(...)`, so `--help` and usage errors answer without loading them.
 * test/integration/cli/scripts.test.ts holds every command in package.json to all of this.
 */

export const EXIT = { ok: 0, failure: 1, changes: 2, usage: 64 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Meaning of each exit code, as `--help` prints it unless a command words it for itself. */
const EXIT_MEANING: Record<ExitCode, string> = {
  0: 'ok',
  1: 'failure or bad input',
  2: 'changes or drift',
  64: 'usage error (unknown option, missing or malformed value)',
};

/** Set to 1 to print the stack trace of an unexpected error. */
export const DEBUG_VARIABLE = 'EDGE_DEBUG';

interface OptionBase {
  /** One line for `--help`. */
  readonly doc: string;
  /** Environment variable read when the option is not given (e.g. `ENVS`). @default none */
  readonly env?: string;
  /** Placeholder shown in `--help` (`<env>`). @default `<value>` */
  readonly valueName?: string;
  /** A file the command writes: checked before the run (a folder, a device or a missing folder is a usage error). */
  readonly output?: boolean;
}

export type OptionDef =
  | (OptionBase & { readonly type: 'boolean' })
  | (OptionBase & { readonly type: 'string'; readonly default?: string; readonly required?: boolean; readonly multiple?: false })
  | (OptionBase & { readonly type: 'string'; readonly multiple: true })
  | (OptionBase & { readonly type: 'integer'; readonly default?: number; readonly required?: boolean; readonly min?: number });

export type OptionDefs = Readonly<Record<string, OptionDef>>;

type ValueOf<D extends OptionDef> = D extends { type: 'boolean' }
  ? boolean
  : D extends { multiple: true }
    ? string[]
    : D extends { type: 'integer' }
      ? D extends { required: true } | { default: number } ? number : number | undefined
      : D extends { required: true } | { default: string } ? string : string | undefined;

/** Parsed option values, typed from the definitions. */
export type OptionValues<O extends OptionDefs> = { readonly [K in keyof O]: ValueOf<O[K]> };

export interface Command<O extends OptionDefs> {
  /** How people type it: `npm run plan`. */
  readonly name: string;
  /** What it does, a sentence or two for `--help`. */
  readonly summary: string;
  readonly options: O;
  /** Command-specific wording for exit codes; 2 is listed only when given here. @default the table above */
  readonly exitCodes?: Partial<Record<ExitCode, string>>;
  /** Printed after the problems of a ConfigError (`Nothing was written.`). @default none */
  readonly configErrorNote?: string;
  run(values: OptionValues<O>): ExitCode | Promise<ExitCode>;
}

/** Identity, for type inference of the option values. */
export function defineCommand<const O extends OptionDefs>(command: Command<O>): Command<O> {
  return command;
}

/** The command line is wrong: the runner prints the message and a pointer to `--help`, exit 64. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const flag = (name: string) => `--${name}`;
const placeholder = (def: OptionDef) => (def.type === 'boolean' ? '' : ` ${def.valueName ?? (def.type === 'integer' ? '<n>' : '<value>')}`);

/** The `--help` text: usage, options, environment variables, exit codes. */
export function helpText(command: Command<OptionDefs>): string {
  const rows: [string, string][] = Object.entries(command.options).map(([name, def]) => {
    const notes: string[] = [];
    if ('required' in def && def.required) notes.push('required');
    if (def.type === 'string' && def.multiple) notes.push('repeatable');
    if ('default' in def && def.default !== undefined) notes.push(`default ${JSON.stringify(def.default)}`);
    if (def.env) notes.push(`or $${def.env}`);
    return [`${flag(name)}${placeholder(def)}`, `${def.doc}${notes.length ? ` [${notes.join('; ')}]` : ''}`];
  });
  rows.push(['-h, --help', 'print this help and exit']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const codes = ([0, 1, 2, 64] as const).filter((c) => c !== 2 || command.exitCodes?.[2]);
  const required = Object.entries(command.options)
    .filter(([, def]) => 'required' in def && def.required)
    .map(([name, def]) => `${flag(name)}${placeholder(def)}`);
  return [
    `usage: ${command.name}${required.length || rows.length > 1 ? ' --' : ''}${required.map((r) => ` ${r}`).join('')} [options]`,
    '',
    command.summary,
    '',
    'options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`),
    '',
    'exit codes:',
    ...codes.map((c) => `  ${String(c).padEnd(4)}${command.exitCodes?.[c] ?? EXIT_MEANING[c]}`),
    `unexpected errors print one line; ${DEBUG_VARIABLE}=1 prints the stack trace.`,
    '',
  ].join('\n');
}

/** parseArgs' own messages are long and mention positionals; say what is wrong in our words. */
function usageMessage(e: Error & { code?: string }): string {
  const option = /'(-[^' ]+)/.exec(e.message)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (/argument missing/.test(e.message)) return `${option} needs a value`;
    if (/ambiguous/.test(e.message)) return `${option} needs a value (a value starting with "-" is written ${option}=-value)`;
    if (/does not take an argument/.test(e.message)) return `${option} takes no value`;
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${/'([^']*)'/.exec(e.message)?.[1] ?? ''}`.trim();
  return e.message;
}

/** Parses and checks a command line against the definitions; throws UsageError. Exported for tests. */
export function parseCommandLine<O extends OptionDefs>(command: Command<O>, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): OptionValues<O> | 'help' {
  const spec: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, def] of Object.entries(command.options)) {
    spec[name] = { type: def.type === 'boolean' ? 'boolean' : 'string', ...(def.type === 'string' && def.multiple ? { multiple: true } : {}) };
  }
  let parsed: Record<string, unknown>;
  let tokens: ReturnType<typeof parseArgs>['tokens'];
  try {
    ({ values: parsed, tokens } = parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals: false, tokens: true }));
  } catch (e) {
    throw new UsageError(usageMessage(e as Error & { code?: string }));
  }
  if (parsed.help) return 'help';
  // parseArgs keeps the last of a repeated option: a second --env must not silently replace the first.
  const seen = new Map<string, string | undefined>();
  for (const t of tokens ?? []) {
    if (t.kind !== 'option' || spec[t.name]?.multiple) continue;
    if (seen.has(t.name)) {
      const values = [seen.get(t.name), t.value].filter((v) => v !== undefined).map((v) => JSON.stringify(v));
      throw new UsageError(`${flag(t.name)} is given twice${values.length ? ` (${values.join(' then ')})` : ''}; give it once`);
    }
    seen.set(t.name, t.value);
  }

  const values: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(command.options)) {
    let raw = parsed[name];
    if (raw === undefined && def.env && env[def.env]) raw = def.type === 'boolean' ? env[def.env] !== '0' : env[def.env];
    if (raw === undefined && 'default' in def) raw = def.default;
    if (raw === undefined && 'required' in def && def.required) {
      throw new UsageError(`missing ${flag(name)}${placeholder(def)}${def.env ? ` (or $${def.env})` : ''}`);
    }
    if (def.type === 'boolean') raw = raw ?? false;
    if (def.type === 'string' && def.multiple) raw = raw ?? [];
    if (def.type === 'integer' && typeof raw === 'string') {
      const n = Number(raw);
      const min = def.min ?? 0;
      if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min) {
        throw new UsageError(`${flag(name)} ${JSON.stringify(raw)} must be a whole number >= ${min}`);
      }
      raw = n;
    }
    if (def.type === 'string' && def.output && typeof raw === 'string') {
      const problem = outputFileProblem(raw);
      if (problem) throw new UsageError(`${flag(name)} ${quote(raw)} ${problem}`);
    }
    values[name] = raw;
  }
  return values as OptionValues<O>;
}

/**
 * Runs a command with the given arguments and returns its exit code; writes help to
 * stdout and problems to stderr. Never throws.
 */
export async function executeCommand<O extends OptionDefs>(command: Command<O>, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  const fail = (text: string, code: ExitCode): ExitCode => {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
    return code;
  };
  try {
    const values = parseCommandLine(command, argv, env);
    if (values === 'help') {
      process.stdout.write(helpText(command as unknown as Command<OptionDefs>));
      return EXIT.ok;
    }
    return await command.run(values);
  } catch (e) {
    if (e instanceof UsageError) return fail(`${command.name}: ${e.message}\nrun "${command.name} -- --help" for usage`, EXIT.usage);
    if (e instanceof ConfigError) return fail(command.configErrorNote ? `${e.message}\n${command.configErrorNote}` : e.message, EXIT.failure);
    return fail(unexpected(command.name, e, env), EXIT.failure);
  }
}

/** One line for an error nobody expected, or its stack trace when EDGE_DEBUG is set. */
function unexpected(name: string, e: unknown, env: NodeJS.ProcessEnv): string {
  // isNativeError, not instanceof: an error made in another realm (a vm context, or the
  // packages jest's workers share, test/support/shared-modules-environment.js) is one too.
  const err = types.isNativeError(e) ? e : new Error(String(e));
  if (env[DEBUG_VARIABLE] && env[DEBUG_VARIABLE] !== '0') return `${name}: ${err.stack ?? err.message}`;
  const firstLine = err.message.split('\n')[0] || err.name;
  return `${name}: ${firstLine}\n(set ${DEBUG_VARIABLE}=1 to print the stack trace)`;
}

/**
 * Entry point for a script: runs `execute` on `process.argv` and sets `process.exitCode`.
 * `name` heads the one line an unexpected late error prints.
 */
export function runEntry(name: string, execute: (argv: readonly string[]) => Promise<ExitCode>): Promise<void> {
  // An error thrown later from a callback or a forgotten promise ends the same way:
  // one line, exit 1, instead of Node's stack trace.
  const late = (e: unknown) => {
    process.stderr.write(`${unexpected(name, e, process.env)}\n`);
    process.exit(EXIT.failure);
  };
  process.on('uncaughtException', late);
  process.on('unhandledRejection', late);
  return execute(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

/** Entry point for a script that runs one command (scripts/<name>.ts). */
export function runCommand<O extends OptionDefs>(command: Command<O>): Promise<void> {
  return runEntry(command.name, (argv) => executeCommand(command, argv));
}

/**
 * Why a report file cannot be written, checked before the run so a whole plan or review
 * is not lost to a typo at the end; undefined when it can (it may not exist yet).
 */
export function outputFileProblem(path: string): string | undefined {
  if (path.includes('\0')) return 'contains a NUL character';
  const target = resolve(path);
  if (Buffer.byteLength(target) > 4095) return 'is longer than the system allows (4095 bytes)';
  let stats;
  try {
    stats = lstatSync(target);
  } catch {
    try {
      return statSync(dirname(target)).isDirectory() ? undefined : `cannot be made: ${quote(dirname(target))} is not a folder`;
    } catch {
      return `cannot be made: the folder ${quote(dirname(target))} does not exist`;
    }
  }
  if (stats.isDirectory()) return 'is a folder; name a file';
  if (stats.isSymbolicLink()) return 'is a symbolic link; name the file itself';
  if (!stats.isFile()) return 'is not a regular file (a device, FIFO or socket); name a file';
  return undefined;
}

/** Largest JSON report a command reads (`--plan`, `--review`, `--report`): far above any real one. */
export const MAX_REPORT_BYTES = 16 * 1024 * 1024;

/**
 * A JSON report named by an option, read as a bounded regular file: a device (`/dev/zero`),
 * FIFO, folder or missing file is one ConfigError naming the option, never a hang or a raw errno.
 */
export function readJsonInput(path: string, option: string, isShape: (v: unknown) => boolean, what: string): unknown {
  let text: string;
  try {
    text = readRegularFile(path, { maxBytes: MAX_REPORT_BYTES }).toString('utf8');
  } catch (e) {
    if (e instanceof FileRefusedError) throw ConfigError.single(option, quote(path), `${e.message}; expected ${what}`);
    throw e;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw ConfigError.single(option, quote(path), `is not JSON (${(e as Error).message.split('\n')[0]}); expected ${what}`);
  }
  if (!isShape(value)) throw ConfigError.single(option, quote(path), `is JSON but not ${what}`);
  return value;
}

/** A plan or drift report of `npm run plan|drift -- --json` (the fields every reader needs). */
export const isPlanReportJson = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && typeof (v as { env?: unknown }).env === 'string' && typeof (v as { exitCode?: unknown }).exitCode === 'number' && Array.isArray((v as { stacks?: unknown }).stacks);

/** A review of `npm run review -- --json`. */
export const isReviewJson = (v: unknown): boolean => typeof v === 'object' && v !== null && Array.isArray((v as { stacks?: unknown }).stacks);

/** The `--env` option of every command that selects environments (ENVS keeps working). */
export const ENVS_OPTION = {
  type: 'string',
  valueName: '<env>[,<env>...]',
  env: 'ENVS',
  doc: 'environments to include, comma-separated (default: every envs/*.yaml)',
} as const satisfies OptionDef;

/** Where a report goes besides stdout: `--json <file>` and `--markdown <file>` (appended, e.g. $GITHUB_STEP_SUMMARY). */
export const REPORT_OPTIONS = {
  json: { type: 'string', valueName: '<file>', output: true, doc: 'also write the report as JSON to this file' },
  markdown: { type: 'string', valueName: '<file>', output: true, doc: 'also append the Markdown report to this file (e.g. $GITHUB_STEP_SUMMARY)' },
} as const satisfies OptionDefs;

export interface ReportOutputs {
  readonly json?: string;
  readonly markdown?: string;
}

/** Prints the Markdown report, writes the JSON one and appends the Markdown where asked. */
export function emitReport(markdown: string, json: () => string, to: ReportOutputs): void {
  process.stdout.write(markdown);
  // Checked before the run (outputFileProblem); what changes meanwhile still ends in words, not an errno.
  const write = (option: string, path: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      throw ConfigError.single(option, quote(path), `cannot be written (${(e as NodeJS.ErrnoException).code === 'ENOSPC' ? 'the disk is full' : 'the system refused it'}); the report is on stdout above`);
    }
  };
  if (to.json) write('--json', to.json, () => writeFileSync(to.json!, json()));
  if (to.markdown) write('--markdown', to.markdown, () => appendFileSync(to.markdown!, markdown));
}
