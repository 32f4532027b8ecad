import { comparePaths, diffLeaves, markedAt, splitPath } from '../tf-json/json-paths';
import { formatValue, markdownCell as cell } from '../tf-json/format';

/**
 * From `terraform show -json <planfile>` to a report a person reads in a minute and a
 * pipeline can act on. Everything here is pure: the runner (tools/plan/plan-runner.ts) feeds
 * it what Terraform printed, the tests feed it recorded fixtures.
 */

export type PlanMode = 'plan' | 'drift';
export type ResourceAction = 'create' | 'update' | 'replace' | 'delete' | 'read' | 'forget';
export type StackStatus = 'no-changes' | 'changes' | 'error';

/** Shown in place of every value Terraform marks sensitive. */
export const SENSITIVE = '(sensitive)';
/** Shown for values Terraform will only know after apply. */
export const UNKNOWN = '(known after apply)';

export interface AttributeChange {
  /** Attribute path inside the resource, e.g. `versioning_configuration[0].status`. */
  readonly path: string;
  /** Rendered value before (state), `unset` when there was none, `(sensitive)` when masked. */
  readonly before: string;
  /** Rendered value after (plan or reality). */
  readonly after: string;
  /** Set when changing this attribute is why the resource is replaced. */
  readonly forcesReplacement?: boolean;
}

export interface ResourceReport {
  readonly address: string;
  readonly type: string;
  readonly action: ResourceAction;
  /** Changed attributes (updates, replacements and drift; empty for create/delete). */
  readonly attributes: readonly AttributeChange[];
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
  /** Differences matching a known emulator gap of the environment: shown, not counted. */
  readonly knownGaps: readonly KnownGapHit[];
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

export interface PlanReport {
  readonly mode: PlanMode;
  readonly env: string;
  /** True when only the AWS-only projection of each stack was planned: Cloudflare and tls are NOT covered. */
  readonly awsOnly: boolean;
  readonly stacks: readonly StackReport[];
  /** 0 = no changes anywhere, 2 = changes or drift in some stack, 1 = some stack errored. */
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
}

/** The parts of Terraform's JSON plan representation (format 1.x) the report reads. */
export interface TerraformPlanJson {
  readonly format_version?: string;
  readonly resource_changes?: readonly TerraformResourceChange[];
  readonly output_changes?: Readonly<Record<string, { actions: readonly string[] }>>;
  readonly errored?: boolean;
}

export interface TerraformResourceChange {
  readonly address: string;
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

const render = (value: unknown): string => formatValue(value, MAX_VALUE_CHARS);

/** Attribute-level differences of one resource change, with sensitive values masked. */
export function attributeChanges(change: TerraformResourceChange['change']): AttributeChange[] {
  const replacePaths = (change.replace_paths ?? []).map((p) => p.map((k) => (typeof k === 'number' ? `[${k}]` : k)));
  const forces = (path: string): boolean => {
    const keys = splitPath(path).map((k) => (typeof k === 'number' ? `[${k}]` : k));
    return replacePaths.some((rp) => rp.length <= keys.length && rp.every((k, i) => k === keys[i]));
  };
  // A value sensitive on either side is masked on both: the other side would tell it.
  const sensitive = (path: string): boolean => markedAt(change.before_sensitive, path) || markedAt(change.after_sensitive, path);
  const entry = (path: string, before: unknown, after: unknown): AttributeChange => ({
    path,
    before: sensitive(path) ? SENSITIVE : render(before),
    after: sensitive(path) ? SENSITIVE : markedAt(change.after_unknown, path) ? UNKNOWN : render(after),
    ...(forces(path) ? { forcesReplacement: true } : {}),
  });
  const out = diffLeaves(change.before ?? {}, change.after ?? {}).map((leaf) => entry(leaf.path, leaf.before, leaf.after));
  // An attribute unknown until apply and absent from both sides is invisible to the leaf diff.
  for (const [path, marked] of Object.entries((change.after_unknown ?? {}) as Record<string, unknown>)) {
    if (marked === true && !out.some((a) => a.path === path)) out.push(entry(path, (change.before as Record<string, unknown> | null)?.[path], undefined));
  }
  return out.sort((a, b) => comparePaths(a.path, b.path));
}

function resourceReports(changes: readonly TerraformResourceChange[] | undefined): ResourceReport[] {
  const out: ResourceReport[] = [];
  for (const rc of changes ?? []) {
    const action = actionOf(rc.change.actions);
    if (!action) continue;
    // Data sources are read on every plan; that is not a change anyone acts on.
    if (rc.mode === 'data' || action === 'read') continue;
    out.push({
      address: rc.address,
      type: rc.type,
      action,
      attributes: action === 'update' || action === 'replace' ? attributeChanges(rc.change) : [],
    });
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

function coveredBy(gap: KnownGap, resource: ResourceReport, path: string): boolean {
  if (gap.attribute === undefined) return false;
  return gap.resourceType === resource.type && (path === gap.attribute || path.startsWith(`${gap.attribute}.`) || path.startsWith(`${gap.attribute}[`));
}

/**
 * Splits the attribute changes that known emulator gaps explain from the rest. Only
 * in-place updates and replacements can be explained: a resource to create or delete
 * is always a real difference.
 */
function withoutKnownGaps(changes: readonly ResourceReport[], gaps: readonly KnownGap[]): { changes: ResourceReport[]; hits: KnownGapHit[] } {
  const hits: KnownGapHit[] = [];
  const kept: ResourceReport[] = [];
  for (const r of changes) {
    if ((r.action !== 'update' && r.action !== 'replace') || r.attributes.length === 0) {
      kept.push(r);
      continue;
    }
    const remaining = r.attributes.filter((a) => {
      const gap = gaps.find((g) => coveredBy(g, r, a.path));
      if (gap) hits.push({ address: r.address, attribute: a.path, reason: gap.reason });
      return gap === undefined;
    });
    if (remaining.length > 0) kept.push({ ...r, attributes: remaining });
  }
  return { changes: kept, hits };
}

/** One stack's report from what the runner collected. */
export function stackReport(result: StackPlanResult, knownGaps: readonly KnownGap[] = []): StackReport {
  const counts = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<ResourceAction, number>;
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
  const { changes, hits } = withoutKnownGaps(resourceReports(plan.resource_changes), knownGaps);
  for (const r of changes) counts[r.action]++;
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, c]) => actionOf(c.actions) !== undefined)
    .map(([name]) => name)
    .sort();
  // Terraform's exit code is the verdict and the JSON the explanation, except that
  // differences explained entirely by known emulator gaps do not count.
  const explainedByGaps = hits.length > 0 && changes.length === 0 && outputs.length === 0;
  return {
    stack: result.stack,
    status: result.exitCode === 2 && !explainedByGaps ? 'changes' : 'no-changes',
    changes,
    outputs,
    counts,
    knownGaps: hits,
  };
}

export function buildReport(input: {
  mode: PlanMode;
  env: string;
  awsOnly: boolean;
  results: readonly StackPlanResult[];
  /** The environment's `drift.knownEmulatorGaps`. @default none */
  knownGaps?: readonly KnownGap[];
}): PlanReport {
  const stacks = input.results.map((r) => stackReport(r, input.knownGaps)).sort((a, b) => (a.stack < b.stack ? -1 : 1));
  const exitCode = stacks.some((s) => s.status === 'error') ? 1 : stacks.some((s) => s.status === 'changes') ? 2 : 0;
  return { mode: input.mode, env: input.env, awsOnly: input.awsOnly, stacks, exitCode };
}

/** The report for machines: stable key order, no rendering decisions. */
export function renderJson(report: PlanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const STATUS_TEXT: Record<StackStatus, string> = { 'no-changes': 'no changes', changes: 'CHANGES', error: 'ERROR' };

/** The report for people: a PR comment or a job summary. */
export function renderMarkdown(report: PlanReport): string {
  const what = report.mode === 'drift' ? 'Drift' : 'Plan';
  const verdict = report.exitCode === 0 ? 'no changes' : report.exitCode === 2 ? (report.mode === 'drift' ? 'DRIFT DETECTED' : 'changes pending') : 'ERROR';
  const lines: string[] = [`## ${what} report: \`${report.env}\` — ${verdict}`, ''];
  if (report.awsOnly) {
    lines.push(
      '> [!WARNING]',
      '> **AWS part only.** Each stack was planned as its AWS-only projection: Cloudflare and tls resources were removed and are NOT covered by this report.',
      '',
    );
  }
  lines.push('| Stack | Status | Create | Update | Replace | Delete |', '| --- | --- | ---: | ---: | ---: | ---: |');
  for (const s of report.stacks) {
    const status = s.status === 'changes' && report.mode === 'drift' ? 'DRIFT' : STATUS_TEXT[s.status];
    lines.push(`| \`${s.stack}\` | ${status} | ${s.counts.create} | ${s.counts.update} | ${s.counts.replace} | ${s.counts.delete} |`);
  }
  lines.push('', `Exit code ${report.exitCode} (0 = no changes, 2 = ${report.mode === 'drift' ? 'drift' : 'changes'}, 1 = error).`);
  for (const s of report.stacks) {
    if (s.status === 'no-changes' && s.changes.length === 0 && s.knownGaps.length === 0) continue;
    lines.push('', `### \`${s.stack}\``);
    if (s.error) lines.push('', '```text', s.error.slice(0, 4000), '```');
    if (s.changes.length > 0) {
      const [title, before, after] =
        report.mode === 'drift'
          ? ['Differs from the code (changed outside Terraform, or not applied)', 'Actual', 'Expected (code)']
          : ['Changes', 'Before', 'After'];
      lines.push('', `**${title}**`, '', `| Resource | Action | Attribute | ${before} | ${after} |`, '| --- | --- | --- | --- | --- |');
      for (const r of s.changes) {
        if (r.attributes.length === 0) lines.push(`| \`${r.address}\` | ${r.action} | | | |`);
        for (const a of r.attributes) {
          const attr = `\`${cell(a.path)}\`${a.forcesReplacement ? ' (forces replacement)' : ''}`;
          lines.push(`| \`${r.address}\` | ${r.action} | ${attr} | \`${cell(a.before)}\` | \`${cell(a.after)}\` |`);
        }
      }
    }
    if (s.outputs.length > 0) lines.push('', `Outputs changing: ${s.outputs.map((o) => `\`${o}\``).join(', ')}`);
    if (s.knownGaps.length > 0) {
      lines.push('', '**Known emulator gaps (listed in the env file; not counted)**', '', '| Resource | Attribute | Why |', '| --- | --- | --- |');
      for (const g of s.knownGaps) lines.push(`| \`${g.address}\` | \`${cell(g.attribute)}\` | ${cell(g.reason)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
