import { gunzipSync } from 'node:zlib';

/**
 * Finds secret material in any JSON-like value: every string is scanned, and strings
 * that are base64 (user_data_base64, encoded blobs) are decoded and scanned too. The
 * policy engine runs it over synthesized stacks; module tests run it over rendered
 * user-data. Terraform references (`${...}`) are never secrets: they are resolved at
 * apply time from sensitive attributes.
 */

export type SecretKind =
  | 'pem-private-key'
  | 'aws-access-key-id'
  | 'aws-secret-access-key'
  | 'cloudflare-api-token'
  | 'cloudflare-origin-ca-key'
  | 'cloudflare-tunnel-token'
  | 'high-entropy-secret';

export interface SecretHit {
  /** Where the value sits: `resource.aws_instance.KeyServer.user_data_base64`, with `(base64)` for decoded layers. */
  readonly path: string;
  readonly kind: SecretKind;
  /** A redacted hint (first characters only), never the secret itself. */
  readonly excerpt: string;
}

const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
const AWS_ACCESS_KEY_ID = /(?<![A-Z0-9])(?:AKIA|ASIA|AIDA|AROA)[A-Z2-7]{16}(?![A-Z0-9])/;
const AWS_SECRET_IN_TEXT = /aws_secret_access_key\s*[=:]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/i;
const CF_ORIGIN_CA_KEY = /\bv1\.0-[0-9a-f]{24}-[0-9a-f]{140,}\b/;
const CF_TOKEN_IN_TEXT = /\b(?:CF|CLOUDFLARE)_API_(?:TOKEN|KEY)\s*[=:]\s*["']?([A-Za-z0-9_-]{37,40})(?![A-Za-z0-9_-])/i;
/** `password: x`, `token=x`, `"secret": "x"` inside text such as cloud-init files or scripts. */
const ASSIGNMENT_IN_TEXT = /\b[\w-]*(?:token|secret|password|passwd|api[_-]?key|private[_-]?key)[\w-]*["']?\s*[=:]\s*["']?([^\s"'`,;}]{16,})/gi;
/** Field names whose values must never be literals. */
const SECRET_FIELD = /(token|secret|password|passwd|api[_-]?key|private[_-]?key|access[_-]?key)/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4}){12,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const TF_REFERENCE = /^\$\{[^}]*\}$/;

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/** Random-looking: long enough and varied enough to be a generated credential, not a word or a name. */
function looksGenerated(value: string): boolean {
  if (value.length < 16 || TF_REFERENCE.test(value) || value.includes('${')) return false;
  if (/^(\/|\.{0,2}\/|arn:|https?:|s3:)/.test(value)) return false; // paths, ARNs and URLs name a secret, they are not one
  if (/^[a-z]+(?:[-_.][a-z]+)+$/i.test(value)) return false; // hyphenated words: a name, not a credential
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((c) => c.test(value)).length;
  return classes >= 2 && entropy(value) >= 3.5;
}

function redact(s: string): string {
  return `${s.slice(0, 4)}...(${s.length} chars)`;
}

function decodeBase64(s: string): string | undefined {
  if (!BASE64.test(s.replace(/\s+/g, ''))) return undefined;
  let bytes = Buffer.from(s, 'base64');
  // cloud-init accepts gzip-compressed user-data; look inside it too.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: 1024 * 1024 });
    } catch {
      return undefined;
    }
  }
  const text = bytes.toString('utf8');
  // Binary (gzip, DER) decodes to replacement characters; only printable text is scanned further.
  return /^[\x09\x0a\x0d\x20-\x7e\u00a0-\uffff]*$/.test(text) && !text.includes('\ufffd') ? text : undefined;
}

function isTunnelToken(decoded: string): boolean {
  try {
    const obj = JSON.parse(decoded) as Record<string, unknown>;
    return obj !== null && typeof obj === 'object' && ['a', 't', 's'].every((k) => typeof obj[k] === 'string');
  } catch {
    return false;
  }
}

function scanString(value: string, path: string, field: string, hits: SecretHit[], depth: number): void {
  const add = (kind: SecretKind, excerpt: string) => hits.push({ path, kind, excerpt: redact(excerpt) });
  if (PEM_PRIVATE_KEY.test(value)) add('pem-private-key', value.match(PEM_PRIVATE_KEY)![0]);
  const akid = value.match(AWS_ACCESS_KEY_ID);
  if (akid) add('aws-access-key-id', akid[0]);
  const awsSecret = value.match(AWS_SECRET_IN_TEXT);
  if (awsSecret) add('aws-secret-access-key', awsSecret[1]);
  const originCa = value.match(CF_ORIGIN_CA_KEY);
  if (originCa) add('cloudflare-origin-ca-key', originCa[0]);
  const cfToken = value.match(CF_TOKEN_IN_TEXT);
  if (cfToken) add('cloudflare-api-token', cfToken[1]);
  if (SECRET_FIELD.test(field) && looksGenerated(value) && !value.includes('\n')) add('high-entropy-secret', value);
  else if (value.includes('\n') || value.length > 200) {
    for (const m of value.matchAll(ASSIGNMENT_IN_TEXT)) if (looksGenerated(m[1]) && !CF_TOKEN_IN_TEXT.test(m[0])) add('high-entropy-secret', m[1]);
  }
  if (depth < 3) {
    for (const candidate of new Set([value, ...(value.match(/[A-Za-z0-9+/]{48,}={0,2}/g) ?? [])])) {
      if (candidate.length < 48) continue;
      const decoded = decodeBase64(candidate);
      if (decoded === undefined) continue;
      if (isTunnelToken(decoded)) add('cloudflare-tunnel-token', candidate);
      else scanString(decoded, `${path}(base64)`, field, hits, depth + 1);
    }
  }
}

function walk(value: unknown, path: string, field: string, hits: SecretHit[]): void {
  if (typeof value === 'string') scanString(value, path, field, hits, 0);
  else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`, field, hits));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '//') continue; // CDKTF construct metadata
      walk(v, path ? `${path}.${k}` : k, k, hits);
    }
  }
}

/** Every secret-looking value in `value` (a stack's JSON, a user-data document, a string). */
export function scanForSecrets(value: unknown, rootPath = ''): SecretHit[] {
  const hits: SecretHit[] = [];
  walk(value, rootPath, rootPath.split('.').pop() ?? '', hits);
  // The same secret is often reachable both raw and through a decoded layer; keep one per place and kind.
  const seen = new Set<string>();
  return hits.filter((h) => {
    const key = `${h.path}|${h.kind}|${h.excerpt}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
