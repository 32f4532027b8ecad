import { checkExpression, hostIn, pathStartsWithAny, stringLiteral, unverifiedClientCertificate } from '../../../modules/edge/waf-expression';

/** Reads a Rules language string literal back, the way Cloudflare's parser does. */
function unquote(literal: string): string {
  expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true);
  return literal.slice(1, -1).replace(/\\(["\\])/g, '$1');
}

describe('Rules language string literals', () => {
  it.each([
    ['plain', 'api.example.com'],
    ['a double quote', '/a"b'],
    ['a backslash', '/a\\b'],
    ['a backslash before a quote', '/x\\"y'],
    ['a trailing backslash', '/dir\\'],
    ['braces and parentheses', '/v1/{id}/(x)'],
    ['unicode', '/ü/日本'],
  ])('round-trips %s and passes the checker', (_what, value) => {
    const literal = stringLiteral(value);
    expect(unquote(literal)).toBe(value);
    expect(checkExpression(`http.request.uri.path in {${literal}}`)).toEqual([]);
  });

  it('refuses control characters, which no request path can match literally', () => {
    expect(() => stringLiteral('/a\nb')).toThrow(/control character/);
  });
});

describe('the API Shield block expression', () => {
  it('covers one host: a verified, unrevoked certificate is required', () => {
    expect(unverifiedClientCertificate({ hosts: ['api.example.com'] })).toBe(
      '(http.host in {"api.example.com"}) and (not cf.tls_client_auth.cert_verified or cf.tls_client_auth.cert_revoked)',
    );
  });

  it('can leave revocation out, and then is exactly the documented form', () => {
    expect(unverifiedClientCertificate({ hosts: ['api.example.com'], blockRevoked: false })).toBe(
      '(http.host in {"api.example.com"}) and not cf.tls_client_auth.cert_verified',
    );
  });

  it('lists several hosts once each in one set', () => {
    expect(hostIn(['a.example.com', 'b.example.com', 'a.example.com'])).toBe('http.host in {"a.example.com" "b.example.com"}');
  });

  it('scopes to path prefixes with starts_with, or-ed in parentheses, escaping each prefix', () => {
    const expression = unverifiedClientCertificate({ hosts: ['api.example.com'], pathPrefixes: ['/v1/', '/we"ird\\'], blockRevoked: false });
    expect(expression).toBe(
      '(http.host in {"api.example.com"}) and (starts_with(http.request.uri.path, "/v1/") or starts_with(http.request.uri.path, "/we\\"ird\\\\")) and not cf.tls_client_auth.cert_verified',
    );
    expect(checkExpression(expression)).toEqual([]);
  });

  it('uses a single starts_with without extra parentheses for one prefix', () => {
    expect(pathStartsWithAny(['/admin/'])).toBe('starts_with(http.request.uri.path, "/admin/")');
  });

  it('refuses an empty host list, an empty prefix list and a relative prefix', () => {
    expect(() => unverifiedClientCertificate({ hosts: [] })).toThrow(/at least one hostname/);
    expect(() => pathStartsWithAny([])).toThrow(/at least one path prefix/);
    expect(() => pathStartsWithAny(['v1/'])).toThrow(/"v1\/" must start with "\/"/);
  });
});

describe('the expression checker', () => {
  it.each([
    ['an unterminated string', '(http.host in {"a.example.com})', /unterminated string literal/],
    ['a string closed by an escaped quote', 'http.host in {"a\\"}', /unterminated string literal/],
    ['an invalid escape', 'http.host in {"a\\n"}', /invalid escape/],
    ['a missing closing brace', '(http.host in {"a")', /closes "\{"/],
    ['a missing closing parenthesis', '(http.host in {"a"}', /unbalanced "\(" opened at 0/],
    ['an extra closing parenthesis', 'http.host in {"a"})', /unbalanced "\)"/],
    ['a field that is not allowed', 'http.host in {"a"} and not ip.src', /field "ip.src" is not allowed/],
    ['a function that is not allowed', 'lower(http.host) in {"a"}', /function "lower" is not allowed/],
    ['an operator character', 'http.host == "a"', /unexpected character "="/],
  ])('finds %s', (_what, expression, problem) => {
    expect(checkExpression(expression).join('\n')).toMatch(problem);
  });

  it('ignores brackets, quotes and field names inside string literals', () => {
    expect(checkExpression('http.host in {"ip.src ) } ( {" "x\\\\"}')).toEqual([]);
  });

  it('accepts a caller-supplied set of allowed fields', () => {
    expect(checkExpression('ip.src in {"a"}', { fields: ['ip.src'] })).toEqual([]);
  });
});
