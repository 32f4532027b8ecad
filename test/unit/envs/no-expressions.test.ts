import { rmSync } from 'node:fs';
import { Token } from 'cdktf';
import type { z } from 'zod';
import { loadEnvironment } from '../../../envs/load';
import { environmentSchema } from '../../../envs/schema';
import { ConfigError } from '../../../lib/errors';
import { fieldPath } from '../../../envs/field-path';
import { envDir, prodWithKeyless, writeEnvFile } from '../../support/env-files';
import { synthStacks } from '../../support/synth';

/**
 * No Terraform expression or CDKTF token can come from an env file. The fields are not
 * listed by hand: they are found by walking the zod schema, so a field added later is
 * covered the day it is added. Every string field (and every map key) is fed each hostile
 * form; every number field a CDKTF number token.
 */

type Path = Array<string | number>;
interface Leaf {
  readonly path: Path;
  readonly kind: 'string' | 'number' | 'key';
}

/** Every string, number and record-key position of a schema, with arrays at index 0 and records at key "Injected". */
function leaves(schema: z.ZodType, path: Path = [], depth = 0): Leaf[] {
  const def = (schema as any)._zod.def;
  if (depth > 40) throw new Error(`schema deeper than 40 at ${fieldPath(path)}`);
  switch (def.type) {
    case 'string':
      return [{ path, kind: 'string' }];
    case 'number':
      return [{ path, kind: 'number' }];
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
      return leaves(def.innerType, path, depth + 1);
    case 'pipe':
      return leaves(def.in, path, depth + 1);
    case 'array':
      return leaves(def.element, [...path, 0], depth + 1);
    case 'object':
      return Object.entries(def.shape).flatMap(([k, v]) => leaves(v as z.ZodType, [...path, k], depth + 1));
    case 'union':
      return def.options.flatMap((o: z.ZodType) => leaves(o, path, depth + 1));
    case 'record':
      return [{ path: [...path, 'Injected'], kind: 'key' }, ...leaves(def.valueType, [...path, 'Injected'], depth + 1)];
    case 'enum':
    case 'literal':
    case 'boolean':
      // A closed set of values: nothing free-form to inject, and anything else is refused by the schema.
      return [];
    default:
      throw new Error(`the walk does not know zod type "${def.type}" at ${fieldPath(path)}: teach it, so the field is not silently skipped`);
  }
}

/** Deep-sets `path` in a copy of `doc`, making the objects and arrays on the way. */
function setAt(doc: any, path: Path, value: unknown, asKey = false): any {
  const copy = structuredClone(doc);
  let node = copy;
  path.slice(0, -1).forEach((k, i) => {
    const next = path[i + 1];
    if (node[k] === null || typeof node[k] !== 'object') node[k] = typeof next === 'number' ? [] : {};
    node = node[k];
  });
  const last = path[path.length - 1];
  if (asKey) node[value as string] = 'x';
  else node[last] = value;
  return copy;
}

/** The messages `problems` has for `field` (a case's failure then shows only its own field). */
const messagesFor = (problems: Problems, field: string) => (problems === 'loaded' ? problems : problems.filter((p) => p.field === field).map((p) => p.message));

/**
 * `base` with `value` written at every one of `at` (as a key when `asKey`): one file per
 * form, loaded once, in which each case looks for its own field. Loading one file per
 * field and form (575 loads) took most of this file's time. The refusal looks at each
 * value and key on its own, so a field the loader stopped refusing still fails its own
 * case, and only that one. Throws if two paths clash, so no field is silently lost.
 */
function everywhere(at: readonly Leaf[], value: unknown, asKey = false): any {
  const doc = at.reduce((d, l) => setAt(d, l.path, value, asKey), base);
  for (const l of at) {
    const parent = l.path.slice(0, -1).reduce((n: any, k) => n?.[k], doc);
    const holds = asKey ? parent?.[value as string] === 'x' : parent?.[l.path[l.path.length - 1]] === value;
    if (!holds) throw new Error(`${fieldPath(l.path)} lost its value when every field was written: two schema paths clash; load it on its own`);
  }
  return doc;
}

const tokenFor = (value: unknown) => ({ resolve: () => value, creationStack: [], toString: () => 'x' }) as any;
const STRING_FORMS: ReadonlyArray<[string, string]> = [
  ['a Terraform function call', '${file("/etc/hostname")}'],
  ['an interpolation inside text', 'team-${var.owner}-edge'],
  ['a template directive', '%{ if true }x%{ endif }'],
  ["CDKTF's string token", Token.asString(tokenFor('secret'))],
  ['a hand-written string token', '${TfToken[TOKEN.1]}'],
  ["CDKTF's list token", Token.asList(tokenFor(['a']))[0]],
  ["CDKTF's map token (as text)", Object.keys(Token.asStringMap(tokenFor({})))[0]],
];
const NUMBER_FORMS: ReadonlyArray<[string, number]> = [
  ["CDKTF's number token", Token.asNumber(tokenFor(1))],
  ['an infinite number', Number.POSITIVE_INFINITY],
];

const all = leaves(environmentSchema);
const strings = all.filter((l) => l.kind === 'string');
const numbers = all.filter((l) => l.kind === 'number');
const keys = all.filter((l) => l.kind === 'key');
const base = prodWithKeyless();

// One folder for the file: each form writes its prod.yaml over the last.
const loadDir = envDir({});
afterAll(() => rmSync(loadDir, { recursive: true, force: true }));

type Problems = readonly { field: string; message: string }[] | 'loaded';

function problemsFor(doc: unknown): Problems {
  writeEnvFile(loadDir, 'prod', doc as Record<string, unknown>);
  try {
    loadEnvironment('prod', loadDir);
    return 'loaded';
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe('env-file strings never become Terraform expressions', () => {
  it('the schema walk finds the fields people would expect (and many more)', () => {
    const found = strings.map((l) => fieldPath(l.path));
    for (const f of ['name', 'tags.Injected', 'hostnames[0].name', 'hostnames[0].access.commonNames[0]', 'edge.alerts.webhook.name', 'pki.organization', 'pki.caBundle', 'keyless.packageSigningKeyFingerprint', 'backend.bucket', 'drift.knownEmulatorGaps[0].reason']) {
      expect(found).toContain(f);
    }
    expect(keys.map((l) => fieldPath(l.path))).toContain('tags.Injected');
    expect(numbers.map((l) => fieldPath(l.path))).toContain('keyless.port');
    expect(strings.length).toBeGreaterThan(60);
  });

  describe.each(STRING_FORMS)('%s', (_form, value) => {
    let inValues: Problems;
    let asKeys: Problems;
    beforeAll(() => {
      inValues = problemsFor(everywhere(strings, value));
      asKeys = problemsFor(everywhere(keys, value, true));
    });

    it.each(strings.map((l) => [fieldPath(l.path)] as const))('in %s is refused with the field named', (field) => {
      expect(messagesFor(inValues, field)).toContainEqual(expect.stringMatching(/never Terraform expressions or CDKTF tokens/));
    });

    it.each(keys.map((l) => [fieldPath(l.path.slice(0, -1))] as const))('as a key of %s is refused', (field) => {
      expect(messagesFor(asKeys, `${field}.${value}`)).toContainEqual(expect.stringMatching(/^the key contains/));
    });
  });

  describe.each(NUMBER_FORMS)('%s', (_form, value) => {
    let problems: Problems;
    beforeAll(() => (problems = problemsFor(everywhere(numbers, value))));

    it.each(numbers.map((l) => [fieldPath(l.path)] as const))('in %s is refused with the field named', (field) => {
      expect(messagesFor(problems, field)).toContainEqual(expect.stringMatching(/is not a plain number/));
    });
  });

  it('would otherwise be resolved by CDKTF: the refusal is what stands between a tag value and a reference', () => {
    // The token form really is live inside this process: cdktf resolves it rather than writing the text.
    expect(Token.isUnresolved(STRING_FORMS[3][1])).toBe(true);
    expect(Token.isUnresolved(NUMBER_FORMS[0][1])).toBe(true);
  });

  it('keeps a literal dollar or percent sign that starts no expression, and the JSON holds it as text', () => {
    const doc = setAt(setAt(base, ['tags', 'Note'], 'costs $5 and 10% {sic}'), ['hostnames', 1, 'access', 'commonNames', 0], 'Partner $ {A} 100%');
    const dir = envDir({ prod: doc });
    try {
      const stacks = synthStacks('prod', dir);
      const json = JSON.stringify([...stacks.values()]);
      expect(json).toContain('costs $5 and 10% {sic}');
      expect(json).toContain('Partner $ {A} 100%');
      expect(json).not.toMatch(/TfToken/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
