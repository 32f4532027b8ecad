/**
 * Just enough of Go to read a Terraform provider's schema declaration as data: the
 * composite literals (`schema.StringAttribute{Required: true, ...}`), calls
 * (`stringvalidator.OneOf("a", "b")`), method chains (`path.MatchRelative().AtName("x")`),
 * string and number literals, identifiers and `+` concatenation. Nothing is executed;
 * what the schema computes at run time (a helper function's return value) stays a call
 * node for the caller to resolve from the same source.
 */

export type GoNode =
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'ident'; readonly name: string }
  | { readonly k: 'call'; readonly fn: string; readonly args: readonly GoNode[]; readonly on?: GoNode; readonly spread?: boolean }
  | { readonly k: 'composite'; readonly type: string; readonly entries: readonly GoEntry[] }
  | { readonly k: 'binary'; readonly op: string; readonly left: GoNode; readonly right: GoNode };

export interface GoEntry {
  readonly key?: GoNode;
  readonly value: GoNode;
}

interface Token {
  readonly t: 'str' | 'num' | 'ident' | 'punct';
  readonly v: string;
  readonly at: number;
}

const PUNCT = ['...', ':=', '&&', '||', '==', '!=', '<=', '>=', '{', '}', '(', ')', '[', ']', ',', ':', '.', '*', '&', '+', '-', '=', ';', '!', '<', '>', '/', '%', '|', '^'];

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (src.startsWith('//', i)) { const e = src.indexOf('\n', i); i = e < 0 ? src.length : e; continue; }
    if (src.startsWith('/*', i)) { const e = src.indexOf('*/', i + 2); i = e < 0 ? src.length : e + 2; continue; }
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') { s += JSON.parse(`"${src.slice(j, j + 2)}"`); j += 2; } else s += src[j++];
      }
      out.push({ t: 'str', v: s, at: i });
      i = j + 1;
      continue;
    }
    if (c === '`') { const e = src.indexOf('`', i + 1); out.push({ t: 'str', v: src.slice(i + 1, e), at: i }); i = e + 1; continue; }
    if (c === "'") { const e = src.indexOf("'", i + 2); out.push({ t: 'str', v: src.slice(i + 1, e), at: i }); i = e + 1; continue; }
    const num = /^\d[\d_.xXa-fA-FeE]*/.exec(src.slice(i, i + 40));
    if (num) { out.push({ t: 'num', v: num[0], at: i }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 200));
    if (id) { out.push({ t: 'ident', v: id[0], at: i }); i += id[0].length; continue; }
    const p = PUNCT.find((q) => src.startsWith(q, i));
    if (!p) throw new Error(`unexpected character ${JSON.stringify(c)} at offset ${i}`);
    out.push({ t: 'punct', v: p, at: i });
    i += p.length;
  }
  return out;
}

/** A cursor over tokens that parses one Go expression at a time. */
export class GoParser {
  private pos = 0;
  constructor(private readonly toks: readonly Token[]) {}

  get position(): number { return this.pos; }
  /** The tokens around the cursor, for error messages. */
  context(): string { return this.toks.slice(Math.max(0, this.pos - 8), this.pos + 4).map((t) => t.v).join(' '); }
  seek(p: number): void { this.pos = p; }
  peek(o = 0): Token | undefined { return this.toks[this.pos + o]; }
  tokenAt(i: number): Token | undefined { return this.toks[i]; }
  private is(v: string, o = 0): boolean { const t = this.peek(o); return t !== undefined && t.t === 'punct' && t.v === v; }
  private expect(v: string): void {
    const t = this.peek();
    if (!t || t.v !== v) throw new Error(`expected ${JSON.stringify(v)} at token ${this.pos} (${t ? JSON.stringify(t.v) : 'end'})`);
    this.pos++;
  }

  /** Index of the first token sequence equal to `seq` at or after `from`, or -1. */
  find(seq: readonly string[], from = 0): number {
    for (let i = from; i + seq.length <= this.toks.length; i++) if (seq.every((s, j) => this.toks[i + j].v === s)) return i;
    return -1;
  }

  /** Index of the token closing the bracket opened at `open`. */
  matching(open: number): number {
    const pairs: Record<string, string> = { '{': '}', '(': ')', '[': ']' };
    const o = this.toks[open].v;
    let depth = 0;
    for (let i = open; i < this.toks.length; i++) {
      const t = this.toks[i];
      if (t.t !== 'punct') continue;
      if (t.v === o) depth++;
      else if (t.v === pairs[o] && --depth === 0) return i;
    }
    throw new Error(`unbalanced ${o} at token ${open}`);
  }

  expression(): GoNode {
    let left = this.unary();
    while (this.is('+') || this.is('-') || this.is('*') || this.is('/') || this.is('|')) {
      const op = this.peek()!.v;
      this.pos++;
      const right = this.unary();
      left = left.k === 'str' && right.k === 'str' && op === '+' ? { k: 'str', v: left.v + right.v } : { k: 'binary', op, left, right };
    }
    return left;
  }

  private unary(): GoNode {
    if (this.is('-')) {
      this.pos++;
      const operand = this.unary();
      return operand.k === 'num' ? { k: 'num', v: -operand.v } : operand;
    }
    if (this.is('&') || this.is('!') || this.is('*')) { this.pos++; return this.unary(); }
    return this.postfix(this.primary());
  }

  /** A type written before `{`: `[]T`, `map[K]V`, `*T`, `pkg.T`, `[]*pkg.T`. */
  private typeName(): string {
    let s = '';
    for (;;) {
      if (this.is('[')) { const e = this.matching(this.pos); s += this.toks.slice(this.pos, e + 1).map((t) => t.v).join(''); this.pos = e + 1; continue; }
      if (this.is('*')) { s += '*'; this.pos++; continue; }
      const t = this.peek();
      if (t?.t === 'ident' && t.v === 'map' && this.is('[', 1)) { s += 'map'; this.pos++; continue; }
      break;
    }
    return s + this.qualified();
  }

  private qualified(): string {
    const t = this.peek();
    if (t?.t !== 'ident') throw new Error(`expected a name at token ${this.pos}: ${this.context()}`);
    let s = t.v;
    this.pos++;
    while (this.is('.') && this.peek(1)?.t === 'ident') { s += '.' + this.peek(1)!.v; this.pos += 2; }
    return s;
  }

  private primary(): GoNode {
    const t = this.peek();
    if (!t) throw new Error('unexpected end of input');
    if (t.t === 'str') { this.pos++; return { k: 'str', v: t.v }; }
    if (t.t === 'num') { this.pos++; return { k: 'num', v: Number(t.v.replace(/_/g, '')) }; }
    if (this.is('(')) { this.pos++; const e = this.expression(); this.expect(')'); return e; }
    if (this.is('{')) return { k: 'composite', type: '', entries: this.entries() };
    if (this.is('[') || this.is('*') || t.v === 'map' || t.v === 'func') {
      if (t.v === 'func') { const open = this.find(['{'], this.pos); this.pos = this.matching(open) + 1; return { k: 'ident', name: 'func' }; }
      const type = this.typeName();
      return this.is('{') ? { k: 'composite', type, entries: this.entries() } : { k: 'ident', name: type };
    }
    const name = this.qualified();
    if (this.is('{')) return { k: 'composite', type: name, entries: this.entries() };
    return { k: 'ident', name };
  }

  private postfix(node: GoNode): GoNode {
    for (;;) {
      // Generic instantiation or indexing (`NewSetType[types.String]`): kept as part of the name.
      if (this.is('[') && node.k === 'ident') {
        const e = this.matching(this.pos);
        node = { k: 'ident', name: node.name + this.toks.slice(this.pos, e + 1).map((t) => t.v).join('') };
        this.pos = e + 1;
        if (this.is('{')) return { k: 'composite', type: node.name, entries: this.entries() };
        continue;
      }
      if (this.is('(')) {
        const args = this.callArgs();
        node = node.k === 'ident' ? { k: 'call', fn: node.name, args } : { k: 'call', fn: '?', args, on: node };
        continue;
      }
      if (this.is('.') && this.peek(1)?.t === 'ident') {
        const member = this.peek(1)!.v;
        this.pos += 2;
        if (this.is('(')) { node = { k: 'call', fn: member, args: this.callArgs(), on: node }; continue; }
        node = { k: 'ident', name: `${node.k === 'ident' ? node.name : '?'}.${member}` };
        continue;
      }
      return node;
    }
  }

  /** `(a, b, c...)`: the arguments of a call, the cursor on the opening parenthesis. */
  private callArgs(): GoNode[] {
    this.expect('(');
    const args: GoNode[] = [];
    while (!this.is(')')) {
      let a = this.expression();
      if (this.is('...')) { this.pos++; a = a.k === 'call' ? { ...a, spread: true } : a; }
      args.push(a);
      if (this.is(',')) this.pos++;
    }
    this.pos++;
    return args;
  }

  private entries(): GoEntry[] {
    this.expect('{');
    const out: GoEntry[] = [];
    while (!this.is('}')) {
      const first = this.expression();
      if (this.is(':')) { this.pos++; out.push({ key: first, value: this.expression() }); } else out.push({ value: first });
      if (this.is(',')) this.pos++;
    }
    this.pos++;
    return out;
  }
}

/** The value of field `name` of a composite literal, if present. */
export function field(node: GoNode | undefined, name: string): GoNode | undefined {
  if (node?.k !== 'composite') return undefined;
  return node.entries.find((e) => e.key?.k === 'ident' && e.key.name === name)?.value;
}

/** Every call node anywhere below `node` (depth first), for reading validators and plan modifiers. */
export function calls(node: GoNode | undefined, out: Array<GoNode & { k: 'call' }> = []): Array<GoNode & { k: 'call' }> {
  if (!node) return out;
  if (node.k === 'call') { out.push(node); node.args.forEach((a) => calls(a, out)); if (node.on) calls(node.on, out); }
  if (node.k === 'composite') node.entries.forEach((e) => calls(e.value, out));
  if (node.k === 'binary') { calls(node.left, out); calls(node.right, out); }
  return out;
}
