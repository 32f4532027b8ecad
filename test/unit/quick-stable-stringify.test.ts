import { fromRoot } from '../../lib/paths';

// Patch quick-stable-stringify (scripts/app/cdktf-patches.mjs) writes each stack in the
// bundle with scripts/app/quick-stable-stringify.cjs instead of json-stable-stringify.
// It must write the same bytes for every value, or hand the value to the original.

type Stringify = (value: unknown, opts?: unknown) => string | undefined;
const stable = require(fromRoot('node_modules', 'cdktf', 'node_modules', 'json-stable-stringify')) as Stringify;
const quick = (require(fromRoot('scripts', 'app', 'quick-stable-stringify.cjs')) as (original: Stringify) => Stringify)(stable);
const asCdktfWrites = (f: Stringify, value: unknown) => {
  try {
    return f(value, { space: 2 });
  } catch (e) {
    return `throws ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

describe('the quick stable stringify', () => {
  const terraformLike = {
    terraform: { backend: { s3: { bucket: 'b', key: 'k' } }, required_providers: { aws: { source: 'hashicorp/aws', version: '6.0.0' } } },
    resource: { aws_s3_bucket: { state: { bucket: 'x', tags: { Env: 'dev', app: 'edge' }, lifecycle: { ignore_changes: [] }, depends_on: ['a.b'] } } },
    output: {},
    '//': { metadata: { path: 'dev/origin', uniqueId: 'u' } },
  };
  const cases: Record<string, unknown> = {
    'a Terraform-like stack, keys unsorted': terraformLike,
    'empty objects and arrays, nested, at every depth': { a: {}, b: [], c: [[], {}, [[{}]]], d: { e: { f: [] } } },
    'a top-level empty object or array': {},
    'a top-level empty array': [],
    'undefined, functions and symbols in objects and arrays': { u: undefined, f: () => 1, s: Symbol('s'), a: [undefined, () => 1, Symbol('t'), null] },
    'an object whose every value is left out': { k: { only: undefined } },
    'numbers JSON has no text for': [NaN, Infinity, -0, 1e300],
    'toJSON called once, without a key': { d: new Date(0), t: { toJSON: () => ({ z: 1, a: [] }) } },
    'keys that are array indices': { '10': 1, '9': 2, b: 3 },
    'keys starting with a digit or punctuation, non-ASCII keys': { '1x': 1, '-x': 2, é: 3, ß: 4, A: 5 },
    'a key named toJSON': { toJSON: 1, a: 2 },
    'a key named __proto__': JSON.parse('{"__proto__": {"a": []}, "b": 1}'),
    'strings that look like its markers': { m: '\u0000abc{\u0000', n: ['\u0000', '{}', '[]'] },
    'escapes JSON must write': { s: '\u2028 " \\ \n \u0001' },
    'boxed primitives': [new Number(5), new String('ab')],
    'a primitive': 'text',
  };

  it.each(Object.entries(cases))('writes what json-stable-stringify writes: %s', (_, value) => {
    expect(asCdktfWrites(quick, value)).toBe(asCdktfWrites(stable, value));
  });

  it('refuses a cycle as json-stable-stringify does', () => {
    const cyclic: Record<string, unknown> = { a: {} };
    (cyclic.a as Record<string, unknown>).b = cyclic;
    expect(asCdktfWrites(quick, cyclic)).toBe('throws TypeError: Converting circular structure to JSON');
    expect(asCdktfWrites(stable, cyclic)).toBe('throws TypeError: Converting circular structure to JSON');
  });

  it('hands other options to json-stable-stringify', () => {
    const value = { b: 1, a: [] };
    expect(quick(value)).toBe(stable(value));
    expect(quick(value, { space: 4 })).toBe(stable(value, { space: 4 }));
    expect(quick(value, { space: 2, cycles: true })).toBe(stable(value, { space: 2, cycles: true }));
  });

  it('writes an empty object as json-stable-stringify does, open and closed on two lines at its indent', () => {
    expect(quick({ a: { b: {} } }, { space: 2 })).toBe('{\n  "a": {\n    "b": {\n    }\n  }\n}');
  });
});
