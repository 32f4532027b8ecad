/**
 * A small typed builder for Cloudflare Rules language expressions (the WAF custom
 * rules of API Shield), and a checker that every built expression passes. Only the
 * few constructs the edge needs exist here, so nothing can be spliced in unquoted.
 */

/** Fields a built expression may use. The checker refuses any other. */
export const ALLOWED_FIELDS = [
  'http.host',
  'http.request.uri.path',
  'cf.tls_client_auth.cert_verified',
  'cf.tls_client_auth.cert_revoked',
] as const;

/** Functions a built expression may call. */
export const ALLOWED_FUNCTIONS = ['starts_with'] as const;

const KEYWORDS = new Set(['and', 'or', 'not', 'in']);

/** A Rules language string literal: `"` and `\` escaped, control characters refused. */
export function stringLiteral(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new Error(`Rules expression string ${JSON.stringify(value)} contains a control character; only printable text can be matched`);
  }
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `http.host in {"a.example.com" "b.example.com"}` */
export function hostIn(hosts: readonly string[]): string {
  if (hosts.length === 0) throw new Error('hostIn: expected at least one hostname, got an empty list');
  return `http.host in {${[...new Set(hosts)].map(stringLiteral).join(' ')}}`;
}

/** `starts_with(http.request.uri.path, "/v1/") or ...`, parenthesised when several. */
export function pathStartsWithAny(prefixes: readonly string[]): string {
  if (prefixes.length === 0) throw new Error('pathStartsWithAny: expected at least one path prefix, got an empty list');
  const terms = [...new Set(prefixes)].map((p) => {
    if (!p.startsWith('/')) throw new Error(`path prefix ${JSON.stringify(p)} must start with "/"`);
    return `starts_with(http.request.uri.path, ${stringLiteral(p)})`;
  });
  return terms.length === 1 ? terms[0] : `(${terms.join(' or ')})`;
}

export interface CertificateGateScope {
  /** Hostnames the rule covers. At least one. */
  readonly hosts: readonly string[];
  /** Only requests below these path prefixes. @default every path */
  readonly pathPrefixes?: readonly string[];
  /** Also match certificates Cloudflare reports as revoked. @default true */
  readonly blockRevoked?: boolean;
}

/**
 * The match expression of a `block` rule: requests to the scope whose client
 * certificate did not verify (or, by default, was revoked). Without this rule API
 * Shield only records the verification result.
 */
export function unverifiedClientCertificate(scope: CertificateGateScope): string {
  const parts = [`(${hostIn(scope.hosts)})`];
  if (scope.pathPrefixes && scope.pathPrefixes.length > 0) parts.push(pathStartsWithAny(scope.pathPrefixes));
  parts.push(
    scope.blockRevoked ?? true
      ? '(not cf.tls_client_auth.cert_verified or cf.tls_client_auth.cert_revoked)'
      : 'not cf.tls_client_auth.cert_verified',
  );
  const expression = parts.join(' and ');
  const problems = checkExpression(expression);
  if (problems.length > 0) throw new Error(`built an invalid Rules expression ${JSON.stringify(expression)}: ${problems.join('; ')}`);
  return expression;
}

/**
 * Structural check of an expression: string literals closed, escapes valid,
 * parentheses and braces balanced and properly nested, and only allowed fields,
 * functions and keywords outside string literals. Returns the problems found.
 */
export function checkExpression(
  expression: string,
  allowed: { fields?: readonly string[]; functions?: readonly string[] } = {},
): string[] {
  const fields = new Set(allowed.fields ?? ALLOWED_FIELDS);
  const functions = new Set(allowed.functions ?? ALLOWED_FUNCTIONS);
  const problems: string[] = [];
  const open: Array<{ char: string; at: number }> = [];
  const closing: Record<string, string> = { ')': '(', '}': '{' };
  let i = 0;
  while (i < expression.length) {
    const c = expression[i];
    if (c === '"') {
      const start = i++;
      let closed = false;
      while (i < expression.length) {
        if (expression[i] === '\\') {
          if (!['\\', '"'].includes(expression[i + 1])) problems.push(`invalid escape at ${i}: only \\\\ and \\" are allowed`);
          i += 2;
        } else if (expression[i] === '"') {
          closed = true;
          i++;
          break;
        } else i++;
      }
      if (!closed) problems.push(`unterminated string literal starting at ${start}`);
    } else if (c === '(' || c === '{') {
      open.push({ char: c, at: i++ });
    } else if (c === ')' || c === '}') {
      const top = open.pop();
      if (!top) problems.push(`unbalanced "${c}" at ${i}`);
      else if (top.char !== closing[c]) problems.push(`"${c}" at ${i} closes "${top.char}" opened at ${top.at}`);
      i++;
    } else if (/[a-z_]/i.test(c)) {
      const word = /^[a-z_][a-z0-9_.]*/i.exec(expression.slice(i))![0];
      const isCall = expression[i + word.length] === '(';
      if (isCall ? !functions.has(word) : !(KEYWORDS.has(word) || fields.has(word))) {
        problems.push(`${isCall ? 'function' : 'field'} "${word}" is not allowed`);
      }
      i += word.length;
    } else if (c === ' ' || c === ',') {
      i++;
    } else {
      problems.push(`unexpected character ${JSON.stringify(c)} at ${i}`);
      i++;
    }
  }
  for (const o of open) problems.push(`unbalanced "${o.char}" opened at ${o.at}`);
  return problems;
}
