import type { ProviderSnapshot, SchemaAttribute, SchemaObject, SchemaValidator } from './snapshot';

/**
 * Checks synthesized Terraform JSON against a provider's schema snapshot, the way the
 * provider's plan would: unknown or computed-only attributes, missing required ones,
 * a list where one object is expected (and the reverse), values outside an enum, and
 * conflicts / exactly-one-of / also-requires, and the value validators the snapshot
 * records (regexes, lengths, sizes, integer ranges, none-of, equals, and the
 * requires-other-attribute rules). Values Terraform only knows at apply time (`${...}`
 * references) are checked for presence, never for content. An output whose value reads
 * a sensitive attribute must itself be sensitive (Terraform refuses the plan otherwise).
 */

/** One problem, already phrased as `<stack>: <type>.<name>: <attribute path>: <what is wrong>`. */
export type ConformanceProblem = string;

/** The same problem, structured: which rule, where, and what the provider would do. */
export interface ConformanceFinding {
  /** PROVIDER-SCHEMA (shape, required, computed, enums, relations), PROVIDER-VALIDATOR (value validators), PROVIDER-SENSITIVE-OUTPUT, PROVIDER-VERSION. */
  readonly rule: string;
  readonly stack: string;
  /** `type.name`, `data.type.name`, `output.name`, or `-` for the stack itself. */
  readonly resource: string;
  /** Attribute path, or `-`. */
  readonly attribute: string;
  readonly message: string;
  /** The message speaks of the resource itself (`type.name: <message>`), not of an attribute. */
  readonly whole?: boolean;
}

/** The one-line form the tests and older callers use. */
export function problemText(f: ConformanceFinding): ConformanceProblem {
  if (f.resource === '-') return `${f.stack}: ${f.message}`;
  if (f.whole) return `${f.stack}: ${f.resource}: ${f.message}`;
  return `${f.stack}: ${f.resource}: ${f.attribute === '-' ? 'the resource' : `attribute "${f.attribute}"`} ${f.message}`;
}

const META = new Set(['depends_on', 'lifecycle', 'provider', 'count', 'for_each', 'provisioner', 'connection', '//']);

type Json = unknown;

const isUnknown = (v: Json): boolean => typeof v === 'string' && v.includes('${');
const isSet = (v: Json): boolean => v !== undefined && v !== null;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Closest schema name, so a typo's message says what was meant. */
function closest(name: string, names: readonly string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  const best = names.map((n) => [n, dist(name, n)] as const).sort((a, b) => a[1] - b[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(name.length / 3)) ? best[0] : undefined;
}

function describe(v: Json): string {
  if (Array.isArray(v)) return 'a list';
  if (isObject(v)) return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

class Checker {
  readonly findings: ConformanceFinding[] = [];
  constructor(private readonly stack: string, private readonly resource: string, private readonly root: Record<string, Json>) {}

  private report(path: string, message: string, rule = 'PROVIDER-SCHEMA'): void {
    this.findings.push({ rule, stack: this.stack, resource: this.resource, attribute: path || '-', message });
  }

  /**
   * Resolves a validator path: `../name` is a sibling, each further `../` one object further
   * out (a list element counts as its own object), `a.b` starts at the resource's root.
   */
  private resolve(path: string, parent: Record<string, Json>, ancestors: readonly Record<string, Json>[] = []): Json {
    let rest = path;
    let up = 0;
    while (rest.startsWith('../')) { rest = rest.slice(3); up++; }
    const start: Json = up === 0 ? this.root : [parent, ...ancestors][up - 1];
    return rest.split(/[./]/).filter((k) => k !== '' && k !== '*').reduce<Json>((o, k) => (isObject(o) ? o[k] : undefined), start);
  }

  object(attrs: Readonly<Record<string, SchemaAttribute>>, value: Record<string, Json>, prefix: string, top: boolean, ancestors: readonly Record<string, Json>[] = []): void {
    const names = Object.keys(attrs);
    for (const [key, v] of Object.entries(value)) {
      if (top && META.has(key)) continue;
      const path = prefix + key;
      const attr = attrs[key];
      if (!attr) {
        const hint = closest(key, names.filter((n) => attrs[n].mode !== 'computed'));
        this.report(path, `is not in the provider schema${hint ? ` (did you mean "${prefix}${hint}"?)` : ''}`);
        continue;
      }
      if (attr.mode === 'computed' && isSet(v)) this.report(path, 'is computed by the provider and cannot be set');
      else if (isSet(v)) this.value(attr, v, path, value, ancestors);
    }
    for (const [key, attr] of Object.entries(attrs)) {
      if (attr.mode === 'required' && !isSet(value[key])) this.report(prefix + key, 'is required but missing');
      this.relations(attr, value, prefix + key, value[key], ancestors);
    }
  }

  private relations(attr: SchemaAttribute, parent: Record<string, Json>, path: string, v: Json, ancestors: readonly Record<string, Json>[]): void {
    const set = isSet(v);
    const other = (p: string): Json => this.resolve(p, parent, ancestors);
    const shown = (p: string): string => p.replace(/^(\.\.\/)+/, '');
    for (const rule of attr.validators ?? []) {
      if (rule.kind === 'requiresOther' && set) {
        const o = other(rule.path);
        if (isUnknown(o)) continue;
        if (!isSet(o) ? !rule.orNull : !rule.values.includes(String(o))) {
          this.report(path, `may be set only when "${shown(rule.path)}" is ${rule.values.map((x) => JSON.stringify(x)).join(' or ')}${rule.orNull ? ' or unset' : ''} (it is ${isSet(o) ? JSON.stringify(o) : 'unset'}); the provider refuses the plan`, 'PROVIDER-VALIDATOR');
        }
      }
      if (rule.kind === 'requiresOtherNot' && set) {
        const o = other(rule.path);
        if (isSet(o) && !isUnknown(o) && rule.values.includes(String(o))) this.report(path, `may not be set when "${shown(rule.path)}" is ${JSON.stringify(o)}; the provider refuses the plan`, 'PROVIDER-VALIDATOR');
      }
      if (rule.kind === 'requiredWhenOther' && !set) {
        const o = other(rule.path);
        if (isSet(o) && !isUnknown(o) && rule.values.includes(String(o))) this.report(path, `is required when "${shown(rule.path)}" is ${JSON.stringify(o)}; the provider refuses the plan`, 'PROVIDER-VALIDATOR');
      }
    }
    for (const other of attr.conflictsWith ?? []) {
      if (set && isSet(this.resolve(other, parent, ancestors))) this.report(path, `conflicts with "${other.replace('../', '')}": set only one`);
    }
    if (attr.exactlyOneOf) {
      const group = [path, ...attr.exactlyOneOf.map((p) => p.replace('../', ''))];
      const count = (set ? 1 : 0) + attr.exactlyOneOf.filter((p) => isSet(this.resolve(p, parent, ancestors))).length;
      if (count !== 1) this.report(path, `must be set exactly once among ${group.map((g) => `"${g}"`).join(', ')} (found ${count})`);
    }
    if (attr.atLeastOneOf && !set && !attr.atLeastOneOf.some((p) => isSet(this.resolve(p, parent, ancestors)))) {
      this.report(path, `or one of ${attr.atLeastOneOf.join(', ')} must be set`);
    }
    for (const needed of attr.alsoRequires ?? []) {
      if (set && !isSet(this.resolve(needed, parent, ancestors))) this.report(path, `also requires "${needed.replace('../', '')}"`);
    }
  }

  private value(attr: SchemaAttribute, v: Json, path: string, parent: Record<string, Json>, ancestors: readonly Record<string, Json>[]): void {
    if (isUnknown(v) && !['object', 'list-of-objects', 'set-of-objects', 'map-of-objects'].includes(attr.kind)) return;
    this.valueValidators(attr, v, path);
    const inner = [parent, ...ancestors];
    switch (attr.kind) {
      case 'string': case 'bool': case 'int64': case 'float64': case 'number':
        if (Array.isArray(v) || isObject(v)) return this.report(path, `expects a single ${attr.kind}, got ${describe(v)}`);
        if (attr.kind === 'bool' && typeof v !== 'boolean') return this.report(path, `expects a bool, got ${describe(v)}`);
        if (['int64', 'float64', 'number'].includes(attr.kind) && typeof v !== 'number') return this.report(path, `expects a number, got ${describe(v)}`);
        return this.enumCheck(attr, [v], path);
      case 'list': case 'set':
        if (!Array.isArray(v)) return this.report(path, `expects a ${attr.kind} of ${attr.element ?? 'values'}, got ${describe(v)}`);
        if (v.some((e) => Array.isArray(e) || isObject(e))) return this.report(path, `expects a ${attr.kind} of ${attr.element ?? 'values'}, got nested objects or lists`);
        return this.enumCheck(attr, v, path);
      case 'map':
        if (!isObject(v)) return this.report(path, `expects a map, got ${describe(v)}`);
        return;
      case 'object':
        if (isUnknown(v)) return;
        if (!isObject(v)) return this.report(path, `expects one object ({...}), got ${describe(v)}`);
        return this.object(attr.attributes ?? {}, v, `${path}.`, false, inner);
      case 'list-of-objects': case 'set-of-objects':
        if (isUnknown(v)) return;
        if (!Array.isArray(v)) return this.report(path, `expects a ${attr.kind === 'list-of-objects' ? 'list' : 'set'} of objects ([{...}]), got ${describe(v)}`);
        return v.forEach((e, i) => (isObject(e) ? this.object(attr.attributes ?? {}, e, `${path}[${i}].`, false, inner) : this.report(`${path}[${i}]`, `expects an object, got ${describe(e)}`)));
      case 'map-of-objects':
        if (isUnknown(v)) return;
        if (!isObject(v)) return this.report(path, `expects a map of objects, got ${describe(v)}`);
        return Object.entries(v).forEach(([k, e]) => (isObject(e) ? this.object(attr.attributes ?? {}, e, `${path}.${k}.`, false, inner) : this.report(`${path}.${k}`, `expects an object, got ${describe(e)}`)));
      case 'block-list': case 'block-set': case 'block-object': {
        const items = Array.isArray(v) ? v : [v];
        if (attr.kind === 'block-object' && Array.isArray(v) && v.length > 1) this.report(path, `is a single block, got ${v.length}`);
        return items.forEach((e, i) => (isObject(e) ? this.object(attr.attributes ?? {}, e, `${path}${Array.isArray(v) ? `[${i}]` : ''}.`, false, inner) : this.report(path, `expects a block (object), got ${describe(e)}`)));
      }
      case 'dynamic':
        return;
    }
  }

  /** Regexes, lengths, sizes, ranges, none-of and equals, on the value or (onElements) each element. */
  private valueValidators(attr: SchemaAttribute, v: Json, path: string): void {
    for (const rule of attr.validators ?? []) {
      if (rule.kind === 'size') {
        const n = Array.isArray(v) ? v.length : isObject(v) ? Object.values(v).filter(isSet).length : undefined;
        if (n === undefined || isUnknown(v)) continue;
        if ((rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max)) {
          this.report(path, `has ${n} ${isObject(v) && !['map', 'map-of-objects'].includes(attr.kind) ? 'attributes set' : 'entries'}, outside ${bounds(rule)}; the provider refuses the plan`, 'PROVIDER-VALIDATOR');
        }
        continue;
      }
      const targets = 'onElements' in rule && rule.onElements ? (Array.isArray(v) ? v : isObject(v) ? Object.values(v) : []) : [v];
      for (const t of targets) {
        if (!isSet(t) || isUnknown(t) || Array.isArray(t) || isObject(t)) continue;
        const problem = valueProblem(rule, t);
        if (problem) this.report(path, `${problem}; the provider refuses the plan`, 'PROVIDER-VALIDATOR');
      }
    }
  }

  private enumCheck(attr: SchemaAttribute, values: readonly Json[], path: string): void {
    const e = attr.enum;
    if (!e) return;
    const allowed = e.values.map(String);
    const norm = (s: string) => (e.caseInsensitive ? s.toLowerCase() : s);
    for (const v of values) {
      if (isUnknown(v) || v === null) continue;
      if (!allowed.map(norm).includes(norm(String(v)))) {
        this.report(path, `has ${JSON.stringify(v)}, which is not one of: ${allowed.join(', ')}`);
      }
    }
  }

  configValidators(schema: SchemaObject): void {
    for (const cv of schema.configValidators ?? []) {
      const set = cv.paths.filter((p) => isSet(this.resolve(p, this.root)));
      const names = cv.paths.map((p) => `"${p}"`).join(', ');
      if (cv.kind === 'conflicting' && set.length > 1) this.report('', `sets ${set.join(' and ')}, which conflict: set only one of ${names}`);
      if (cv.kind === 'exactlyOneOf' && set.length !== 1) this.report('', `must set exactly one of ${names} (found ${set.length})`);
      if (cv.kind === 'atLeastOneOf' && set.length === 0) this.report('', `must set at least one of ${names}`);
      if (cv.kind === 'requiredTogether' && set.length > 0 && set.length < cv.paths.length) this.report('', `must set all of ${names} or none`);
    }
  }
}

function bounds(rule: { readonly min?: number; readonly max?: number }): string {
  if (rule.min !== undefined && rule.max !== undefined) return `${rule.min}..${rule.max}`;
  return rule.min !== undefined ? `at least ${rule.min}` : `at most ${rule.max}`;
}

/** Go RE2 as JavaScript: the inline flags and anchors JS spells differently. Undefined when JS cannot express it. */
export function goRegex(pattern: string): RegExp | undefined {
  let flags = 'u';
  let p = pattern;
  const inline = /^\(\?([ims]+)\)/.exec(p);
  if (inline) { flags += inline[1]; p = p.slice(inline[0].length); }
  p = p.replace(/\\A/g, '^').replace(/\\z/g, '$');
  try {
    return new RegExp(p, flags);
  } catch {
    return undefined;
  }
}

/** What is wrong with one literal value under one validator, or undefined. */
function valueProblem(rule: SchemaValidator, v: Json): string | undefined {
  switch (rule.kind) {
    case 'regex': {
      if (typeof v !== 'string') return undefined;
      const re = goRegex(rule.pattern);
      return re && !re.test(v) ? `has ${JSON.stringify(v)}, which does not match /${rule.pattern}/${rule.message ? ` (${rule.message})` : ''}` : undefined;
    }
    case 'length': {
      if (typeof v !== 'string') return undefined;
      const n = Buffer.byteLength(v, 'utf8');
      return (rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max) ? `has length ${n}, outside ${bounds(rule)}` : undefined;
    }
    case 'range':
      if (typeof v !== 'number') return undefined;
      return (rule.min !== undefined && v < rule.min) || (rule.max !== undefined && v > rule.max) ? `has ${v}, outside ${bounds(rule)}` : undefined;
    case 'noneOf': {
      const norm = (x: unknown) => (rule.caseInsensitive ? String(x).toLowerCase() : String(x));
      return rule.values.map(norm).includes(norm(v)) ? `has ${JSON.stringify(v)}, which the provider forbids (none of: ${rule.values.join(', ')})` : undefined;
    }
    case 'equals':
      return v !== rule.value ? `has ${JSON.stringify(v)}, but the provider accepts only ${JSON.stringify(rule.value)}` : undefined;
    default:
      return undefined;
  }
}

/** Validators and schema-level validators the extractor could not read, by name, over a snapshot. */
export function unreadValidatorCounts(snap: ProviderSnapshot): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  const walk = (attrs: Readonly<Record<string, SchemaAttribute>>): void => {
    for (const a of Object.values(attrs)) {
      (a.unreadValidators ?? []).forEach(add);
      if (a.attributes) walk(a.attributes);
    }
  };
  for (const o of [...Object.values(snap.resources), ...Object.values(snap.dataSources)]) {
    walk(o.attributes);
    (o.unreadConfigValidators ?? []).forEach((n) => add(`ConfigValidators: ${n}`));
  }
  return counts;
}

/** Validator kinds the snapshot holds, with how many attributes carry each. */
export function validatorCounts(snap: ProviderSnapshot): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (name: string, n = 1) => counts.set(name, (counts.get(name) ?? 0) + n);
  const walk = (attrs: Readonly<Record<string, SchemaAttribute>>): void => {
    for (const a of Object.values(attrs)) {
      if (a.enum) add('oneOf');
      if (a.sensitive) add('sensitive');
      if (a.conflictsWith) add('conflictsWith', a.conflictsWith.length);
      if (a.exactlyOneOf) add('exactlyOneOf', a.exactlyOneOf.length);
      if (a.alsoRequires) add('alsoRequires', a.alsoRequires.length);
      if (a.atLeastOneOf) add('atLeastOneOf', a.atLeastOneOf.length);
      for (const v of a.validators ?? []) add(v.kind);
      if (a.attributes) walk(a.attributes);
    }
  };
  for (const o of [...Object.values(snap.resources), ...Object.values(snap.dataSources)]) {
    walk(o.attributes);
    for (const cv of o.configValidators ?? []) add(`config ${cv.kind}`);
  }
  return counts;
}

export interface StackLike {
  readonly terraform?: { readonly required_providers?: Record<string, { readonly version?: string }> };
  readonly resource?: Record<string, Record<string, Record<string, Json>>>;
  readonly data?: Record<string, Record<string, Record<string, Json>>>;
  readonly output?: Record<string, { readonly value?: Json; readonly sensitive?: boolean }>;
}

/**
 * Every problem of one stack's resources and data sources of the snapshotted providers.
 * A stack pinning a provider version other than the snapshot's is itself a problem:
 * the check would otherwise compare against the wrong schema.
 */
export function checkStack(stack: string, json: StackLike, snapshots: readonly ProviderSnapshot[]): ConformanceProblem[] {
  return checkStackFindings(stack, json, snapshots).map(problemText);
}

/** `checkStack`, structured. */
export function checkStackFindings(stack: string, json: StackLike, snapshots: readonly ProviderSnapshot[]): ConformanceFinding[] {
  const problems: ConformanceFinding[] = [];
  const version = (message: string) => problems.push({ rule: 'PROVIDER-VERSION', stack, resource: '-', attribute: '-', message });
  for (const snap of snapshots) {
    const prefix = `${snap.provider}_`;
    const pinned = json.terraform?.required_providers?.[snap.provider]?.version;
    const used = (['resource', 'data'] as const).some((k) => Object.keys(json[k] ?? {}).some((t) => t.startsWith(prefix)));
    if (used && pinned !== undefined) {
      const lowest = lowestAdmitted(pinned);
      if (!pinnedAdmits(pinned, snap.version)) version(`pins ${snap.provider} "${pinned}", but the conformance snapshot is of ${snap.version}`);
      else if (lowest !== snap.version) {
        version(`pins ${snap.provider} "${pinned}", whose lowest admitted release is ${lowest ?? 'unbounded'}, not the snapshot's ${snap.version}: terraform may install a release the check never saw`);
      }
    }
    problems.push(...sensitiveOutputs(stack, json, snap));
    for (const kind of ['resource', 'data'] as const) {
      const table = kind === 'resource' ? snap.resources : snap.dataSources;
      for (const [type, instances] of Object.entries(json[kind] ?? {})) {
        if (!type.startsWith(prefix)) continue;
        const label = kind === 'data' ? `data.${type}` : type;
        const schema = table[type];
        for (const [name, body] of Object.entries(instances)) {
          if (!schema) {
            problems.push({ rule: 'PROVIDER-SCHEMA', stack, resource: `${label}.${name}`, attribute: '-', whole: true, message: `${type} is not in the ${snap.provider} ${snap.version} snapshot (add it to conformance/sources.ts and run npm run provider-schemas)` });
            continue;
          }
          const c = new Checker(stack, `${label}.${name}`, body);
          c.object(schema.attributes, body, '', true);
          c.configValidators(schema);
          problems.push(...c.findings);
        }
      }
    }
  }
  return problems;
}

/**
 * An output reading a sensitive attribute of a snapshotted resource must be marked
 * sensitive: Terraform refuses such a plan ("Output refers to sensitive values").
 */
function sensitiveOutputs(stack: string, json: StackLike, snap: ProviderSnapshot): ConformanceFinding[] {
  const problems: ConformanceFinding[] = [];
  for (const [name, out] of Object.entries(json.output ?? {})) {
    if (out.sensitive === true) continue;
    const text = JSON.stringify(out.value ?? '');
    for (const m of text.matchAll(/(data\.)?((?:[a-z0-9]+)_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)/g)) {
      const [, data, type, resource, attr] = m;
      if (!type.startsWith(`${snap.provider}_`)) continue;
      const schema = (data ? snap.dataSources : snap.resources)[type];
      if (schema?.attributes[attr]?.sensitive) {
        problems.push({
          rule: 'PROVIDER-SENSITIVE-OUTPUT',
          stack,
          resource: `output.${name}`,
          attribute: 'value',
          message: `reads ${data ?? ''}${type}.${resource}.${attr}, which the provider marks sensitive, but the output is not sensitive: terraform refuses the plan`,
        });
      }
    }
  }
  return problems;
}

/** The lowest release a constraint admits (`>= 4.2.1, < 5.0.0` -> 4.2.1), or undefined when it has no lower bound. */
export function lowestAdmitted(constraint: string): string | undefined {
  let lowest: number[] | undefined;
  for (const part of constraint.split(',').map((s) => s.trim())) {
    const m = /^(>=|>|=|~>)?\s*(\d+(?:\.\d+){0,2})$/.exec(part);
    if (!m) continue;
    const r = [...m[2].split('.').map(Number), 0, 0].slice(0, 3);
    if (m[1] === '>') r[2] += 1;
    const higher = (a: number[], b: number[]) => { const i = a.findIndex((x, j) => x !== b[j]); return i >= 0 && a[i] > b[i]; };
    if (!lowest || higher(r, lowest)) lowest = r;
  }
  return lowest?.join('.');
}

/** An exact pin must equal the snapshot version; a range must admit it (`>= x, < y` only). */
function pinnedAdmits(constraint: string, version: string): boolean {
  const v = version.split('.').map(Number);
  const cmp = (a: number[], b: number[]) => { for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0); return 0; };
  return constraint.split(',').map((s) => s.trim()).every((part) => {
    const m = /^(>=|<=|>|<|=|~>)?\s*(\d+(?:\.\d+){0,2})$/.exec(part);
    if (!m) return false;
    const r = m[2].split('.').map(Number);
    const d = cmp(v, r);
    switch (m[1] ?? '=') {
      case '>=': return d >= 0;
      case '>': return d > 0;
      case '<=': return d <= 0;
      case '<': return d < 0;
      case '~>': return d >= 0 && v[0] === r[0] && (r.length < 3 || v[1] === r[1]);
      default: return d === 0;
    }
  });
}
