import { createHash } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import { oneLineDn, pemSpans } from '../../lib/x509';
import { blocks, type TfStack } from '../tf-json/stack';
import { formatValue } from '../tf-json/format';
import type { Finding } from '../policy/engine';
import { policyStatements, type Statement } from '../policy/statements';

/**
 * What a branch loosens compared with its base, even where the result still passes
 * the policy: a protected host or path dropped from the API Shield block rules, an
 * IAM or Access policy that admits more, a CA that is newly trusted (and, from the env
 * files, a CA key newly pinned: tools/review/pin-changes). Each is read from
 * both sides through the same reader and compared as sets, so reordering is no change.
 */

export type WeakeningKind = 'api-shield-scope' | 'policy-loosened' | 'ca-added' | 'ca-pinned' | 'new-finding';

/** How each kind is headed in the review and the PR comment. */
export const WEAKENING_TEXT: Record<WeakeningKind, string> = {
  'api-shield-scope': 'API Shield protects less',
  'policy-loosened': 'policy loosened',
  'ca-added': 'CA trusted',
  'ca-pinned': 'CA key pinned',
  'new-finding': 'new policy finding',
};

export interface Weakening {
  readonly stack: string;
  readonly address: string;
  readonly kind: WeakeningKind;
  readonly message: string;
}

const CERT_NOT_VERIFIED = /not\s+cf\.tls_client_auth\.cert_verified/;
/** Every path when a rule names no prefix. */
const ALL_PATHS = '*';

/**
 * What the API Shield block rules protect: hostname -> path prefixes (or `*` for
 * every path). Rules that are disabled, do not block, or do not test the certificate
 * protect nothing.
 */
export function apiShieldScope(stack: TfStack): Map<string, Set<string>> {
  const scope = new Map<string, Set<string>>();
  for (const ruleset of stack.ofType('cloudflare_ruleset')) {
    if (ruleset.body.phase !== 'http_request_firewall_custom') continue;
    for (const rule of blocks(ruleset.body.rules)) {
      const expression = rule.expression;
      if (rule.action !== 'block' || rule.enabled === false || typeof expression !== 'string' || !CERT_NOT_VERIFIED.test(expression)) continue;
      const hostList = /http\.host\s+in\s+\{([^}]*)\}/.exec(expression)?.[1];
      const single = /http\.host\s+eq\s+"([^"]+)"/.exec(expression)?.[1];
      const hosts = hostList ? [...hostList.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]) : single ? [single] : ['*'];
      const prefixes = [...expression.matchAll(/starts_with\(http\.request\.uri\.path,\s*"((?:[^"\\]|\\.)*)"\)/g)].map((m) => m[1]);
      for (const host of hosts) {
        const paths = scope.get(host) ?? new Set<string>();
        for (const p of prefixes.length > 0 ? prefixes : [ALL_PATHS]) paths.add(p);
        scope.set(host, paths);
      }
    }
  }
  return scope;
}

function apiShieldWeakenings(base: TfStack, head: TfStack): Weakening[] {
  const before = apiShieldScope(base);
  const after = apiShieldScope(head);
  const address = head.ofType('cloudflare_ruleset').find((r) => r.body.phase === 'http_request_firewall_custom')?.address ?? 'cloudflare_ruleset';
  const out: Weakening[] = [];
  for (const [host, paths] of before) {
    const now = after.get(host) ?? after.get('*');
    if (!now) {
      out.push({ stack: head.name, address, kind: 'api-shield-scope', message: `"${host}" is no longer protected: no block rule requires a verified client certificate for it` });
      continue;
    }
    if (now.has(ALL_PATHS)) continue;
    for (const p of paths) {
      if (!now.has(p)) {
        out.push({
          stack: head.name,
          address,
          kind: 'api-shield-scope',
          message: p === ALL_PATHS ? `"${host}" was protected on every path, now only below ${[...now].map((x) => `"${x}"`).join(', ')}` : `path prefix "${p}" of "${host}" is no longer protected`,
        });
      }
    }
  }
  return out;
}

/** `Allow s3:GetObject on arn:... when Bool aws:SecureTransport [true]` per grant; Deny likewise. */
function statementKeys(statements: readonly Statement[], effect: 'Allow' | 'Deny'): Set<string> {
  const keys = new Set<string>();
  for (const s of statements.filter((x) => x.effect === effect)) {
    const conditions = s.conditions
      .map((c) => `${c.test} ${c.variable} ${JSON.stringify([...c.values].sort())}`)
      .sort()
      .join(' and ');
    const actions = s.notActions.length > 0 ? s.notActions.map((a) => `NOT ${a}`) : s.actions;
    for (const a of actions) for (const r of s.resources.length > 0 ? s.resources : ['(any)']) keys.add(`${a} on ${r}${conditions ? ` when ${conditions}` : ''}`);
  }
  return keys;
}

const POLICY_BEARERS: ReadonlyArray<[type: string, field: string]> = [
  ['data.aws_iam_policy_document', ''],
  ['aws_iam_policy', 'policy'],
  ['aws_iam_role_policy', 'policy'],
  ['aws_s3_bucket_policy', 'policy'],
];

function statementsOf(stack: TfStack, address: string, field: string): Statement[] | undefined {
  const r = stack.get(address);
  if (!r) return undefined;
  return field === '' ? policyStatements(`\${${address}.json}`, stack) : policyStatements(r.body[field], stack);
}

function iamWeakenings(base: TfStack, head: TfStack): Weakening[] {
  const out: Weakening[] = [];
  for (const [type, field] of POLICY_BEARERS) {
    for (const r of head.ofType(type)) {
      const before = statementsOf(base, r.address, field);
      const after = statementsOf(head, r.address, field);
      if (!before || !after) continue; // new documents are judged by the policy rules; unreadable ones cannot be compared
      const grants = [...statementKeys(after, 'Allow')].filter((k) => !statementKeys(before, 'Allow').has(k));
      const denies = [...statementKeys(before, 'Deny')].filter((k) => !statementKeys(after, 'Deny').has(k));
      for (const g of grants) out.push({ stack: head.name, address: r.address, kind: 'policy-loosened', message: `newly allows ${g}` });
      for (const d of denies) out.push({ stack: head.name, address: r.address, kind: 'policy-loosened', message: `no longer denies ${d}` });
    }
  }
  return out;
}

const canonical = (v: unknown): string => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));

function accessWeakenings(base: TfStack, head: TfStack): Weakening[] {
  const out: Weakening[] = [];
  for (const r of head.ofType('cloudflare_zero_trust_access_policy')) {
    const before = base.get(r.address)?.body;
    if (!before) continue;
    const add = (message: string) => out.push({ stack: head.name, address: r.address, kind: 'policy-loosened', message });
    if (before.decision !== r.body.decision) add(`decision changed from ${formatValue(before.decision)} to ${formatValue(r.body.decision)}`);
    const included = new Set(blocks(before.include).map(canonical));
    for (const i of blocks(r.body.include).map(canonical)) if (!included.has(i)) add(`now also admits ${i}`);
    const required = new Set(blocks(r.body.require).map(canonical));
    for (const q of blocks(before.require).map(canonical)) if (!required.has(q)) add(`no longer requires ${q}`);
  }
  return out;
}

/** Where each kind of trust anchor keeps its certificates. */
const TRUST_ANCHORS: ReadonlyArray<[type: string, field: string, what: string]> = [
  ['cloudflare_mtls_certificate', 'certificates', 'API Shield client CA'],
  ['cloudflare_zero_trust_access_mtls_certificate', 'certificate', 'Access mTLS CA'],
];

/** The S3 objects API Gateway custom domains use as their mTLS truststore (by `truststore_version`). */
function truststoreObjects(stack: TfStack): Set<string> {
  const out = new Set<string>();
  for (const d of stack.ofType('aws_api_gateway_domain_name')) {
    const object = stack.resolve(blocks(d.body.mutual_tls_authentication)[0]?.truststore_version);
    if (object?.type === 'aws_s3_object') out.add(object.address);
  }
  return out;
}

const REFERENCE_PATH = /\b(?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+/g;

/**
 * What a trust field trusts: literal PEM certificates by subject and fingerprint, or,
 * for an expression, each value it pulls in (`data.terraform_remote_state.pki.outputs.client_ca`),
 * so an extra bundle joined into the expression shows and a reformatted one does not.
 */
function anchorsIn(value: unknown): Set<string> {
  if (typeof value !== 'string') return new Set();
  const spans = pemSpans(value).filter((s) => s.label === 'CERTIFICATE');
  if (spans.length === 0) {
    const inner = [...value.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]).join(' ');
    return value.includes('${') ? new Set(inner.match(REFERENCE_PATH) ?? []) : new Set([value]);
  }
  return new Set(spans.map(describeCertificate));
}

/** `CN=Partner CA (sha256 0123456789abcdef)`: who, and exactly which certificate. */
function describeCertificate(span: { body: string; text: string }): string {
  const digest = createHash('sha256').update(span.body).digest('hex').slice(0, 16);
  try {
    return `${oneLineDn(new X509Certificate(span.text).subject)} (sha256 ${digest})`;
  } catch {
    return `an unparseable certificate (sha256 ${digest})`;
  }
}

function caWeakenings(base: TfStack, head: TfStack): Weakening[] {
  const out: Weakening[] = [];
  const anchors: Array<[address: string, field: string, what: string]> = [
    ...TRUST_ANCHORS.flatMap(([type, field, what]) => head.ofType(type).map((r) => [r.address, field, what] as [string, string, string])),
    ...[...truststoreObjects(head)].map((a) => [a, 'content', 'API Gateway mTLS truststore'] as [string, string, string]),
  ];
  // A CA the stack itself creates (tls_self_signed_cert / tls_locally_signed_cert with is_ca_certificate).
  for (const type of ['tls_self_signed_cert', 'tls_locally_signed_cert']) {
    for (const r of head.ofType(type)) {
      if (r.body.is_ca_certificate === true && base.get(r.address)?.body.is_ca_certificate !== true) out.push({ stack: head.name, address: r.address, kind: 'ca-added', message: 'a new certificate authority is created' });
    }
  }
  for (const [address, field, what] of anchors) {
    const before = base.get(address);
    const after = head.get(address)!;
    if (!before) {
      out.push({ stack: head.name, address, kind: 'ca-added', message: `a new ${what} is trusted` });
      continue;
    }
    const known = anchorsIn(before.body[field]);
    for (const a of anchorsIn(after.body[field])) if (!known.has(a)) out.push({ stack: head.name, address, kind: 'ca-added', message: `${what} now trusts ${a.length > 100 ? `${a.slice(0, 97)}...` : a}` });
  }
  return out;
}

/** Open policy findings of the branch that the base did not have. */
export function newFindings(base: readonly Finding[], head: readonly Finding[]): Weakening[] {
  const key = (f: Finding) => `${f.stack} ${f.address} ${f.ruleId} ${f.message}`;
  const known = new Set(base.filter((f) => !f.suppressedBy).map(key));
  return head
    .filter((f) => !f.suppressedBy && !known.has(key(f)))
    .map((f) => ({ stack: f.stack, address: f.address, kind: 'new-finding' as const, message: `${f.ruleId}: ${f.message}` }));
}

/** Every weakening of one stack against its base version. */
export function weakenings(base: TfStack, head: TfStack): Weakening[] {
  return [...apiShieldWeakenings(base, head), ...iamWeakenings(base, head), ...accessWeakenings(base, head), ...caWeakenings(base, head)];
}
