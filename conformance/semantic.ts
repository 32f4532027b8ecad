import { X509Certificate } from 'node:crypto';
import { parseAccountStackName, parseStackName } from '../lib/naming';
import { ALLOWED_FIELDS, ALLOWED_FUNCTIONS, checkExpression } from '../modules/edge/waf-expression';
import { lowestAdmitted } from './conform';
import type { ProviderSnapshot } from './snapshot';

/**
 * What the provider schema cannot say: rules about how the synthesized resources fit
 * together, each of which the provider would accept at plan time and then apply into
 * something broken, silently weaker, or failing at apply. Every rule finds resources
 * by type across all stacks of an environment (never by stack name), follows
 * references through cross-stack outputs (`terraform_remote_state`) and SSM
 * parameters written by one stack and read by another, and reports one finding per
 * problem naming the rule, stack, resource and attribute.
 */

export interface Finding {
  readonly rule: string;
  readonly stack: string;
  /** `type.name` (data sources: `data.type.name`), or `-` for a stack-level finding. */
  readonly resource: string;
  readonly attribute: string;
  /** What the provider or the API would do. */
  readonly message: string;
}

/** A check that could not be made from the JSON, with the reason (never counted as a finding). */
export interface Skipped {
  readonly rule: string;
  readonly stack: string;
  readonly resource: string;
  readonly reason: string;
}

export const SEMANTIC_RULES = {
  'CF-ASSOC-COVERS-BLOCK': 'the API Shield CA association of a zone lists exactly the hostnames its mTLS block rules protect',
  'CF-ASSOC-CA': 'an API Shield association names our uploaded CA (mtls_certificate_id of a cloudflare_mtls_certificate with ca = true)',
  'CF-BLOCK-AFTER-ASSOC': 'an mTLS block rule is applied after the association of its hostnames (depends_on, or a stack dependency)',
  'CF-AOP-HOSTNAME-ENTRY': 'each per-hostname origin-pull resource has one config entry with a hostname, enabled = true and a certificate uploaded for its own zone',
  'CF-CERT-CREATE-BEFORE-DESTROY': 'every certificate upload the provider replaces on change has lifecycle.create_before_destroy',
  'CF-SINGLETON-OWNER': 'each per-account, per-zone and per-hostname Cloudflare object has one owner across all stacks',
  'CF-WAF-EXPRESSION': "every ruleset expression passes the project's expression checker as written in the JSON, and an mTLS block rule negates cert_verified",
  'CF-RULESET-KIND-PHASE': 'a zone ruleset is the zone entry point (kind zone), mTLS block rules live in phase http_request_firewall_custom, and each rule action is one the phase takes',
  'CF-ZONE-SSL-STRICT': 'the zone ssl setting is "strict" (Full (strict): the origin certificate is verified)',
  'CF-APISHIELD-CA-ORDER': 'the API Shield CA bundle lists each issuing CA before its root (#7158 workaround, docs/edge.md)',
  'TLS-RANGE-LOWEST': 'the tls version constraint admits no release below 4.2.1 (4.2.0 replaced every certificate, hashicorp/terraform-provider-tls#737)',
  'ORDER-ACCOUNT-AFTER-EDGE': 'a stack with Access mTLS hostname settings depends on every stack that uploads the Access CA for those hostnames',
} as const;

export type SemanticRuleId = keyof typeof SEMANTIC_RULES;

type Json = any;
type StackJson = Record<string, Json>;

export interface SemanticInput {
  readonly stacks: ReadonlyMap<string, StackJson>;
  /** Each stack's stack dependencies (manifest). Without it the ordering rule is skipped, saying so. */
  readonly dependencies?: ReadonlyMap<string, readonly string[]>;
  /** The Cloudflare snapshot: which certificate uploads the provider replaces. */
  readonly cloudflare: ProviderSnapshot;
}

export interface SemanticResult {
  readonly findings: Finding[];
  readonly skipped: Skipped[];
}

interface Res {
  readonly stack: string;
  readonly type: string;
  readonly name: string;
  readonly body: Record<string, Json>;
  readonly data: boolean;
}

const addr = (r: Res): string => `${r.data ? 'data.' : ''}${r.type}.${r.name}`;
const literal = (v: Json): v is string => typeof v === 'string' && !v.includes('${');
const isRef = (v: Json): v is string => typeof v === 'string' && v.includes('${');

/** Which environment a stack belongs to: `<env>-<concern>`, or the account stack (its own group). */
function groupOf(stack: string): string {
  const parsed = parseStackName(stack);
  if (parsed) return parsed.environment;
  // A stack name of a concern added later (`<env>-<new concern>`) still groups by its prefix.
  if (parseAccountStackName(stack) !== undefined) return stack;
  const dash = stack.indexOf('-');
  return dash > 0 ? stack.slice(0, dash) : stack;
}

class Index {
  readonly all: Res[] = [];
  constructor(readonly stacks: ReadonlyMap<string, StackJson>) {
    for (const [stack, json] of stacks) {
      for (const kind of ['resource', 'data'] as const) {
        for (const [type, instances] of Object.entries<Record<string, Json>>(json[kind] ?? {})) {
          for (const [name, body] of Object.entries<Json>(instances)) this.all.push({ stack, type, name, body, data: kind === 'data' });
        }
      }
    }
  }
  ofType(type: string, stacks?: readonly string[]): Res[] {
    return this.all.filter((r) => !r.data && r.type === type && (!stacks || stacks.includes(r.stack)));
  }
  find(stack: string, type: string, name: string, data = false): Res | undefined {
    return this.all.find((r) => r.stack === stack && r.type === type && r.name === name && r.data === data);
  }

  /**
   * What a `${...}` reference points at: a resource attribute in the same stack, or, through
   * a cross-stack output or an SSM parameter another stack writes, in another stack.
   */
  trace(stack: string, expr: string, depth = 0): { res: Res; attr: string } | { reason: string } {
    if (depth > 6) return { reason: 'reference chain too deep' };
    const inner = /^\$\{([^}]*)\}$/.exec(expr.trim())?.[1]?.trim();
    if (!inner) return { reason: `not a single reference: ${expr.slice(0, 120)}` };
    const remote = /^data\.terraform_remote_state\.([\w-]+)\.outputs\.([\w-]+)$/.exec(inner);
    if (remote) {
      // Which stack the remote state is: cdktf names the data source after it; else the state file's name.
      const input = this.find(stack, 'terraform_remote_state', remote[1], true);
      const file = String(input?.body.config?.key ?? input?.body.config?.path ?? '');
      const candidates = [/^cross-stack-reference-input-(.+)$/.exec(remote[1])?.[1], /([^/]+)\.tfstate$/.exec(file)?.[1]].filter((c): c is string => !!c);
      const producer = candidates.find((c) => this.stacks.has(c));
      if (!producer) return { reason: `remote state ${remote[1]} names no synthesized stack` };
      const out = this.stacks.get(producer)!.output?.[remote[2]];
      return out && isRef(out.value) ? this.trace(producer, out.value, depth + 1) : { reason: `output ${remote[2]} is not in ${producer}` };
    }
    const ssm = /^data\.aws_ssm_parameter\.([\w-]+)\.(value|insecure_value)$/.exec(inner);
    if (ssm) {
      const read = this.find(stack, 'aws_ssm_parameter', ssm[1], true);
      const name = read?.body.name;
      if (!literal(name)) return { reason: `data.aws_ssm_parameter.${ssm[1]} has no literal name` };
      const writers = this.ofType('aws_ssm_parameter').filter((w) => w.body.name === name);
      if (writers.length !== 1) return { reason: `SSM parameter ${name} is written by ${writers.length} synthesized resources (outside the JSON?)` };
      const value = writers[0].body.value ?? writers[0].body.insecure_value;
      return isRef(value) ? this.trace(writers[0].stack, value, depth + 1) : { reason: `SSM parameter ${name} holds a literal value` };
    }
    const direct = /^(data\.)?([a-z0-9_]+)\.([\w-]+)\.([a-z0-9_]+)$/.exec(inner);
    if (direct) {
      const res = this.find(stack, direct[2], direct[3], direct[1] !== undefined);
      return res ? { res, attr: direct[4] } : { reason: `${inner} is not in ${stack}` };
    }
    return { reason: `expression ${inner.slice(0, 120)} is not a plain reference` };
  }
}

/** Hostnames an expression matches with `http.host in {...}` / `http.host eq "..."`, as written. */
export function hostsOfExpression(expression: string): string[] {
  const hosts: string[] = [];
  for (const m of expression.matchAll(/http\.host\s+in\s+\{([^}]*)\}/g)) for (const s of m[1].matchAll(/"((?:[^"\\]|\\.)*)"/g)) hosts.push(s[1]);
  for (const m of expression.matchAll(/http\.host\s+(?:eq|==)\s+"((?:[^"\\]|\\.)*)"/g)) hosts.push(m[1]);
  return [...new Set(hosts)];
}

const MTLS_FIELD = /cf\.tls_client_auth\./;
const isMtlsBlock = (rule: Json): boolean => rule?.action === 'block' && typeof rule.expression === 'string' && MTLS_FIELD.test(rule.expression);

/** Every semantic finding over the given stacks. Rules that need facts the JSON lacks say so in `skipped`. */
export function semanticFindings(input: SemanticInput): SemanticResult {
  const ix = new Index(input.stacks);
  const findings: Finding[] = [];
  const skipped: Skipped[] = [];
  const add = (rule: SemanticRuleId, r: Res | { stack: string }, attribute: string, message: string) =>
    findings.push({ rule, stack: r.stack, resource: 'type' in r ? addr(r as Res) : '-', attribute, message });

  const groups = new Map<string, string[]>();
  for (const stack of input.stacks.keys()) groups.set(groupOf(stack), [...(groups.get(groupOf(stack)) ?? []), stack]);

  for (const stacks of groups.values()) {
    apiShield(ix, stacks, add, input.dependencies);
    originPulls(ix, stacks, add, skipped);
    rulesets(ix, stacks, add);
    zoneSettings(ix, stacks, add);
    caOrder(ix, stacks, add, skipped);
  }
  createBeforeDestroy(ix, input.cloudflare, add);
  singletons(ix, add);
  tlsRange(input.stacks, add);
  accountOrder(ix, input.dependencies, add, skipped);
  return { findings, skipped };
}

type Add = (rule: SemanticRuleId, r: Res | { stack: string }, attribute: string, message: string) => void;

function apiShield(ix: Index, stacks: readonly string[], add: Add, deps: ReadonlyMap<string, readonly string[]> | undefined): void {
  const associations = ix.ofType('cloudflare_certificate_authorities_hostname_associations', stacks);
  // zone -> hostname -> the block rules protecting it
  const blocked = new Map<string, Map<string, { res: Res; index: number }>>();
  for (const rs of ix.ofType('cloudflare_ruleset', stacks)) {
    const zone = rs.body.zone_id;
    if (!literal(zone)) continue;
    (Array.isArray(rs.body.rules) ? rs.body.rules : []).forEach((rule: Json, index: number) => {
      if (!isMtlsBlock(rule)) return;
      for (const h of hostsOfExpression(rule.expression)) {
        const byHost = blocked.get(zone) ?? new Map();
        byHost.set(h, { res: rs, index });
        blocked.set(zone, byHost);
      }
    });
  }
  const associated = new Map<string, Map<string, Res>>();
  for (const a of associations) {
    const zone = a.body.zone_id;
    if (!literal(zone)) continue;
    for (const h of Array.isArray(a.body.hostnames) ? a.body.hostnames : []) {
      if (!literal(h)) continue;
      const byHost = associated.get(zone) ?? new Map();
      byHost.set(h, a);
      associated.set(zone, byHost);
    }
    const id = a.body.mtls_certificate_id;
    if (id === undefined || id === null) {
      add('CF-ASSOC-CA', a, 'mtls_certificate_id', 'is unset: Cloudflare associates the hostnames with its managed account CA, so any certificate that CA issued verifies and our CA is not used');
    } else {
      const t = isRef(id) ? ix.trace(a.stack, id) : undefined;
      if (t && 'res' in t && (t.res.type !== 'cloudflare_mtls_certificate' || t.res.body.ca !== true)) {
        add('CF-ASSOC-CA', a, 'mtls_certificate_id', `points at ${addr(t.res)}${t.res.type === 'cloudflare_mtls_certificate' ? ' with ca != true' : ''}, not an uploaded CA (cloudflare_mtls_certificate, ca = true): the API refuses the association or verifies nothing of ours`);
      }
    }
  }
  for (const [zone, byHost] of blocked) {
    for (const [h, { res, index }] of byHost) {
      if (associated.get(zone)?.has(h)) continue;
      const elsewhere = [...associated].find(([z, m]) => z !== zone && m.has(h));
      add('CF-ASSOC-COVERS-BLOCK', res, `rules[${index}].expression`, `blocks ${h} unless cf.tls_client_auth.cert_verified, but no API Shield association of zone ${zone} lists ${h}${elsewhere ? ` (one of zone ${elsewhere[0]} does)` : ''}: Cloudflare never verifies a client certificate there, so every request to ${h} is blocked`);
    }
  }
  for (const [zone, byHost] of associated) {
    for (const [h, a] of byHost) {
      if (blocked.get(zone)?.has(h)) continue;
      add('CF-ASSOC-COVERS-BLOCK', a, 'hostnames', `lists ${h}, but no mTLS block rule of zone ${zone} covers it: Cloudflare asks for a certificate and lets requests without one through`);
    }
  }
  // The block rule must be applied after the association of every hostname it blocks.
  for (const [zone, byHost] of blocked) {
    for (const [h, { res }] of byHost) {
      const a = associated.get(zone)?.get(h);
      if (!a) continue;
      const dependsOn: string[] = Array.isArray(res.body.depends_on) ? res.body.depends_on : [];
      const ok = a.stack === res.stack ? dependsOn.includes(addr(a)) : (deps?.get(res.stack) ?? []).includes(a.stack);
      if (!ok) {
        add('CF-BLOCK-AFTER-ASSOC', res, 'depends_on', `does not wait for ${a.stack === res.stack ? addr(a) : `stack ${a.stack}`}: Terraform may create the block rule first, and until the association exists every request to ${h} is blocked`);
      }
    }
  }
}

function originPulls(ix: Index, stacks: readonly string[], add: Add, skipped: Skipped[]): void {
  for (const aop of ix.ofType('cloudflare_authenticated_origin_pulls', stacks)) {
    const config: Json[] = Array.isArray(aop.body.config) ? aop.body.config : [];
    if (config.length !== 1) {
      add('CF-AOP-HOSTNAME-ENTRY', aop, 'config', `has ${config.length} entries; the provider refuses the apply: "config must contain exactly one hostname association" (checked in Create/Update, not in the schema: v5.22.0 internal/services/authenticated_origin_pulls/resource.go:69)`);
    }
    config.forEach((c, i) => {
      const at = (k: string) => `config[${i}].${k}`;
      if (!c || !literal(c.hostname) || c.hostname === '') add('CF-AOP-HOSTNAME-ENTRY', aop, at('hostname'), 'is unset: the API has no hostname to enable origin pulls for and refuses the request at apply');
      if (c?.enabled !== true) add('CF-AOP-HOSTNAME-ENTRY', aop, at('enabled'), `is ${JSON.stringify(c?.enabled)}: Cloudflare does not present the origin-pull certificate and the origin refuses every request`);
      const certId = c?.cert_id;
      if (certId === undefined || certId === null) {
        add('CF-AOP-HOSTNAME-ENTRY', aop, at('cert_id'), 'is unset: the hostname would use no uploaded certificate (or the shared Cloudflare one), which the origin must not trust');
        return;
      }
      if (!isRef(certId)) {
        skipped.push({ rule: 'CF-AOP-HOSTNAME-ENTRY', stack: aop.stack, resource: addr(aop), reason: `${at('cert_id')} is a literal id; its zone is not in the JSON` });
        return;
      }
      const t = ix.trace(aop.stack, certId);
      if ('reason' in t) {
        skipped.push({ rule: 'CF-AOP-HOSTNAME-ENTRY', stack: aop.stack, resource: addr(aop), reason: `${at('cert_id')}: same-zone check skipped: ${t.reason}` });
        return;
      }
      if (t.res.type !== 'cloudflare_authenticated_origin_pulls_hostname_certificate') {
        add('CF-AOP-HOSTNAME-ENTRY', aop, at('cert_id'), `points at ${addr(t.res)} in ${t.res.stack}, not a per-hostname upload (cloudflare_authenticated_origin_pulls_hostname_certificate): the API refuses the id at apply`);
      } else if (literal(t.res.body.zone_id) && literal(aop.body.zone_id) && t.res.body.zone_id !== aop.body.zone_id) {
        add('CF-AOP-HOSTNAME-ENTRY', aop, at('cert_id'), `points at ${addr(t.res)} in ${t.res.stack}, uploaded to zone ${t.res.body.zone_id}, not this zone ${aop.body.zone_id}: the API does not find the certificate and the apply fails`);
      }
    });
  }
}

/** Actions the API takes in a phase (Cloudflare's phase documentation); phases not listed are not checked. */
const PHASE_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  http_request_firewall_custom: ['block', 'challenge', 'js_challenge', 'managed_challenge', 'log', 'skip'],
};

function rulesets(ix: Index, stacks: readonly string[], add: Add): void {
  for (const rs of ix.ofType('cloudflare_ruleset', stacks)) {
    const rules: Json[] = Array.isArray(rs.body.rules) ? rs.body.rules : [];
    const zoneLevel = rs.body.zone_id !== undefined;
    if (zoneLevel && rs.body.kind !== 'zone' && rules.some(isMtlsBlock)) {
      add('CF-RULESET-KIND-PHASE', rs, 'kind', `is ${JSON.stringify(rs.body.kind)}: only the zone entry-point ruleset (kind "zone") runs on the zone's requests; a "${rs.body.kind}" ruleset is never executed unless another rule calls it, so nothing is blocked`);
    }
    if (rules.some(isMtlsBlock) && rs.body.phase !== 'http_request_firewall_custom') {
      add('CF-RULESET-KIND-PHASE', rs, 'phase', `is ${JSON.stringify(rs.body.phase)}: the mTLS block rule belongs in http_request_firewall_custom (custom WAF rules); elsewhere it is refused or runs at the wrong point`);
    }
    const allowed = PHASE_ACTIONS[rs.body.phase];
    rules.forEach((rule, i) => {
      if (allowed && literal(rule?.action) && !allowed.includes(rule.action)) {
        add('CF-RULESET-KIND-PHASE', rs, `rules[${i}].action`, `is ${JSON.stringify(rule.action)}, which the provider accepts (any ruleset action) but the API refuses in phase ${rs.body.phase} (there: ${allowed.join(', ')})`);
      }
      if (typeof rule?.expression !== 'string') return;
      const ours = MTLS_FIELD.test(rule.expression);
      // Rules the zone keeps (edge.firewall.keepRules) may use any field: only their syntax is checked.
      const problems = checkExpression(rule.expression, { fields: ALLOWED_FIELDS, functions: ALLOWED_FUNCTIONS }).filter((p) => ours || !/^(field|function) /.test(p));
      for (const p of problems) add('CF-WAF-EXPRESSION', rs, `rules[${i}].expression`, `${p}: Cloudflare refuses the rule at apply (or matches something else)`);
      if (rule.action === 'block' && /cf\.tls_client_auth\.cert_verified/.test(rule.expression) && !/\bnot\s+cf\.tls_client_auth\.cert_verified\b/.test(rule.expression)) {
        add('CF-WAF-EXPRESSION', rs, `rules[${i}].expression`, 'blocks when cf.tls_client_auth.cert_verified is true (no "not"): clients WITH a valid certificate are blocked and those without pass');
      }
    });
  }
}

function zoneSettings(ix: Index, stacks: readonly string[], add: Add): void {
  for (const s of ix.ofType('cloudflare_zone_setting', stacks)) {
    if (s.body.setting_id !== 'ssl' || !literal(s.body.value)) continue;
    if (s.body.value !== 'strict') {
      const known = ['off', 'flexible', 'full'].includes(s.body.value);
      add('CF-ZONE-SSL-STRICT', s, 'value', known
        ? `is ${JSON.stringify(s.body.value)}: Cloudflare connects to the origin without verifying its certificate (Full (strict) is "strict")`
        : `is ${JSON.stringify(s.body.value)}, which the provider passes through (the value is dynamic) and the API refuses at apply; Full (strict) is "strict"`);
    }
  }
}

/** Whether `a` issued `b` (subject/issuer names and signature), for literal PEM. */
function issued(a: X509Certificate, b: X509Certificate): boolean {
  return a !== b && b.checkIssued(a) && (() => { try { return b.verify(a.publicKey); } catch { return false; } })();
}

function caOrder(ix: Index, stacks: readonly string[], add: Add, skipped: Skipped[]): void {
  for (const m of ix.ofType('cloudflare_mtls_certificate', stacks)) {
    if (m.body.ca !== true) continue;
    const value = m.body.certificates;
    if (typeof value !== 'string') continue;
    if (!value.includes('${')) {
      const pems = value.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
      const certs = pems.flatMap((p) => { try { return [new X509Certificate(p)]; } catch { return []; } });
      for (let i = 0; i < certs.length; i++) for (let j = i + 1; j < certs.length; j++) {
        if (issued(certs[i], certs[j])) {
          add('CF-APISHIELD-CA-ORDER', m, 'certificates', `lists ${certs[i].subject.replace(/\n/g, ', ')} before the CA it issued (${certs[j].subject.replace(/\n/g, ', ')}): the provider keeps the API's reordered copy and fails with "inconsistent result after apply" (cloudflare/terraform-provider-cloudflare#7158); list each issuing CA first`);
        }
      }
      continue;
    }
    // An expression: the order of the certificate references in it, each traced to its tls resource.
    const refs = [...value.matchAll(/(data\.terraform_remote_state\.[\w-]+\.outputs\.[\w-]+|data\.aws_ssm_parameter\.[\w-]+\.(?:insecure_value|value)|tls_[a-z_]+\.[\w-]+\.cert_pem)/g)].map((x) => x[1]);
    const traced = refs.map((r) => ix.trace(m.stack, `\${${r}}`));
    const resolved = traced.flatMap((t) => ('res' in t ? [t.res] : []));
    if (resolved.length !== traced.length) {
      skipped.push({ rule: 'CF-APISHIELD-CA-ORDER', stack: m.stack, resource: addr(m), reason: 'some certificate references could not be traced to a tls resource' });
      continue;
    }
    resolved.forEach((root, i) => {
      if (root.type !== 'tls_self_signed_cert') return;
      const later = resolved.slice(i + 1).find((c) => c.type === 'tls_locally_signed_cert' && typeof c.body.ca_cert_pem === 'string' && c.body.ca_cert_pem.includes(`tls_self_signed_cert.${root.name}.cert_pem`));
      if (later) {
        add('CF-APISHIELD-CA-ORDER', m, 'certificates', `lists the root ${addr(root)} before the CA it issued (${addr(later)}): the provider keeps the API's reordered copy and fails with "inconsistent result after apply" (cloudflare/terraform-provider-cloudflare#7158); list each issuing CA first`);
      }
    });
  }
}

/** Cloudflare resource types whose uploaded certificate forces a replacement when it changes (from the snapshot). */
export function replacedUploads(snap: ProviderSnapshot): string[] {
  return Object.entries(snap.resources)
    .filter(([, o]) => ['certificate', 'certificates'].some((a) => o.attributes[a]?.forcesReplacement && o.attributes[a].mode !== 'computed'))
    .map(([t]) => t)
    .sort();
}

function createBeforeDestroy(ix: Index, snap: ProviderSnapshot, add: Add): void {
  for (const type of replacedUploads(snap)) {
    for (const r of ix.ofType(type)) {
      if (r.body.lifecycle?.create_before_destroy !== true) {
        add('CF-CERT-CREATE-BEFORE-DESTROY', r, 'lifecycle.create_before_destroy', 'is not true: a new certificate makes Terraform delete the old upload first, and until the new one exists the hostnames it serves have none (origin pulls fail, client certificates stop verifying)');
      }
    }
  }
}

interface SingletonKey { readonly type: string; readonly what: string; readonly keys: (b: Json) => string[] }

const keyed = (...parts: Json[]): string[] => (parts.every(literal) ? [parts.join(' / ')] : []);

/** The same objects stacks/singletons.ts guards at synth time, read back from the JSON. */
const SINGLETONS: readonly SingletonKey[] = [
  { type: 'cloudflare_zero_trust_access_mtls_hostname_settings', what: 'Access mTLS hostname settings of account', keys: (b) => keyed(b.account_id) },
  { type: 'cloudflare_ruleset', what: 'entry-point ruleset of', keys: (b) => (['zone', 'root'].includes(b.kind) ? keyed(b.zone_id ?? b.account_id, b.phase) : []) },
  { type: 'cloudflare_authenticated_origin_pulls_settings', what: 'zone-wide origin-pull switch of zone', keys: (b) => keyed(b.zone_id) },
  { type: 'cloudflare_zone_setting', what: 'zone setting', keys: (b) => keyed(b.zone_id, b.setting_id) },
  { type: 'cloudflare_hostname_tls_setting', what: 'hostname TLS setting', keys: (b) => keyed(b.zone_id, b.setting_id, b.hostname) },
  { type: 'cloudflare_authenticated_origin_pulls', what: 'per-hostname origin-pull setting of', keys: (b) => (Array.isArray(b.config) ? b.config.flatMap((c: Json) => keyed(b.zone_id, c?.hostname)) : []) },
  { type: 'cloudflare_certificate_authorities_hostname_associations', what: 'API Shield CA association of', keys: (b) => (Array.isArray(b.hostnames) ? b.hostnames.flatMap((h: Json) => keyed(b.zone_id, h)) : []) },
];

function singletons(ix: Index, add: Add): void {
  for (const s of SINGLETONS) {
    const owners = new Map<string, Res[]>();
    for (const r of ix.ofType(s.type)) for (const k of s.keys(r.body)) owners.set(k, [...(owners.get(k) ?? []), r]);
    for (const [k, rs] of owners) {
      if (rs.length < 2) continue;
      for (const r of rs.slice(1)) {
        const attribute = s.type === 'cloudflare_authenticated_origin_pulls' ? 'config' : s.type === 'cloudflare_certificate_authorities_hostname_associations' ? 'hostnames' : s.type === 'cloudflare_ruleset' ? 'phase' : s.type.endsWith('setting') ? 'setting_id' : 'account_id';
        add('CF-SINGLETON-OWNER', r, attribute, `manages the ${s.what} ${k}, also managed by ${rs[0].stack} ${addr(rs[0])}: each apply overwrites the other's and the plans never settle`);
      }
    }
  }
}

function tlsRange(stacks: ReadonlyMap<string, StackJson>, add: Add): void {
  for (const [stack, json] of stacks) {
    const version = json.terraform?.required_providers?.tls?.version;
    if (typeof version !== 'string') continue;
    const lowest = lowestAdmitted(version);
    const [a, b, c] = (lowest ?? '0.0.0').split('.').map(Number);
    if (a < 4 || (a === 4 && (b < 2 || (b === 2 && c < 1)))) {
      add('TLS-RANGE-LOWEST', { stack }, 'terraform.required_providers.tls.version', `"${version}" admits ${lowest ?? 'any release'}, below 4.2.1: terraform init may pick it, and 4.2.0 replaces every existing certificate after an upgrade (hashicorp/terraform-provider-tls#737)`);
    }
  }
}

function accountOrder(ix: Index, deps: ReadonlyMap<string, readonly string[]> | undefined, add: Add, skipped: Skipped[]): void {
  const settings = ix.ofType('cloudflare_zero_trust_access_mtls_hostname_settings');
  if (settings.length === 0) return;
  if (!deps) {
    for (const s of settings) skipped.push({ rule: 'ORDER-ACCOUNT-AFTER-EDGE', stack: s.stack, resource: addr(s), reason: 'no stack dependencies given (no manifest.json beside the stacks)' });
    return;
  }
  const uploads = ix.ofType('cloudflare_zero_trust_access_mtls_certificate');
  for (const s of settings) {
    const hostnames: string[] = (Array.isArray(s.body.settings) ? s.body.settings : []).map((x: Json) => x?.hostname).filter(literal);
    const needed = new Set(uploads.filter((u) => u.stack !== s.stack && (u.body.associated_hostnames ?? []).some((h: string) => hostnames.includes(h))).map((u) => u.stack));
    const have = deps.get(s.stack) ?? [];
    for (const stack of [...needed].sort()) {
      if (!have.includes(stack)) {
        add('ORDER-ACCOUNT-AFTER-EDGE', s, 'settings', `lists hostnames whose Access CA ${stack} uploads, but ${s.stack} does not depend on ${stack}: apply may run it first, and the API refuses settings for a hostname no Access CA is associated with`);
      }
    }
  }
}
