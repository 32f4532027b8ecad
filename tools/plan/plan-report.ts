import { comparePaths, diffLeaves, markedAt, splitPath } from '../tf-json/json-paths';
import { code, fence, text } from '../../lib/markdown';
import { type CheckSection, combinedExit, renderSections } from '../drift/sections';
import { formatValue } from '../tf-json/format';
import { outageMark, outageRisks, stackOutageRisks } from './outage-risk';

/**
 * From `terraform show -json <planfile>` to a report a person reads in a minute and a
 * pipeline can act on. Everything here is pure: the runner (tools/plan/plan-runner.ts) feeds
 * it what Terraform printed, the tests feed it recorded fixtures.
 */

export type PlanMode = 'plan' | 'drift';
export type ResourceAction = 'create' | 'update' | 'replace' | 'delete' | 'read' | 'forget';
/**
 * `outputs-only`: only root outputs change (an apply updates state, no resource is
 * touched; never drift). `waiting`: not planned because something it reads does not
 * exist yet (an upstream stack not applied, an SSM parameter not created).
 */
export type StackStatus = 'no-changes' | 'changes' | 'outputs-only' | 'waiting' | 'error';

/** Shown in place of every value Terraform marks sensitive. */
export const SENSITIVE = '(sensitive)';
/** Shown for values Terraform will only know after apply. */
export const UNKNOWN = '(known after apply)';

/**
 * One changed attribute, or one nested block element (`ingress[0]`) or map (`tags`)
 * with everything that changed inside it: one rule is one row. Values are the JSON
 * values Terraform gave, stored once; a key is absent when the value is.
 */
export interface AttributeChange {
  /** `security_policy`, `ingress[0]`, `tags_all`. */
  readonly path: string;
  /**
   * Before (the refreshed state). For a block changed in place: only its changed leaves,
   * keyed by their path inside the block (`{"from_port": 22}`); for a block added or
   * removed: the whole block, without attributes at their empty default. Absent when
   * there was none or when `sensitive`.
   */
  readonly before?: unknown;
  /** After (the plan, i.e. the code). Same shape as `before`. */
  readonly after?: unknown;
  /** Set when Terraform marks any part sensitive: both values are withheld. */
  readonly sensitive?: true;
  /** Set when (part of) the after value is known only after apply; `after` then holds the known part. */
  readonly afterUnknown?: true;
  /** Set when changing this attribute is why the resource is replaced. */
  readonly forcesReplacement?: true;
}

export interface ResourceReport {
  readonly address: string;
  /** The construct that made it (`dev-origin/Truststore/Bucket`), from the synthesized JSON's `//` metadata. */
  readonly constructPath?: string;
  readonly type: string;
  readonly action: ResourceAction;
  /** Changed attributes, grouped per nested block (updates, replacements and drift; empty for create/delete). */
  readonly attributes: readonly AttributeChange[];
  /** Attributes left out because they only go between absent and their empty default (`""`, `[]`, `{}`, `false`, `null`). */
  readonly hiddenDefaults?: number;
  /**
   * For a replace or delete: the name the resource had (its `domain_name`, `hostname`,
   * `name` or `Name` tag before the change), so a deleted resource, which no longer has a
   * construct path, still says which hostname or host it served.
   */
  readonly identity?: string;
}

export interface StackReport {
  readonly stack: string;
  readonly status: StackStatus;
  /**
   * What Terraform would do to make reality match the code. `before` is the refreshed
   * state, i.e. what really exists; in drift mode, on code that is applied, every
   * entry is therefore something changed outside Terraform.
   */
  readonly changes: readonly ResourceReport[];
  /** Root outputs whose value changes. */
  readonly outputs: readonly string[];
  readonly counts: Readonly<Record<ResourceAction, number>>;
  /** Terraform's error output (trimmed) when the stack could not be planned. */
  readonly error?: string;
  /** Why the stack was not planned (`waiting for dev-pki: not applied yet`), when it waits. */
  readonly waitingFor?: string;
  /** Differences matching a known emulator gap of the environment: shown, not counted. */
  readonly knownGaps: readonly KnownGapHit[];
  /**
   * Resources whose address changes in state only (`moved` blocks): nothing in the cloud
   * is touched. Absent when there is none. A resource that also changes is in `changes` too.
   */
  readonly moved?: readonly ResourceMove[];
}

/** A resource Terraform moves from one address to another in state. */
export interface ResourceMove {
  readonly from: string;
  readonly to: string;
}

/** A known emulator gap (from the env file's `drift.knownEmulatorGaps`). */
export interface KnownGap {
  readonly resourceType: string;
  /** Absent: the resource type is left out of the environment, so nothing of it is explained. */
  readonly attribute?: string;
  readonly reason: string;
}

export interface KnownGapHit {
  readonly address: string;
  readonly attribute: string;
  readonly reason: string;
}

/** The version of the JSON report's shape (docs/plan-report-schema.md); bumped on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 2;

export interface PlanReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  /** When the report was made, ISO 8601 UTC. */
  readonly generatedAt: string;
  /** The commit whose code was planned, when known. */
  readonly commit?: string;
  /** Terraform's version, from the plan JSON. */
  readonly terraformVersion?: string;
  /** Provider source -> version that planned the stacks (from each stack's dependency lock file). */
  readonly providerVersions: Readonly<Record<string, string>>;
  readonly mode: PlanMode;
  readonly env: string;
  /** True when only the AWS-only projection of each stack was planned: Cloudflare and tls are NOT covered. */
  readonly awsOnly: boolean;
  /**
   * Custody stacks left out of this run (`--public-only`): the role that ran it cannot read
   * their state. Their change is reviewed as the diff of the synthesized JSON and planned at deploy.
   */
  readonly notPlanned?: readonly string[];
  readonly stacks: readonly StackReport[];
  /**
   * Drift only: the live checks run after the plans (live AWS checks, the edge live
   * audit; tools/drift/checks.ts), each with findings, gaps and notes. @default none
   */
  readonly checks?: readonly CheckSection[];
  /** 0 = no changes anywhere, 2 = changes, drift or a waiting stack (or a live-check finding), 1 = some stack or check errored. */
  readonly exitCode: 0 | 1 | 2;
}

/** What the runner knows about one stack after `plan -detailed-exitcode` and `show -json`. */
export interface StackPlanResult {
  readonly stack: string;
  /** Terraform's `-detailed-exitcode` (0, 1, 2), or 1 when an earlier step failed. */
  readonly exitCode: number;
  /** Parsed `terraform show -json` of the saved plan, when there is one. */
  readonly plan?: TerraformPlanJson;
  readonly error?: string;
  /** Set instead of a plan when the stack cannot be planned yet, and why. */
  readonly waitingFor?: string;
  /** Whether the stack had state when planned (it was applied before). @default unknown */
  readonly applied?: boolean;
  /** Construct path by resource address, from the synthesized stack. @default none */
  readonly constructPaths?: Readonly<Record<string, string>>;
  /** Provider source -> version from the stack's `.terraform.lock.hcl`. @default none */
  readonly providers?: Readonly<Record<string, string>>;
}

/** The parts of Terraform's JSON plan representation (format 1.x) the report reads. */
export interface TerraformPlanJson {
  readonly format_version?: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly TerraformResourceChange[];
  readonly output_changes?: Readonly<Record<string, { actions: readonly string[] }>>;
  readonly errored?: boolean;
}

export interface TerraformResourceChange {
  readonly address: string;
  /** Set when a `moved` block gave the resource this address; the address it had in state. */
  readonly previous_address?: string;
  readonly type: string;
  readonly mode?: 'managed' | 'data';
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: ReadonlyArray<ReadonlyArray<string | number>>;
  };
}

const ACTIONS: readonly ResourceAction[] = ['create', 'update', 'replace', 'delete', 'read', 'forget'];
const MAX_VALUE_CHARS = 120;

/** Terraform's action list (`["delete","create"]`) as one verb, or undefined for no-op. */
export function actionOf(actions: readonly string[]): ResourceAction | undefined {
  const set = new Set(actions);
  if (set.has('create') && set.has('delete')) return 'replace';
  for (const a of ['create', 'update', 'delete', 'read', 'forget'] as const) if (set.has(a)) return a;
  if (set.size === 0 || set.has('no-op')) return undefined;
  throw new Error(`unknown Terraform action list ${JSON.stringify(actions)}`);
}

/** One changed leaf, before grouping: raw values and Terraform's marks. */
interface LeafChangeMarks {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly sensitive: boolean;
  readonly unknown: boolean;
  readonly forces: boolean;
}

/** Attribute-level differences of one resource change, leaf by leaf, with Terraform's marks. */
function leafChanges(change: TerraformResourceChange['change']): LeafChangeMarks[] {
  const replacePaths = (change.replace_paths ?? []).map((p) => p.map((k) => (typeof k === 'number' ? `[${k}]` : k)));
  const forces = (path: string): boolean => {
    const keys = splitPath(path).map((k) => (typeof k === 'number' ? `[${k}]` : k));
    return replacePaths.some((rp) => rp.length <= keys.length && rp.every((k, i) => k === keys[i]));
  };
  // A value sensitive on either side is masked on both: the other side would tell it.
  const entry = (path: string, before: unknown, after: unknown): LeafChangeMarks => ({
    path,
    before,
    after,
    sensitive: markedAt(change.before_sensitive, path) || markedAt(change.after_sensitive, path),
    unknown: markedAt(change.after_unknown, path),
    forces: forces(path),
  });
  const out = diffLeaves(change.before ?? {}, change.after ?? {}).map((leaf) => entry(leaf.path, leaf.before, leaf.after));
  // An attribute unknown until apply and absent from both sides is invisible to the leaf diff.
  for (const [path, marked] of Object.entries((change.after_unknown ?? {}) as Record<string, unknown>)) {
    if (marked === true && !out.some((a) => a.path === path)) out.push(entry(path, (change.before as Record<string, unknown> | null)?.[path], undefined));
  }
  return out.sort((a, b) => comparePaths(a.path, b.path));
}

/** `""`, `[]`, `{}`, `false`, `null`: what the provider reads back for an attribute nobody set. */
export function isEmptyDefault(value: unknown): boolean {
  if (value === '' || value === false || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/** A change between absent and an empty default means nothing to a reader. */
const absentToDefault = (l: LeafChangeMarks): boolean =>
  !l.sensitive && !l.unknown && ((l.before === undefined && isEmptyDefault(l.after)) || (l.after === undefined && isEmptyDefault(l.before)));

/** The row a leaf belongs to: `ingress[0]` for a block element, `tags` for a map, else the attribute itself. */
export function groupOf(path: string): string {
  const keys = splitPath(path);
  if (keys.length < 2 || typeof keys[0] !== 'string') return path;
  return typeof keys[1] === 'number' ? `${keys[0]}[${keys[1]}]` : keys[0];
}

/** A value without its empty-default attributes, recursively (so a whole added block reads as what was set). */
function withoutDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => !isEmptyDefault(v)).map(([k, v]) => [k, withoutDefaults(v)]));
  }
  return value;
}

/** The value at a path of a JSON value (`ingress[0]`). */
function valueAt(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const key of splitPath(path)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

const relative = (group: string, path: string): string => path.slice(group.length).replace(/^\./, '');

/**
 * Changed attributes of one resource change, one row per attribute or nested block
 * element, after `keep` (the known-gap filter) and without absent<->default noise.
 */
export function attributeChanges(change: TerraformResourceChange['change'], keep: (path: string) => boolean = () => true): { rows: AttributeChange[]; hidden: number } {
  const leaves = leafChanges(change).filter((l) => keep(l.path));
  const shown = leaves.filter((l) => !absentToDefault(l));
  const groups = new Map<string, LeafChangeMarks[]>();
  for (const l of shown) groups.set(groupOf(l.path), [...(groups.get(groupOf(l.path)) ?? []), l]);
  const rows: AttributeChange[] = [];
  for (const [group, members] of groups) {
    const flags = {
      ...(members.some((m) => m.sensitive) ? { sensitive: true as const } : {}),
      ...(members.some((m) => m.unknown) ? { afterUnknown: true as const } : {}),
      ...(members.some((m) => m.forces) ? { forcesReplacement: true as const } : {}),
    };
    if (flags.sensitive) {
      rows.push({ path: group, ...flags });
      continue;
    }
    const side = (which: 'before' | 'after'): unknown => {
      const known = members.filter((m) => !(which === 'after' && m.unknown) && m[which] !== undefined);
      if (known.length === 0) return undefined;
      if (members.length === 1 && members[0].path === group) return members[0][which];
      // The block is absent on the other side: show it whole, as it is on this side.
      const other = which === 'before' ? 'after' : 'before';
      if (members.every((m) => m[other] === undefined)) return withoutDefaults(valueAt(change[which], group));
      return Object.fromEntries(known.map((m) => [relative(group, m.path), m[which]]));
    };
    const before = side('before');
    const after = side('after');
    rows.push({ path: group, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}), ...flags });
  }
  return { rows: rows.sort((a, b) => comparePaths(a.path, b.path)), hidden: leaves.length - shown.length };
}

function coveredByGap(gap: KnownGap, type: string, path: string): boolean {
  // A gap without attribute leaves the resource type out of the environment: it explains no difference.
  if (gap.attribute === undefined) return false;
  return gap.resourceType === type && (path === gap.attribute || path.startsWith(`${gap.attribute}.`) || path.startsWith(`${gap.attribute}[`));
}

/**
 * The resources a plan changes. Attribute changes that known emulator gaps explain are
 * set aside (only for in-place updates and replacements: a resource to create or
 * delete is always a real difference); a resource left with nothing is dropped.
 */
function resourceReports(
  changes: readonly TerraformResourceChange[] | undefined,
  gaps: readonly KnownGap[],
  constructPaths: Readonly<Record<string, string>>,
): { changes: ResourceReport[]; hits: KnownGapHit[] } {
  const out: ResourceReport[] = [];
  const hits: KnownGapHit[] = [];
  for (const rc of changes ?? []) {
    const action = actionOf(rc.change.actions);
    if (!action) continue;
    // Data sources are read on every plan; that is not a change anyone acts on.
    if (rc.mode === 'data' || action === 'read') continue;
    const path = constructPaths[rc.address];
    const identity = action === 'replace' || action === 'delete' ? identityOf(rc.change.before) : undefined;
    const base = { address: rc.address, ...(path ? { constructPath: path } : {}), type: rc.type, action, ...(identity ? { identity } : {}) };
    if (action !== 'update' && action !== 'replace') {
      out.push({ ...base, attributes: [] });
      continue;
    }
    const explained = new Set<string>();
    const { rows, hidden } = attributeChanges(rc.change, (leaf) => {
      const gap = gaps.find((g) => coveredByGap(g, rc.type, leaf));
      if (gap?.attribute !== undefined && !explained.has(gap.attribute)) {
        explained.add(gap.attribute);
        hits.push({ address: rc.address, attribute: gap.attribute, reason: gap.reason });
      }
      return gap === undefined;
    });
    if (rows.length === 0 && explained.size > 0) continue;
    out.push({ ...base, attributes: rows, ...(hidden > 0 ? { hiddenDefaults: hidden } : {}) });
  }
  return { changes: out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)), hits };
}

/** The name a resource had before a change: `domain_name`, `hostname`, `name`, or its `Name` tag. */
function identityOf(before: unknown): string | undefined {
  if (before === null || typeof before !== 'object') return undefined;
  const b = before as Record<string, unknown>;
  for (const key of ['domain_name', 'hostname', 'name']) if (typeof b[key] === 'string' && b[key] !== '') return b[key] as string;
  const tags = b.tags as Record<string, unknown> | null | undefined;
  return typeof tags?.Name === 'string' ? tags.Name : undefined;
}

/** One stack's report from what the runner collected. */
export function stackReport(result: StackPlanResult, knownGaps: readonly KnownGap[] = []): StackReport {
  const counts = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<ResourceAction, number>;
  if (result.waitingFor) {
    return { stack: result.stack, status: 'waiting', changes: [], outputs: [], counts, waitingFor: result.waitingFor, knownGaps: [] };
  }
  const failed = result.exitCode !== 0 && result.exitCode !== 2;
  if (failed || !result.plan) {
    return {
      stack: result.stack,
      status: 'error',
      changes: [],
      outputs: [],
      counts,
      error: (result.error ?? (failed ? `terraform exited ${result.exitCode}` : 'terraform gave no plan')).trim(),
      knownGaps: [],
    };
  }
  const plan = result.plan;
  const { changes, hits } = resourceReports(plan.resource_changes, knownGaps, result.constructPaths ?? {});
  const moved = (plan.resource_changes ?? [])
    .filter((rc) => rc.previous_address !== undefined && rc.previous_address !== rc.address)
    .map((rc) => ({ from: rc.previous_address!, to: rc.address }))
    .sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  for (const r of changes) counts[r.action]++;
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, c]) => actionOf(c.actions) !== undefined)
    .map(([name]) => name)
    .sort();
  // Terraform's exit code is the verdict and the JSON the explanation, except that
  // differences explained entirely by known emulator gaps do not count, and a plan
  // that only changes outputs is told apart (Terraform exits 2 for it as well).
  const explainedByGaps = hits.length > 0 && changes.length === 0 && outputs.length === 0;
  const status: StackStatus = result.exitCode !== 2 || explainedByGaps ? 'no-changes' : changes.length === 0 && outputs.length > 0 ? 'outputs-only' : 'changes';
  return {
    stack: result.stack,
    status,
    changes,
    outputs,
    counts,
    knownGaps: hits,
    ...(moved.length > 0 ? { moved } : {}),
  };
}

export function buildReport(input: {
  mode: PlanMode;
  env: string;
  awsOnly: boolean;
  results: readonly StackPlanResult[];
  /** Custody stacks left out (`--public-only`). @default none */
  notPlanned?: readonly string[];
  /** The environment's `drift.knownEmulatorGaps`. @default none */
  knownGaps?: readonly KnownGap[];
  /** The commit planned. @default unknown (left out) */
  commit?: string;
  /** @default now */
  generatedAt?: Date;
}): PlanReport {
  const stacks = input.results.map((r) => stackReport(r, input.knownGaps)).sort((a, b) => (a.stack < b.stack ? -1 : 1));
  const exitCode = stacks.some((s) => s.status === 'error') ? 1 : stacks.some((s) => counts(input.mode, s.status)) ? 2 : 0;
  const terraformVersion = input.results.map((r) => r.plan?.terraform_version).find((v) => v !== undefined);
  const providerVersions = Object.fromEntries(input.results.flatMap((r) => Object.entries(r.providers ?? {})).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: (input.generatedAt ?? new Date()).toISOString(),
    ...(input.commit ? { commit: input.commit } : {}),
    ...(terraformVersion ? { terraformVersion } : {}),
    providerVersions,
    mode: input.mode,
    env: input.env,
    awsOnly: input.awsOnly,
    ...(input.notPlanned && input.notPlanned.length > 0 ? { notPlanned: [...input.notPlanned] } : {}),
    stacks,
    exitCode,
  };
}

/**
 * Whether a stack's status makes the verdict "changes" (exit 2). An output-only plan is
 * pending work for `plan` (apply writes the new outputs) but never drift: nothing real
 * differs from the code.
 */
export function counts(mode: PlanMode, status: StackStatus): boolean {
  return status === 'changes' || status === 'waiting' || (status === 'outputs-only' && mode === 'plan');
}

/** The report for machines: stable key order, no rendering decisions. */
export function renderJson(report: PlanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const STATUS_TEXT: Record<StackStatus, string> = { 'no-changes': 'no changes', changes: 'CHANGES', 'outputs-only': 'outputs only', waiting: 'WAITING', error: 'ERROR' };

/** One side of an attribute row as a table cell. */
export function valueCell(change: AttributeChange, side: 'before' | 'after'): string {
  if (change.sensitive) return code(SENSITIVE);
  const value = change[side];
  if (side === 'after' && change.afterUnknown) return value === undefined ? code(UNKNOWN) : `${code(formatValue(value, MAX_VALUE_CHARS))} + ${UNKNOWN}`;
  return code(formatValue(value, MAX_VALUE_CHARS));
}

/** `address` with its construct path under it, for a table cell. */
export function resourceCell(r: Pick<ResourceReport, 'address' | 'constructPath'>): string {
  return `${code(r.address)}${r.constructPath ? `<br><sub>${text(r.constructPath)}</sub>` : ''}`;
}

/** The column titles of a change table: what the two sides mean in this mode. */
export function sideTitles(mode: PlanMode): { title: string; before: string; after: string } {
  return mode === 'drift'
    ? { title: 'Differs from the code (changed outside Terraform, or not applied)', before: 'Actual', after: 'Expected (code)' }
    : { title: 'Changes', before: 'Before', after: 'After' };
}

/** Table rows for resource changes: one per attribute row (or one for a create/delete). */
export function changeTableRows(changes: readonly ResourceReport[], mark: (r: ResourceReport) => string = () => ''): string[] {
  const lines: string[] = [];
  for (const r of changes) {
    const who = `${mark(r)}${resourceCell(r)}`;
    const hidden = r.hiddenDefaults ? ` (+${r.hiddenDefaults} unset ↔ empty default, not shown)` : '';
    if (r.attributes.length === 0) lines.push(`| ${who} | ${r.action}${hidden} | | | |`);
    r.attributes.forEach((a, i) => {
      const attr = `${code(a.path)}${a.forcesReplacement ? ' (forces replacement)' : ''}`;
      lines.push(`| ${who} | ${r.action}${i === 0 ? hidden : ''} | ${attr} | ${valueCell(a, 'before')} | ${valueCell(a, 'after')} |`);
    });
  }
  return lines;
}

/** Every known-gap hit of a report, once, as a collapsed block (nothing when there is none). */
export function knownGapsBlock(stacks: readonly StackReport[]): string[] {
  const hits = stacks.flatMap((s) => s.knownGaps.map((g) => ({ stack: s.stack, ...g })));
  if (hits.length === 0) return [];
  return [
    `<details><summary>${hits.length} known emulator gap${hits.length === 1 ? '' : 's'} (declared in the env file's <code>drift.knownEmulatorGaps</code>; not counted)</summary>`,
    '',
    '| Stack | Resource | Attribute | Why |',
    '| --- | --- | --- | --- |',
    ...hits.map((g) => `| ${code(g.stack)} | ${code(g.address)} | ${code(g.attribute)} | ${text(g.reason)} |`),
    '',
    '</details>',
  ];
}

/** `commit abc1234 · Terraform 1.11.4 · hashicorp/aws 5.100.0 · 2026-12-02 01:00 UTC` */
export function provenanceLine(report: PlanReport): string {
  const parts = [
    report.commit ? `commit ${code(report.commit.slice(0, 12))}` : undefined,
    report.terraformVersion ? `Terraform ${text(report.terraformVersion, 40)}` : undefined,
    ...Object.entries(report.providerVersions).map(([source, version]) => `${text(source.replace(/^registry\.terraform\.io\//, ''), 100)} ${text(version, 40)}`),
    `${report.generatedAt.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC')}`,
  ];
  return parts.filter(Boolean).join(' · ');
}

/** The box that says Cloudflare and tls were not covered (nothing for a full plan). */
export function awsOnlyWarning(report: Pick<PlanReport, 'awsOnly'>): string[] {
  if (!report.awsOnly) return [];
  return [
    '> [!WARNING]',
    '> **AWS part only.** Each stack was planned as its AWS-only projection: Cloudflare and tls resources were removed and are NOT covered by this report.',
    '',
  ];
}

/** The note naming custody stacks this run did not plan, and where their change is reviewed instead. */
export function notPlannedNote(report: Pick<PlanReport, 'notPlanned'>): string[] {
  if (!report.notPlanned?.length) return [];
  return [
    '> [!NOTE]',
    `> **Not planned here: ${report.notPlanned.map((s) => code(s, { table: false })).join(', ')}** (custody: its state holds private keys, which this role cannot read). Review its change as the diff of the synthesized JSON below; it is planned, shown and approved in the deploy workflow before it is applied.`,
    '',
  ];
}

/** The report for people: a job summary, or the body of the PR comment's details. */
export function renderMarkdown(report: PlanReport): string {
  const what = report.mode === 'drift' ? 'Drift' : 'Plan';
  const drifted = report.stacks.some((s) => s.status === 'changes') || (report.checks ?? []).some((c) => c.exitCode === 2);
  const pending = report.mode === 'plan' ? 'changes pending' : drifted ? 'DRIFT DETECTED' : 'not applied yet';
  const verdict = report.exitCode === 0 ? 'no changes' : report.exitCode === 2 ? pending : 'ERROR';
  const lines: string[] = [`## ${what} report: ${code(report.env, { table: false })} — ${verdict}`, ''];
  lines.push(...awsOnlyWarning(report), ...notPlannedNote(report), provenanceLine(report), '');
  lines.push('| Stack | Status | Create | Update | Replace | Delete |', '| --- | --- | ---: | ---: | ---: | ---: |');
  for (const s of report.stacks) {
    const status = s.status === 'changes' && report.mode === 'drift' ? 'DRIFT' : s.waitingFor ? `WAITING (${text(s.waitingFor)})` : STATUS_TEXT[s.status];
    lines.push(`| ${code(s.stack)} | ${status} | ${s.counts.create} | ${s.counts.update} | ${s.counts.replace} | ${s.counts.delete} |`);
  }
  lines.push('', `Exit code ${report.exitCode} (0 = no changes, 2 = ${report.mode === 'drift' ? 'drift' : 'changes'}, 1 = error).`);
  const risks = outageRisks(report);
  if (risks.length > 0) {
    lines.push('', `**${risks.length} outage risk${risks.length === 1 ? '' : 's'}**: replacements and deletions of resources that serve traffic.`, '');
    lines.push(...risks.map((r) => `- ${code(r.stack, { table: false })} ${code(r.address, { table: false })}: ${outageMark(r)}`));
  }
  const titles = sideTitles(report.mode);
  for (const s of report.stacks) {
    if (s.status === 'no-changes' && s.changes.length === 0 && !s.moved?.length) continue;
    lines.push('', `### ${code(s.stack, { table: false })}`);
    if (s.waitingFor) lines.push('', `Not planned: ${text(s.waitingFor)}.`);
    if (s.error) lines.push('', ...fence(s.error, 'text', 4000));
    if (s.changes.length > 0) {
      lines.push('', `**${titles.title}**`, '', `| Resource | Action | Attribute | ${titles.before} | ${titles.after} |`, '| --- | --- | --- | --- | --- |');
      const marked = new Set(stackOutageRisks(s).map((r) => r.address));
      lines.push(...changeTableRows(s.changes, (r) => (marked.has(r.address) ? '**outage risk** ' : '')));
    }
    if (s.moved && s.moved.length > 0) {
      lines.push('', `**Moved in state only** (nothing in the cloud is touched): ${s.moved.length}`, '', '| From | To |', '| --- | --- |');
      lines.push(...s.moved.map((m) => `| ${code(m.from)} | ${code(m.to)} |`));
    }
    if (s.outputs.length > 0) {
      const only = s.status === 'outputs-only' ? ` (outputs only: no resource changes${report.mode === 'drift' ? '; not drift' : ''})` : '';
      lines.push('', `Outputs changing${only}: ${s.outputs.map((o) => code(o, { table: false })).join(', ')}`);
    }
  }
  if (report.checks) lines.push(...renderSections(report.checks));
  const gaps = knownGapsBlock(report.stacks);
  if (gaps.length > 0) lines.push('', ...gaps);
  return `${lines.join('\n')}\n`;
}

/** The report with the live checks' sections added and the exit code combined. */
export function withChecks(report: PlanReport, checks: readonly CheckSection[]): PlanReport {
  return { ...report, checks, exitCode: combinedExit([report.exitCode, ...checks.map((c) => c.exitCode)]) };
}
