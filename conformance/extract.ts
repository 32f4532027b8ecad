import { calls, field, GoParser, tokenize, type GoNode } from './go-literal';
import type { SchemaAttribute, SchemaConfigValidator, SchemaKind, SchemaMode, SchemaObject, SchemaValidator } from './snapshot';

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
    else if (a.k === 'ident') out.push(...resolveConstOrSlice(a.name, pkgSource, where));
    else if (a.k === 'call' && a.args.length === 0) out.push(...resolveFunction(a.fn, pkgSource, where, 0));
    else if (a.k === 'call' && /\.String$|^string$/.test(a.fn) && a.on) out.push(...enumValues([a.on], pkgSource, where));
    else throw new Error(`${where}: cannot resolve enum value ${JSON.stringify(a)}`);
  }
  return out;
}

/** A constant, or a package-level slice variable (`xs = []string{"a", "b"}`) spread into a call. */
function resolveConstOrSlice(name: string, src: string, where: string): Array<string | number> {
  const bare = name.split('.').pop()!;
  const slice = new RegExp(`^\\s*(?:var\\s+)?${bare}\\s*=\\s*\\[\\]`, 'm').exec(src);
  if (slice) {
    const lit = new GoParser(tokenize(src.slice(slice.index + slice[0].length - 2))).expression();
    if (lit.k === 'composite') return enumValues(lit.entries.map((e) => e.value), src, where);
  }
  return [resolveConst(name, src, where)];
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


type MutableAttribute = { -readonly [K in keyof SchemaAttribute]: SchemaAttribute[K] };

/** Validators that wrap others and apply them to each element (of a list, set or map's values). */
const ELEMENT_WRAPPERS = /^Value(Strings|Int64s|Int32s|Float64s|Float32s|Bools)Are$/;

const str = (n: GoNode | undefined): string | undefined => (n?.k === 'str' ? n.v : undefined);
const num = (n: GoNode | undefined): number | undefined => (n?.k === 'num' ? n.v : undefined);

/** A package-level `name = regexp.MustCompile(...)`, as a call node, or undefined. */
function regexVariable(name: string, src: string): GoNode | undefined {
  const m = new RegExp(`^\\s*(?:var\\s+)?${name.split('.').pop()}\\s*=\\s*regexp\\.MustCompile`, 'm').exec(src);
  if (!m) return undefined;
  return new GoParser(tokenize(src.slice(m.index + m[0].length - 'regexp.MustCompile'.length))).expression();
}

/**
 * Reads an attribute's `Validators: []validator.X{...}` into the snapshot: enums and path
 * relations (as before), and every value or conditional validator it can read as data.
 * Whatever it cannot read is recorded by name in `unreadValidators`, never dropped silently.
 */
function readValidators(list: GoNode | undefined, out: MutableAttribute, pkgSource: string, where: string): void {
  if (list?.k !== 'composite') return;
  const validators: SchemaValidator[] = [];
  const unread: string[] = [];
  const visit = (c: GoNode, onElements: boolean): void => {
    if (c.k !== 'call') { unread.push(c.k === 'ident' ? c.name : `<${c.k}>`); return; }
    const pkg = c.fn.includes('.') ? c.fn.split('.')[0] : '';
    const fn = c.fn.split('.').pop()!;
    const el = onElements ? { onElements: true } : {};
    const paths = () => c.args.map(pathExpr);
    const rel = (p: GoNode | undefined) => (p ? pathExpr(p) : '?');
    const strings = (args: readonly GoNode[]) => enumValues(args, pkgSource, `${where}: ${fn}`).map(String);
    if (ELEMENT_WRAPPERS.test(fn) || fn === 'All') { c.args.forEach((a) => visit(a, onElements || fn !== 'All')); return; }
    switch (fn) {
      case 'OneOf': case 'OneOfCaseInsensitive':
        out.enum = { values: enumValues(c.args, pkgSource, `${where}: ${fn}`), ...(fn === 'OneOfCaseInsensitive' ? { caseInsensitive: true } : {}), ...el };
        return;
      case 'NoneOf': case 'NoneOfCaseInsensitive':
        validators.push({ kind: 'noneOf', values: enumValues(c.args, pkgSource, `${where}: ${fn}`), ...(fn === 'NoneOfCaseInsensitive' ? { caseInsensitive: true } : {}), ...el });
        return;
      case 'ConflictsWith': out.conflictsWith = [...(out.conflictsWith ?? []), ...paths()]; return;
      case 'ExactlyOneOf': out.exactlyOneOf = [...(out.exactlyOneOf ?? []), ...paths()]; return;
      case 'AlsoRequires': out.alsoRequires = [...(out.alsoRequires ?? []), ...paths()]; return;
      case 'AtLeastOneOf': out.atLeastOneOf = [...(out.atLeastOneOf ?? []), ...paths()]; return;
    }
    if (fn === 'RegexMatches') {
      const re = c.args[0]?.k === 'ident' ? regexVariable(c.args[0].name, pkgSource) : c.args[0];
      const pattern = re?.k === 'call' && /MustCompile(POSIX)?$/.test(re.fn) ? str(re.args[0]) : undefined;
      if (pattern !== undefined) { const message = str(c.args[1]); validators.push({ kind: 'regex', pattern, ...(message ? { message } : {}), ...el }); return; }
    }
    const bounds = (kind: 'length' | 'size' | 'range'): boolean => {
      const m = /^(?:Length|Size)?(AtLeast|AtMost|Between)$/.exec(fn);
      if (!m) return false;
      const [a, b] = [num(c.args[0]), num(c.args[1])];
      if (a === undefined || (m[1] === 'Between' && b === undefined)) return false;
      const v = m[1] === 'AtLeast' ? { min: a } : m[1] === 'AtMost' ? { max: a } : { min: a, max: b! };
      validators.push({ kind, ...v, ...(kind === 'size' ? {} : el) } as SchemaValidator);
      return true;
    };
    if (pkg === 'stringvalidator' && /^Length/.test(fn) && bounds('length')) return;
    if (/^(list|set|map)validator$/.test(pkg) && /^Size/.test(fn) && bounds('size')) return;
    if (/^(int64|int32|float64|float32)validator$/.test(pkg) && bounds('range')) return;
    if (fn === 'ObjectSizeAtMost' && num(c.args[0]) !== undefined) { validators.push({ kind: 'size', max: num(c.args[0])! }); return; }
    if (pkg === 'boolvalidator' && fn === 'Equals' && c.args[0]?.k === 'ident' && /^(true|false)$/.test(c.args[0].name)) {
      validators.push({ kind: 'equals', value: c.args[0].name === 'true' });
      return;
    }
    if (pkg === 'customvalidator') {
      if (fn === 'RequiresOtherStringAttributeToBe' || fn === 'RequiresOtherStringAttributeToBeOneOf') { validators.push({ kind: 'requiresOther', path: rel(c.args[0]), values: strings(c.args.slice(1)) }); return; }
      if (fn === 'RequiresOtherStringAttributeToNullOrBeOneOf') { validators.push({ kind: 'requiresOther', path: rel(c.args[0]), values: strings(c.args.slice(1)), orNull: true }); return; }
      if (fn === 'RequiresOtherStringAttributeToNotBeOneOf') { validators.push({ kind: 'requiresOtherNot', path: rel(c.args[0]), values: strings(c.args.slice(1)) }); return; }
      if (fn === 'RequiredWhenOtherStringIsOneOf') { validators.push({ kind: 'requiredWhenOther', path: rel(c.args[0]), values: strings(c.args.slice(1)) }); return; }
    }
    unread.push(c.fn);
  };
  for (const e of list.entries) visit(e.value, false);
  if (validators.length > 0) out.validators = [...(out.validators ?? []), ...validators];
  if (unread.length > 0) out.unreadValidators = [...(out.unreadValidators ?? []), ...unread];
}

function attribute(node: GoNode, pkgSource: string, where: string): SchemaAttribute {
  if (node.k !== 'composite') throw new Error(`${where}: expected an attribute literal`);
  const typeName = node.type.split('.').pop()!;
  const kind = KINDS[typeName];
  if (!kind) throw new Error(`${where}: unknown schema type ${node.type}`);
  const out: MutableAttribute = { kind, mode: mode(node) };
  const sensitive = field(node, 'Sensitive');
  if (sensitive?.k === 'ident' && sensitive.name === 'true') out.sensitive = true;
  const element = field(node, 'ElementType');
  if (element?.k === 'ident') out.element = ELEMENTS[element.name] ?? element.name;

  // Custom modifiers count too (tls: requireReplaceIfStateContainsPEMString).
  const replace = calls(field(node, 'PlanModifiers')).find((c) => /[Rr]equires?Replace/.test(c.fn));
  if (replace) out.forcesReplacement = replace.fn.split('.').pop();

  readValidators(field(node, 'Validators'), out, pkgSource, where);
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
  const unreadConfigValidators: string[] = [];
  const cv = funcBody(parser, 'ConfigValidators');
  const ret = cv ? parser.find(['return'], cv.open) : -1;
  if (cv && ret > 0 && ret < cv.close) {
    parser.seek(ret + 1);
    const list = parser.expression();
    for (const c of list.k === 'composite' ? list.entries.map((e) => e.value) : []) {
      const kind = c.k === 'call' ? CONFIG_VALIDATORS[c.fn.split('.').pop()!] : undefined;
      if (c.k === 'call' && kind) configValidators.push({ kind, paths: c.args.map(pathExpr) });
      else unreadConfigValidators.push(c.k === 'call' ? c.fn : c.k === 'ident' ? c.name : `<${c.k}>`);
    }
  }
  return {
    attributes,
    ...(configValidators.length > 0 ? { configValidators } : {}),
    ...(unreadConfigValidators.length > 0 ? { unreadConfigValidators } : {}),
  };
}
