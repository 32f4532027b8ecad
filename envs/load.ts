import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { types } from 'node:util';
import { fromRoot } from '../lib/paths';
import { isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, ConfigProblem, quote } from '../lib/errors';
import { FileRefusedError, readRegularFile } from '../lib/files';
import { fieldPath } from './field-path';
import { expressionProblems } from './literal-values';
import { ENV_NAME, Environment, environmentSchema } from './schema';

export type { Environment } from './schema';

/** Folder holding one `<name>.yaml` per environment (`EDGE_ENVS_DIR` overrides it, for tests). */
export const ENVS_DIR = process.env.EDGE_ENVS_DIR ? resolve(process.env.EDGE_ENVS_DIR) : fromRoot('envs');

/** Larger env files are refused before parsing: a real one is a few kilobytes. */
export const MAX_ENV_FILE_BYTES = 256 * 1024;

/** A loaded environment plus where it came from (module paths resolve against `dir`). */
export interface LoadedEnvironment {
  readonly config: Environment;
  /** Path of the env file, relative to the working directory, for messages. */
  readonly file: string;
  /** Folder of the env file: relative paths inside it (PEM files) resolve from here. */
  readonly dir: string;
}

/**
 * The environments of a folder: one per `<name>.yaml`. A file that looks like an env
 * file under another extension (`dev.yml`, `dev.YAML`) is refused rather than skipped,
 * because a skipped environment is silently never built or checked.
 */
export function listEnvironments(dir: string = ENVS_DIR): string[] {
  const misnamed = misnamedEnvFiles(dir);
  if (misnamed.length > 0) throw new ConfigError(misnamed);
  return yamlNames(dir);
}

/**
 * The `<name>` of every `<name>.yaml` in `dir` whose name is a valid environment name,
 * sorted. Only these are ever offered as valid, so a message listing the environments
 * never lists a spelling that would be refused (`Dev.yaml` is reported by misnamedEnvFiles).
 */
export function yamlNames(dir: string = ENVS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .filter((name) => ENV_NAME.test(name))
    .sort();
}

/** One problem per file of `dir` that looks like an env file but would not be read. */
export function misnamedEnvFiles(dir: string = ENVS_DIR): ConfigProblem[] {
  const entries = readdirSync(dir);
  return entries.flatMap((f): ConfigProblem[] => {
    const file = displayPath(join(dir, f));
    if (/\.ya?ml$/i.test(f) && !f.endsWith('.yaml')) {
      return [{ file, field: '(file)', message: `environment files must end in ".yaml"; this one would be ignored: rename it to ${quote(f.replace(/\.ya?ml$/i, '.yaml'))} or move it out of the folder` }];
    }
    const stem = f.endsWith('.yaml') ? f.slice(0, -'.yaml'.length) : undefined;
    if (stem !== undefined && !ENV_NAME.test(stem)) {
      const suggestion = stem.toLowerCase().replace(/[^a-z0-9]/g, '');
      return [
        {
          file,
          field: '(file)',
          message: `${quote(stem)} is not an environment name (2-16 lowercase letters and digits, starting with a letter); this file would be ignored: rename it${ENV_NAME.test(suggestion) && !entries.includes(`${suggestion}.yaml`) ? ` to ${quote(`${suggestion}.yaml`)}` : ''} or move it out of the folder`,
        },
      ];
    }
    return [];
  });
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

export { fieldPath };

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): { field: string; message: string }[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      field: fieldPath([...issue.path, key]),
      message: `unknown field; allowed here: ${allowedKeysHint(issue.path, input)}`,
    }));
  }
  if (issue.code === 'invalid_key') {
    // zod reports a bad record key with its own generic text and the *value*; say what keys are accepted instead.
    const key = issue.path[issue.path.length - 1];
    return [{ field: fieldPath(issue.path), message: `${issue.issues[0]?.message ?? issue.message} (got key ${quote(String(key))})` }];
  }
  const got = valueAt(input, issue.path);
  let message = issue.message;
  if (issue.code === 'invalid_type' && got === undefined) message = `missing required field (${issue.message.replace(/, received undefined$/, '')})`;
  else if (issue.code !== 'custom' && got !== undefined && typeof got !== 'object') message += ` (got ${quote(got)})`;
  return [{ field: fieldPath(issue.path), message }];
}

function allowedKeysHint(path: readonly PropertyKey[], input: unknown): string {
  let schema: unknown = environmentSchema;
  for (let i = 0; i < path.length; i++) {
    const k = path[i];
    schema = unionOption(unwrap(schema), valueAt(input, path.slice(0, i)));
    const shape = (schema as { shape?: Record<string, unknown> }).shape;
    if (typeof k === 'number') schema = (schema as { element?: unknown }).element;
    else if (shape) schema = shape[k as string];
    else return 'see envs/schema';
  }
  const shape = (unionOption(unwrap(schema), valueAt(input, path)) as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape).join(', ') : 'see envs/schema';
}

/**
 * The option of a union (`pki` by its `mode`, `keyless` by `enabled`) whose literal
 * fields the input matches, so the hint lists the keys of the variant written, not
 * "see envs/schema". Anything else is returned as it is.
 */
function unionOption(schema: unknown, value: unknown): unknown {
  const options = (schema as { def?: { options?: unknown[] } })?.def?.options;
  if (!Array.isArray(options)) return schema;
  const literalsMatch = (option: unknown) =>
    Object.entries((unwrap(option) as { shape?: Record<string, { def?: { type?: string; values?: unknown[] } }> }).shape ?? {}).every(
      ([key, field]) => field?.def?.type !== 'literal' || (field.def.values ?? []).includes(valueAt(value, [key])),
    );
  return options.find(literalsMatch) ?? schema;
}

function unwrap(schema: unknown): unknown {
  let s = schema as { def?: { innerType?: unknown; in?: unknown; schema?: unknown } };
  for (let i = 0; i < 10 && s?.def; i++) {
    const next = s.def.innerType ?? s.def.in ?? s.def.schema;
    if (!next) break;
    s = next as typeof s;
  }
  return s;
}

/**
 * Reads, parses and validates one environment file. Throws a ConfigError with one
 * problem per bad field; returns a fully-defaulted, typed environment otherwise.
 */
export function loadEnvironment(name: string, dir: string = ENVS_DIR): LoadedEnvironment {
  const path = join(dir, `${name}.yaml`);
  const file = displayPath(path);
  if (!ENV_NAME.test(name) || !yamlNames(dir).includes(name)) {
    const known = yamlNames(dir);
    throw ConfigError.single(
      file,
      '(environment)',
      `unknown environment ${quote(name)}; expected one of: ${known.join(', ')} (a file envs/<name>.yaml)`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path, { maxBytes: MAX_ENV_FILE_BYTES });
  } catch (e) {
    if (e instanceof FileRefusedError) throw ConfigError.single(file, '(file)', `${e.message}; expected an environment file (a regular file of YAML text)`);
    throw e;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw ConfigError.single(file, '(file)', 'file is not valid UTF-8 text; save it as UTF-8');
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  // `%YAML 1.1` switches the parser to YAML 1.1, where `off`, `no` and `y` are booleans
  // and `0777` is octal: the same file would mean something else. Only 1.2 is read.
  if (doc.directives?.yaml.explicit && doc.directives.yaml.version !== '1.2') {
    throw ConfigError.single(file, '(line 1)', `the %YAML ${doc.directives.yaml.version} directive is not accepted; environment files are YAML 1.2 (remove the directive)`);
  }
  // Warnings mean the parser guessed: an unresolved tag (`!!js/function x`, `!custom`)
  // becomes its bare scalar, an unknown directive is skipped. An env file has no use
  // for either, so every warning is an error.
  const yamlErrors = [...doc.errors, ...doc.warnings];
  if (yamlErrors.length > 0) {
    throw new ConfigError(
      yamlErrors.map((e) => ({
        file,
        field: e.linePos ? `(line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '(file)',
        message: `YAML syntax error: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    );
  }
  if (!isMap(doc.contents)) {
    throw ConfigError.single(file, '(file)', 'expected a YAML mapping with the fields name, aws, cloudflare, backend, hostnames');
  }
  const unsafeKeys = unsafeKeyProblems(doc, file);
  if (unsafeKeys.length > 0) throw new ConfigError(unsafeKeys);
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    // yaml throws a plain ReferenceError for alias bombs ("billion laughs"): report it as bad
    // input. Known by name, not instanceof, so an error of another realm is known too (the
    // jest workers share one yaml across test files, test/support/shared-modules.js).
    if (types.isNativeError(e) && e.name === 'ReferenceError') throw ConfigError.single(file, '(file)', 'too many YAML alias expansions (more than 50); write the values out instead of nesting aliases');
    throw e;
  }
  const problems: ConfigProblem[] = expressionProblems(input, file);
  const expressionFields = new Set(problems.map((p) => p.field));
  const result = environmentSchema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      // A field already refused as an expression needs no second line about its format.
      for (const p of describeIssue(issue, input)) if (!expressionFields.has(p.field)) problems.push({ file, ...p });
    }
  } else if (result.data.name !== name) {
    problems.push({ file, field: 'name', message: `is ${quote(result.data.name)} but the file is ${name}.yaml; they must match` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { config: result.data!, file, dir };
}

/** Keys that would reach an object's prototype when the document becomes JavaScript objects. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Map keys must be plain strings (a `? [a, b]` key is stringified by the parser with only
 * a warning) and must not be prototype keys: `tags: {__proto__: {...}}` would otherwise
 * replace the prototype of the parsed object instead of failing as an unknown field.
 */
function unsafeKeyProblems(doc: Document, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  visit(doc, {
    Pair(_, pair, path) {
      const parents: PropertyKey[] = [];
      path.forEach((node, i) => {
        if (isPair(node) && isScalar(node.key)) parents.push(String(node.key.value));
        else if (isSeq(node) && path[i + 1] !== undefined) parents.push(node.items.indexOf(path[i + 1] as never));
      });
      if (!isScalar(pair.key) || (typeof pair.key.value !== 'string' && typeof pair.key.value !== 'number')) {
        problems.push({ file, field: fieldPath(parents), message: 'a map key is not a plain string; write keys as simple words' });
      } else if (PROTOTYPE_KEYS.has(String(pair.key.value))) {
        problems.push({ file, field: fieldPath([...parents, String(pair.key.value)]), message: `"${String(pair.key.value)}" is not allowed as a key (it names a JavaScript prototype)` });
      }
    },
  });
  return problems;
}

/**
 * Resolves which environments to build from a selector such as `dev,prod`
 * (from `ENVS` or `--env`). Empty selects all of them.
 */
export function selectEnvironments(selector: string | undefined, dir: string = ENVS_DIR): string[] {
  const known = listEnvironments(dir);
  if (known.length === 0) {
    throw ConfigError.single(displayPath(dir), '(folder)', 'holds no environment files; expected one <name>.yaml per environment (is EDGE_ENVS_DIR right?)');
  }
  if (selector === undefined || selector.trim() === '' || selector.trim() === 'all') return known;
  const wanted = selector.split(',').map((s) => s.trim()).filter(Boolean);
  if (wanted.length === 0) {
    throw ConfigError.single('ENVS', quote(selector), `selects no environment; expected a comma-separated list of: ${known.join(', ')} (or leave it unset for all)`);
  }
  const unknown = wanted.filter((w) => !known.includes(w));
  if (unknown.length > 0) {
    throw ConfigError.single(
      'ENVS',
      unknown.join(','),
      `unknown environment${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => quote(u)).join(', ')}; expected a comma-separated list of: ${known.join(', ')}`,
    );
  }
  return [...new Set(wanted)];
}
