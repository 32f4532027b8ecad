import { calls, field, GoParser, tokenize, type GoNode } from './go-literal';
import type { SchemaAttribute, SchemaConfigValidator, SchemaKind, SchemaMode, SchemaObject } from './snapshot';

/**
 * Turns a terraform-plugin-framework schema literal, read from a provider's Go source,
 * into snapshot facts. `pkgSource` is every non-test .go file of the same package:
 * enum values computed by helper functions (`supportedAlgorithmsStr()...`) and
 * constants are resolved from it, so nothing is copied by hand.
 */

const KINDS: Record<string, SchemaKind> = {
  StringAttribute: 'string', BoolAttribute: 'bool', Int64Attribute: 'int64', Int32Attribute: 'int64', Float64Attribute: 'float64', Float32Attribute: 'float64',
  NumberAttribute: 'number', DynamicAttribute: 'dynamic', ListAttribute: 'list', SetAttribute: 'set', MapAttribute: 'map',
  SingleNestedAttribute: 'object', ListNestedAttribute: 'list-of-objects', SetNestedAttribute: 'set-of-objects', MapNestedAttribute: 'map-of-objects',
  ListNestedBlock: 'block-list', SetNestedBlock: 'block-set', SingleNestedBlock: 'block-object',
};

const ELEMENTS: Record<string, string> = {
  'types.StringType': 'string', 'types.BoolType': 'bool', 'types.Int64Type': 'int64', 'types.Float64Type': 'float64', 'types.NumberType': 'number',
  'timetypes.RFC3339Type': 'string',
};

/** Token range of the body of `func NAME(...)` or of a method `func (r *T) NAME(...)`, or undefined. */
function funcBody(p: GoParser, name: string): { open: number; close: number } | undefined {
  for (let i = p.find(['func']); i >= 0; i = p.find(['func'], i + 1)) {
    let at = i + 1;
    if (p.tokenAt(at)?.v === '(') at = p.matching(at) + 1;
    if (p.tokenAt(at)?.v !== name || p.tokenAt(at + 1)?.v !== '(') continue;
    const open = p.find(['{'], p.matching(at + 1) + 1);
    return { open, close: p.matching(open) };
  }
  return undefined;
}

/** The schema literal built by `fn` (default: the `Schema` method), following `resp.Schema = helper()`. */
export function findSchema(src: string, where: string, fn = 'Schema'): { parser: GoParser; schema: GoNode } {
  const p = new GoParser(tokenize(src));
  const body = funcBody(p, fn);
  if (!body) throw new Error(`${where}: function ${fn} not found`);
  const literal = p.find(['schema', '.', 'Schema', '{'], body.open);
  if (literal >= 0 && literal < body.close) {
    p.seek(literal);
    return { parser: p, schema: p.expression() };
  }
  const delegate = p.find(['resp', '.', 'Schema', '='], body.open);
  if (delegate < 0 || delegate > body.close) throw new Error(`${where}: ${fn} builds no schema.Schema{...} literal`);
  return findSchema(src, where, p.tokenAt(delegate + 4)!.v);
}

/** String values of a call's arguments: literals, constants and helper functions resolved from the package source. */
function enumValues(args: readonly GoNode[], pkgSource: string, where: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const a of args) {
    if (a.k === 'str' || a.k === 'num') out.push(a.v);
    else if (a.k === 'ident') out.push(resolveConst(a.name, pkgSource, where));
    else if (a.k === 'call' && a.args.length === 0) out.push(...resolveFunction(a.fn, pkgSource, where, 0));
    else if (a.k === 'call' && /\.String$|^string$/.test(a.fn) && a.on) out.push(...enumValues([a.on], pkgSource, where));
    else throw new Error(`${where}: cannot resolve enum value ${JSON.stringify(a)}`);
  }
  return out;
}

function resolveConst(name: string, src: string, where: string): string {
  const bare = name.split('.').pop()!;
  const m = new RegExp(`^\\s*${bare}(?:\\s+[\\w.]+)?\\s*=\\s*"([^"]*)"`, 'm').exec(src);
  if (!m) throw new Error(`${where}: constant ${name} not found in the package source`);
  return m[1];
}

/** A helper returning the allowed values: `return []T{A, B}`, another helper, or the keys of maps it ranges over. */
function resolveFunction(name: string, src: string, where: string, depth: number): Array<string | number> {
  if (depth > 4) throw new Error(`${where}: ${name}() nests too deep to resolve`);
  const head = new RegExp(`func ${name}\\(\\)[^{]*\\{`).exec(src);
  if (!head) throw new Error(`${where}: helper ${name}() not found in the package source`);
  const p = new GoParser(tokenize(src.slice(head.index + head[0].length - 1)));
  const close = p.matching(0);
  const toks = Array.from({ length: close }, (_, i) => p.tokenAt(i)!);
  const text = toks.map((t) => t.v).join(' ');
  const ranged = [...text.matchAll(/range (\w+)/g)].map((m) => m[1]).filter((v) => new RegExp(`var ${v} = map\\[`).test(src));
  if (ranged.length > 0) {
    const keys = ranged.flatMap((v) => mapKeys(v, src, where));
    return keys.sort();
  }
  const ret = toks.findIndex((t, i) => t.v === 'return' && toks[i + 1]?.v === '[');
  if (ret >= 0) {
    p.seek(ret + 1);
    const lit = p.expression();
    if (lit.k === 'composite') return enumValues(lit.entries.map((e) => e.value), src, where);
  }
  const inner = /(\w+) \( \)/.exec(text);
  if (inner && inner[1] !== name) return resolveFunction(inner[1], src, where, depth + 1);
  throw new Error(`${where}: cannot read the values returned by ${name}()`);
}

function mapKeys(name: string, src: string, where: string): string[] {
  const m = new RegExp(`var ${name} = map\\[`).exec(src);
  if (!m) throw new Error(`${where}: map ${name} not found`);
  const p = new GoParser(tokenize(src.slice(m.index + `var ${name} = `.length)));
  const lit = p.expression();
  if (lit.k !== 'composite') throw new Error(`${where}: ${name} is not a map literal`);
  return lit.entries.map((e) => (e.key?.k === 'str' ? e.key.v : resolveConst((e.key as { name: string }).name, src, where)));
}

/** `path.MatchRoot("a")` -> `a`; `path.MatchRelative().AtParent().AtName("x")` -> `../x`. */
function pathExpr(node: GoNode): string {
  const chain: Array<GoNode & { k: 'call' }> = [];
  for (let n: GoNode | undefined = node; n?.k === 'call'; n = n.on) chain.unshift(n);
  const parts: string[] = [];
  for (const c of chain) {
    const fn = c.fn.split('.').pop();
    if (fn === 'MatchRoot' || fn === 'AtName') parts.push(...c.args.map((a) => (a.k === 'str' ? a.v : '?')));
    else if (fn === 'AtParent') parts.push('..');
    else if (fn === 'MatchRelative') continue;
    else if (fn === 'AtAnyListIndex' || fn === 'AtAnySetValue') parts.push('*');
  }
  const relative = chain[0]?.fn.endsWith('MatchRelative');
  return relative ? parts.join('/') : parts.join('.');
}

function mode(node: GoNode): SchemaMode {
  const flag = (n: string) => { const v = field(node, n); return v?.k === 'ident' && v.name === 'true'; };
  if (flag('Required')) return 'required';
  if (flag('Optional')) return flag('Computed') ? 'optional-computed' : 'optional';
  if (flag('Computed')) return 'computed';
  // Blocks carry no flag: they are optional unless a validator says otherwise.
  return 'optional';
}

function attribute(node: GoNode, pkgSource: string, where: string): SchemaAttribute {
  if (node.k !== 'composite') throw new Error(`${where}: expected an attribute literal`);
  const typeName = node.type.split('.').pop()!;
  const kind = KINDS[typeName];
  if (!kind) throw new Error(`${where}: unknown schema type ${node.type}`);
  const out: { -readonly [K in keyof SchemaAttribute]: SchemaAttribute[K] } = { kind, mode: mode(node) };
  const sensitive = field(node, 'Sensitive');
  if (sensitive?.k === 'ident' && sensitive.name === 'true') out.sensitive = true;
  const element = field(node, 'ElementType');
  if (element?.k === 'ident') out.element = ELEMENTS[element.name] ?? element.name;

  // Custom modifiers count too (tls: requireReplaceIfStateContainsPEMString).
  const replace = calls(field(node, 'PlanModifiers')).find((c) => /[Rr]equires?Replace/.test(c.fn));
  if (replace) out.forcesReplacement = replace.fn.split('.').pop();

  for (const c of calls(field(node, 'Validators'))) {
    const fn = c.fn.split('.').pop()!;
    if (fn === 'OneOf' || fn === 'OneOfCaseInsensitive') {
      const onElements = calls(field(node, 'Validators')).some((o) => /ValueStringsAre/.test(o.fn) && o.args.includes(c));
      out.enum = { values: enumValues(c.args, pkgSource, `${where}: ${fn}`), ...(fn === 'OneOfCaseInsensitive' ? { caseInsensitive: true } : {}), ...(onElements ? { onElements: true } : {}) };
    }
    const paths = () => c.args.map(pathExpr);
    if (fn === 'ConflictsWith') out.conflictsWith = [...(out.conflictsWith ?? []), ...paths()];
    if (fn === 'ExactlyOneOf') out.exactlyOneOf = [...(out.exactlyOneOf ?? []), ...paths()];
    if (fn === 'AlsoRequires') out.alsoRequires = [...(out.alsoRequires ?? []), ...paths()];
    if (fn === 'AtLeastOneOf') out.atLeastOneOf = [...(out.atLeastOneOf ?? []), ...paths()];
  }
  const nested = field(field(node, 'NestedObject'), 'Attributes') ?? field(node, 'Attributes');
  const nestedBlocks = field(field(node, 'NestedObject'), 'Blocks') ?? field(node, 'Blocks');
  if (nested || nestedBlocks) out.attributes = attributeMap(nested, nestedBlocks, pkgSource, where);
  return out;
}

function attributeMap(attrs: GoNode | undefined, blocks: GoNode | undefined, pkgSource: string, where: string): Record<string, SchemaAttribute> {
  const out: Record<string, SchemaAttribute> = {};
  for (const group of [attrs, blocks]) {
    if (group?.k !== 'composite') continue;
    for (const e of group.entries) {
      if (e.key?.k !== 'str') throw new Error(`${where}: attribute map key is not a string literal`);
      out[e.key.v] = attribute(e.value, pkgSource, `${where}.${e.key.v}`);
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const CONFIG_VALIDATORS: Record<string, SchemaConfigValidator['kind']> = {
  Conflicting: 'conflicting', ExactlyOneOf: 'exactlyOneOf', AtLeastOneOf: 'atLeastOneOf', RequiredTogether: 'requiredTogether',
};

/** Reads one resource or data source: its schema literal and its `ConfigValidators`. */
export function extractSchema(src: string, pkgSource: string, where: string, fn?: string): SchemaObject {
  const { parser, schema } = findSchema(src, where, fn);
  const attributes = attributeMap(field(schema, 'Attributes'), field(schema, 'Blocks'), pkgSource, where);
  const configValidators: SchemaConfigValidator[] = [];
  const cv = funcBody(parser, 'ConfigValidators');
  const ret = cv ? parser.find(['return'], cv.open) : -1;
  if (cv && ret > 0 && ret < cv.close) {
    parser.seek(ret + 1);
    const list = parser.expression();
    for (const c of list.k === 'composite' ? list.entries.map((e) => e.value) : []) {
      const kind = c.k === 'call' ? CONFIG_VALIDATORS[c.fn.split('.').pop()!] : undefined;
      if (c.k === 'call' && kind) configValidators.push({ kind, paths: c.args.map(pathExpr) });
    }
  }
  return { attributes, ...(configValidators.length > 0 ? { configValidators } : {}) };
}
