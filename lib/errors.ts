/**
 * One problem with a piece of configuration: which file, which field, what is wrong
 * and what would be accepted. Every user-facing validation error in the project is
 * made of these, so the CLI can print one line per problem.
 */
export interface ConfigProblem {
  /** Path of the offending file, relative to the repository root where possible. */
  readonly file: string;
  /** Dotted field path inside the file (`origin.hostnames[2]`), or `(file)` for the whole file. */
  readonly field: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}: ${p.field}: ${p.message}`;
}

/** Thrown before any Terraform is written when configuration is invalid. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map(formatProblem);
    super(
      problems.length === 1
        ? `invalid configuration: ${lines[0]}`
        : `invalid configuration (${problems.length} problems):\n  ${lines.join('\n  ')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }

  static single(file: string, field: string, message: string): ConfigError {
    return new ConfigError([{ file, field, message }]);
  }
}

/** Renders a value for an error message: short, quoted, never a multi-kilobyte dump. */
export function quote(value: unknown): string {
  let s: string;
  try {
    s = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
