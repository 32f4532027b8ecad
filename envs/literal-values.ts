import type { ConfigProblem } from '../lib/errors';
import { fieldPath } from './field-path';

/**
 * Every string of an env file ends up as a literal in Terraform JSON (a name, a tag, a
 * description, a hostname). Terraform evaluates `${...}` and `%{...}` in any JSON
 * string, and CDKTF resolves its own token markers before writing the JSON, so a tag
 * value `${file("/etc/hostname")}` or `${TfToken[TOKEN.1]}` would become an expression
 * or a reference to another resource (a private key, say). Env files have no use for
 * either, so they are refused, in values and in map keys alike, before the schema sees
 * them; no field needs escaping.
 */
const EXPRESSION_MARKERS: ReadonlyArray<[RegExp, string]> = [
  [/\$\{/, 'a Terraform interpolation "${"'],
  [/%\{/, 'a Terraform template directive "%{"'],
  // CDKTF's list and map token markers (its string marker starts with "${" above).
  [/#\{TfToken\[/, 'a CDKTF list token "#{TfToken["'],
  [/&\{TfToken\[/, 'a CDKTF map token "&{TfToken["'],
];

/**
 * CDKTF encodes number tokens as doubles around -1.9e289. No count, port or number of
 * days in an env file comes near 2^53, so anything beyond it is refused as well.
 */
function numberProblem(n: number): string | undefined {
  if (!Number.isFinite(n) || Math.abs(n) > Number.MAX_SAFE_INTEGER) return `${n} is not a plain number; expected a value below 2^53`;
  return undefined;
}

function stringProblem(s: string): string | undefined {
  const marker = EXPRESSION_MARKERS.find(([re]) => re.test(s));
  return marker && `contains ${marker[1]}; env-file values are literal text, never Terraform expressions or CDKTF tokens`;
}

/** One problem per string (value or key) or number of `input` that could become an expression. */
export function expressionProblems(input: unknown, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const walk = (value: unknown, path: PropertyKey[]): void => {
    if (typeof value === 'string') {
      const p = stringProblem(value);
      if (p) problems.push({ file, field: fieldPath(path), message: p });
    } else if (typeof value === 'number') {
      const p = numberProblem(value);
      if (p) problems.push({ file, field: fieldPath(path), message: p });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...path, i]));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const p = stringProblem(k);
        if (p) problems.push({ file, field: fieldPath([...path, k]), message: `the key ${p}` });
        walk(v, [...path, k]);
      }
    }
  };
  walk(input, []);
  return problems;
}
