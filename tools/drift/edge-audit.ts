import type Cloudflare from 'cloudflare';
import { CLOUDFLARE_PROVIDER } from '../../lib/providers';
import { allPages } from '../bypass/cloudflare';
import { type NoRefreshFact, readNoRefreshFacts } from '../../conformance/no-refresh';
import { resolveRef } from './state-ref';

/**
 * Edge live audit: the Cloudflare fields a plan can never show drifting. The provider
 * (v5.22.0) keeps some attributes in state without reading them back (`no_refresh` in
 * its models: conformance/snapshots/cloudflare-<v>.no-refresh.json, each fact with
 * its tag:path:line evidence), so an out-of-band change there is invisible to
 * `npm run drift`. This audit reads each of them live with the `cloudflare` client and
 * compares it with the synthesized JSON, naming zone, hostname and field; it also reads
 * the zone-level settings the project owns (zone settings, the zone AOP switch), which
 * an `--aws-only` plan cannot see at all.
 *
 * Which facts are audited and which stay invisible is decided per fact in HANDLING;
 * a fact the provider gains in a new version fails the unit test until it is classified.
 */

/** A resource as synthesized, with what the audit needs to find it. */
export interface DeclaredResource {
  readonly stack: string;
  readonly type: string;
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** An out-of-band edge change. */
export interface EdgeFinding {
  /** `stack/type.name`. */
  readonly resource: string;
  readonly zone?: string;
  readonly hostname?: string;
  /** The Terraform attribute path, e.g. `config[0].enabled`. */
  readonly field: string;
  readonly expected: unknown;
  readonly actual: unknown;
  readonly fix: string;
}

export interface EdgeAuditReport {
  readonly environment: string;
  readonly findings: readonly EdgeFinding[];
  /** Each field read live, e.g. `cloudflare_authenticated_origin_pulls.config (api.example.test)`. */
  readonly checked: readonly string[];
  /** Expectations the audit could not resolve (a reference with no state to read it from). */
  readonly notes: readonly string[];
  /** Why the audit did not run (no Cloudflare in an emulated environment): a gap, not a finding. */
  readonly gap?: string;
}

/** Values of applied resources by address (`cloudflare_mtls_certificate.X` -> attributes), from the plan's prior state. */
export type StateValues = ReadonlyMap<string, Readonly<Record<string, unknown>>>;

export interface AuditContext {
  readonly client: Cloudflare;
  readonly accountId: string;
  readonly state: StateValues;
  readonly notes: string[];
  readonly checked: string[];
}

type Audit = (ctx: AuditContext, r: DeclaredResource) => Promise<EdgeFinding[]>;

/**
 * How each never-re-read fact is covered: read live (`audit`) or invisible by nature
 * (`invisible`, with the reason the docs repeat). Keyed `type.attribute`.
 */
export const HANDLING: Readonly<Record<string, { readonly audit: Audit } | { readonly invisible: string }>> = {
  'cloudflare_authenticated_origin_pulls.config': { audit: auditOriginPulls },
  'cloudflare_authenticated_origin_pulls.private_key': { invisible: 'computed and write-only: the API never returns a private key' },
  'cloudflare_authenticated_origin_pulls_hostname_certificate.private_key': { invisible: 'write-only: the API never returns the private key; the certificate (refreshed) is what binds it' },
  'cloudflare_certificate_authorities_hostname_associations.mtls_certificate_id': { audit: auditHostnameAssociations },
  'cloudflare_keyless_certificate.certificate': { invisible: 'immutable at the API (PATCH takes host, port, name, tunnel, enabled): a different certificate is a new keyless object, whose id the plan sees' },
  'cloudflare_keyless_certificate.bundle_method': { invisible: 'immutable at the API (PATCH cannot change it), so it cannot drift in place' },
  'cloudflare_mtls_certificate.private_key': { invisible: 'write-only; the project uploads CAs (ca = true) without a key' },
  'cloudflare_mtls_certificate.updated_at': { invisible: 'a timestamp, not a setting' },
  'cloudflare_notification_policy_webhooks.secret': { invisible: 'write-only: the API never returns the webhook secret' },
  'cloudflare_zero_trust_access_mtls_certificate.certificate': { invisible: 'immutable at the API (PUT takes name and associated_hostnames only): a different CA is a new object, whose id the plan sees' },
  'cloudflare_zero_trust_access_mtls_hostname_settings.settings': { audit: auditAccessHostnameSettings },
  'cloudflare_zero_trust_access_service_token.previous_client_secret_expires_at': { invisible: 'a rotation timestamp, not an access setting' },
  'cloudflare_zero_trust_access_service_token.client_secret_version': { invisible: 'a rotation counter; a rotated secret only locks out our own clients' },
  'cloudflare_zero_trust_access_service_token.client_secret': { invisible: 'write-only: the API returns it once, at creation' },
  'cloudflare_zero_trust_tunnel_cloudflared.tunnel_secret': { invisible: 'write-only: the API never returns the tunnel secret (the token in Secrets Manager is checked by the secret-version check)' },
  'cloudflare_zero_trust_tunnel_cloudflared_virtual_network.is_default': { invisible: 'deprecated alias of is_default_network, which the provider does refresh' },
};

/** The facts of the pinned provider, read from the committed data. */
export function noRefreshFacts(): readonly NoRefreshFact[] {
  return readNoRefreshFacts('cloudflare', CLOUDFLARE_PROVIDER.version).facts;
}

const key = (f: { type: string; attribute: string }) => `${f.type}.${f.attribute}`;
const address = (r: DeclaredResource) => `${r.stack}/${r.type}.${r.name}`;
const isRef = (v: unknown): v is string => typeof v === 'string' && v.includes('${');

/** A literal, or the value of a `${type.name.attr}` reference read from state (live-aws.ts). */
const resolveValue = (value: unknown, state: StateValues): unknown => resolveRef(value, state);

/** Every resource of the stacks as synthesized. */
export function declaredResources(stacks: ReadonlyMap<string, Record<string, unknown>>): DeclaredResource[] {
  const out: DeclaredResource[] = [];
  for (const [stack, json] of stacks) {
    for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Record<string, Record<string, unknown>>>)) {
      for (const [name, config] of Object.entries(byName)) out.push({ stack, type, name, config });
    }
  }
  return out;
}

const status = (e: unknown) => (e as { status?: number }).status;

async function auditOriginPulls(ctx: AuditContext, r: DeclaredResource): Promise<EdgeFinding[]> {
  const zone = r.config.zone_id as string;
  const out: EdgeFinding[] = [];
  for (const [i, entry] of ((r.config.config ?? []) as Record<string, unknown>[]).entries()) {
    const hostname = entry.hostname as string;
    ctx.checked.push(`${r.type}.config (${hostname})`);
    let live: { enabled?: boolean | null; cert_id?: string } | undefined;
    try {
      live = await ctx.client.originTLSClientAuth.hostnames.get(hostname, { zone_id: zone });
    } catch (e) {
      if (status(e) !== 404) throw e;
    }
    const base = { resource: address(r), zone, hostname };
    const fix = `put it back: terraform apply -replace='${r.type}.${r.name}' in ${r.stack} (the provider does not re-read config, so a plain apply changes nothing)`;
    if (!live) {
      out.push({ ...base, field: `config[${i}]`, expected: entry, actual: 'absent', fix });
      continue;
    }
    if (live.enabled !== entry.enabled) out.push({ ...base, field: `config[${i}].enabled`, expected: entry.enabled, actual: live.enabled ?? null, fix });
    const certId = resolveValue(entry.cert_id, ctx.state);
    if (certId === undefined) ctx.notes.push(`${address(r)} config[${i}].cert_id: ${String(entry.cert_id)} not in state; compared enabled only`);
    else if (live.cert_id !== certId) out.push({ ...base, field: `config[${i}].cert_id`, expected: certId, actual: live.cert_id ?? null, fix });
  }
  return out;
}

async function auditHostnameAssociations(ctx: AuditContext, r: DeclaredResource): Promise<EdgeFinding[]> {
  const zone = r.config.zone_id as string;
  const hostnames = (r.config.hostnames ?? []) as string[];
  const ours = resolveValue(r.config.mtls_certificate_id, ctx.state) as string | undefined;
  ctx.checked.push(`${r.type}.mtls_certificate_id (${hostnames.join(', ')})`);
  const fix = `associate the hostnames with our CA again: terraform apply -replace='${r.type}.${r.name}' in ${r.stack}, and remove the foreign association`;
  const associated = async (certId: string | undefined) =>
    (await ctx.client.certificateAuthorities.hostnameAssociations.get({ zone_id: zone, ...(certId ? { mtls_certificate_id: certId } : {}) })).hostnames ?? [];
  const out: EdgeFinding[] = [];
  if (ours === undefined) ctx.notes.push(`${address(r)} mtls_certificate_id: ${String(r.config.mtls_certificate_id)} not in state; checked that no other CA holds the hostnames`);
  else {
    const live = await associated(ours);
    for (const h of hostnames.filter((h) => !live.includes(h))) out.push({ resource: address(r), zone, hostname: h, field: 'mtls_certificate_id', expected: ours, actual: 'not associated with our CA', fix });
  }
  // Any other CA of the account, and Cloudflare's managed CA (no id), holding one of our
  // hostnames. Without our CA's id (no state), a hostname held by two CAs or by the managed one.
  const cas = (await allPages<{ id?: string; name?: string | null; ca?: boolean }>(ctx.client, `/accounts/${ctx.accountId}/mtls_certificates`)).filter((c) => c.ca && c.id && c.id !== ours);
  const holders = new Map<string, Array<{ id?: string; name?: string | null }>>();
  for (const other of [...cas, { id: undefined, name: "Cloudflare's managed CA" }]) {
    const live = await associated(other.id);
    for (const h of hostnames.filter((h) => live.includes(h))) holders.set(h, [...(holders.get(h) ?? []), other]);
  }
  for (const [h, list] of holders) {
    const foreign = ours !== undefined ? list : list.length > 1 ? list : list.filter((c) => c.id === undefined);
    for (const other of foreign) out.push({ resource: address(r), zone, hostname: h, field: 'mtls_certificate_id', expected: ours ?? 'one API Shield CA (ours)', actual: `${other.id ?? '(none)'} (${other.name ?? 'unnamed'})`, fix });
  }
  return out;
}

async function auditAccessHostnameSettings(ctx: AuditContext, r: DeclaredResource): Promise<EdgeFinding[]> {
  const accountId = (r.config.account_id as string | undefined) ?? ctx.accountId;
  const live: Array<{ hostname: string; china_network: boolean; client_certificate_forwarding: boolean }> = [];
  for await (const s of ctx.client.zeroTrust.access.certificates.settings.get({ account_id: accountId })) live.push(s);
  const out: EdgeFinding[] = [];
  for (const [i, want] of ((r.config.settings ?? []) as Array<Record<string, unknown>>).entries()) {
    const hostname = want.hostname as string;
    ctx.checked.push(`${r.type}.settings (${hostname})`);
    const got = live.find((s) => s.hostname === hostname);
    const fix = `put the account's list back: terraform apply -replace='${r.type}.${r.name}' in ${r.stack}`;
    if (!got) {
      out.push({ resource: address(r), hostname, field: `settings[${i}]`, expected: want, actual: 'absent', fix });
      continue;
    }
    for (const field of ['china_network', 'client_certificate_forwarding'] as const) {
      if (got[field] !== want[field]) out.push({ resource: address(r), hostname, field: `settings[${i}].${field}`, expected: want[field], actual: got[field], fix });
    }
  }
  return out;
}

/** Zone-level settings the project owns: every declared zone setting and the zone AOP switch. */
async function auditZoneLevel(ctx: AuditContext, r: DeclaredResource): Promise<EdgeFinding[]> {
  const zone = r.config.zone_id as string;
  const fix = `terraform apply in ${r.stack} (a real plan shows it too; --aws-only plans do not)`;
  if (r.type === 'cloudflare_zone_setting') {
    const id = r.config.setting_id as string;
    ctx.checked.push(`cloudflare_zone_setting ${id}`);
    const live = (await ctx.client.zones.settings.get(id as 'ssl', { zone_id: zone })) as { value?: unknown };
    return JSON.stringify(live.value) === JSON.stringify(r.config.value) ? [] : [{ resource: address(r), zone, field: `value (${id})`, expected: r.config.value, actual: live.value ?? null, fix }];
  }
  ctx.checked.push('cloudflare_authenticated_origin_pulls_settings enabled');
  const live = await ctx.client.originTLSClientAuth.settings.get({ zone_id: zone });
  return live.enabled === r.config.enabled ? [] : [{ resource: address(r), zone, field: 'enabled', expected: r.config.enabled, actual: live.enabled ?? null, fix }];
}

const ZONE_LEVEL = new Set(['cloudflare_zone_setting', 'cloudflare_authenticated_origin_pulls_settings']);

/** Runs every audit that applies to the declared resources; errors of the API propagate (exit 1). */
export async function auditEdge(environment: string, resources: readonly DeclaredResource[], options: { client: Cloudflare; accountId: string; state?: StateValues; facts?: readonly NoRefreshFact[] }): Promise<EdgeAuditReport> {
  const facts = options.facts ?? noRefreshFacts();
  const ctx: AuditContext = { client: options.client, accountId: options.accountId, state: options.state ?? new Map(), notes: [], checked: [] };
  const findings: EdgeFinding[] = [];
  for (const r of resources) {
    if (ZONE_LEVEL.has(r.type) && !isRef(r.config.zone_id)) findings.push(...(await auditZoneLevel(ctx, r)));
    for (const fact of facts.filter((f) => f.type === r.type && r.config[f.attribute] !== undefined)) {
      const h = HANDLING[key(fact)];
      if (h && 'audit' in h) findings.push(...(await h.audit(ctx, r)));
    }
  }
  return { environment, findings, checked: ctx.checked, notes: ctx.notes };
}

const cell = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v)).replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderEdgeMarkdown(r: EdgeAuditReport): string {
  const head = `## Edge live audit: ${r.environment}\n\n`;
  if (r.gap) return `${head}Not run: ${r.gap} (a known gap, not a finding).\n`;
  const lines = [head.trimEnd(), '', `Read live: ${r.checked.length} field${r.checked.length === 1 ? '' : 's'} the provider never re-reads, and the zone-level settings.`, ''];
  if (r.findings.length === 0) lines.push('Every field matches the code.');
  else {
    lines.push(`**${r.findings.length} out-of-band edge change${r.findings.length === 1 ? '' : 's'}** (invisible to the plan).`, '', '| resource | zone | hostname | field | expected (code) | actual | what to do |', '|---|---|---|---|---|---|---|');
    for (const f of r.findings) lines.push(`| ${cell(f.resource)} | ${f.zone ?? ''} | ${f.hostname ?? ''} | \`${f.field}\` | ${cell(f.expected)} | ${cell(f.actual)} | ${cell(f.fix)} |`);
  }
  if (r.notes.length > 0) lines.push('', ...r.notes.map((n) => `- note: ${n}`));
  return `${lines.join('\n')}\n`;
}

export function renderEdgeJson(r: EdgeAuditReport): string {
  return `${JSON.stringify({ schemaVersion: 1, kind: 'edge-audit', environment: r.environment, gap: r.gap, checked: r.checked, notes: r.notes, edge: r.findings }, null, 2)}\n`;
}
