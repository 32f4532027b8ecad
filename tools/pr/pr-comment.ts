import {
  awsOnlyWarning,
  notPlannedNote,
  changeTableRows,
  knownGapsBlock,
  provenanceLine,
  sideTitles,
  type PlanReport,
  type ResourceReport,
} from '../plan/plan-report';
import { outageMarkOf } from '../plan/outage-risk';
import { renderReviewMarkdown, type Review } from '../review/review';
import { WEAKENING_TEXT } from '../review/weakenings';
import { isSecurityRelevant } from '../review/security-relevance';
import { code, fence, htmlCode, openFence, text } from '../../lib/markdown';
import { isPlanReportJson, isReviewJson, readJsonInput } from '../cli';

/**
 * The pull-request comment of one environment: a verdict line, then the changes ordered
 * by risk (replacements and deletions of security-relevant resources, then what the
 * review finds weakened, then everything else), details in collapsed blocks, and the
 * review's security view. One comment per environment, found again by its marker.
 */

/** GitHub refuses comment bodies over 65,536 characters; stay well below. */
export const MAX_COMMENT_CHARS = 60_000;

/** The hidden first line that identifies an environment's comment (and drift issue) for updates. */
export function commentMarker(kind: 'plan' | 'drift', env: string): string {
  return `<!-- edge-mtls-cdktf:${kind}:${env} -->`;
}

export interface PrCommentInput {
  readonly plan: PlanReport;
  /** The review of the environment's stacks against the PR's base. @default none: the comment says so */
  readonly review?: Review;
  /** Where the full reports are (the workflow run's artifacts). @default none */
  readonly artifactUrl?: string;
  /** @default MAX_COMMENT_CHARS */
  readonly maxChars?: number;
}

export type RiskTier = 'outage-risk' | 'security-removal' | 'weakening' | 'other';

/** A change in the comment's risk list. */
export interface RiskItem {
  readonly tier: RiskTier;
  readonly stack: string;
  readonly address: string;
  readonly constructPath?: string;
  /** `replace`, `delete`, `update`... or the weakening's kind. */
  readonly what: string;
  /** Already rendered Markdown (lib/markdown): attribute paths as code spans, a weakening's message as text. */
  readonly detail: string;
}

const REMOVALS = new Set(['replace', 'delete']);


function changeDetail(r: ResourceReport): string {
  const forcing = r.attributes.filter((a) => a.forcesReplacement).map((a) => code(a.path));
  if (r.action === 'replace') return forcing.length > 0 ? `replaced because of ${forcing.join(', ')}` : 'replaced';
  if (r.action === 'delete') return 'destroyed';
  if (r.action === 'create') return 'created';
  return r.attributes.length > 0 ? r.attributes.map((a) => code(a.path)).join(', ') : r.action;
}

/** Every change and weakening, in risk order; within a tier by stack and address. */
export function riskItems(plan: PlanReport, review?: Review): RiskItem[] {
  const items: RiskItem[] = [];
  for (const s of plan.stacks) {
    for (const r of s.changes) {
      const outage = outageMarkOf(s.stack, r);
      const tier: RiskTier = outage ? 'outage-risk' : REMOVALS.has(r.action) && isSecurityRelevant(r.type) ? 'security-removal' : 'other';
      items.push({ tier, stack: s.stack, address: r.address, ...(r.constructPath ? { constructPath: r.constructPath } : {}), what: r.action, detail: outage ?? changeDetail(r) });
    }
  }
  for (const s of review?.stacks ?? []) {
    for (const w of s.weakenings) items.push({ tier: 'weakening', stack: w.stack, address: w.address, what: WEAKENING_TEXT[w.kind], detail: text(w.message) });
  }
  const order: RiskTier[] = ['outage-risk', 'security-removal', 'weakening', 'other'];
  return items.sort((a, b) => order.indexOf(a.tier) - order.indexOf(b.tier) || a.stack.localeCompare(b.stack) || a.address.localeCompare(b.address));
}

const TIER_TITLE: Record<RiskTier, string> = {
  'outage-risk': 'Outage risk: replacements and deletions of resources that serve traffic',
  'security-removal': 'Replacements and deletions of security-relevant resources',
  weakening: 'Weakened against the base (found by the review)',
  other: 'Other changes',
};

/** `dev`: the verdict in one line, with the counts that matter. */
export function verdictLine(plan: PlanReport, items: readonly RiskItem[], review?: Review): string {
  const findings = review?.stacks.reduce((n, s) => n + s.findings.length, 0) ?? 0;
  const urgent = items.filter((i) => i.tier !== 'other').length + findings;
  const outages = items.filter((i) => i.tier === 'outage-risk').length;
  const outageNote = outages > 0 ? ` — 🛑 ${outages} **outage risk${outages === 1 ? '' : 's'}**` : '';
  const errored = plan.stacks.filter((s) => s.status === 'error').map((s) => code(s.stack, { table: false }));
  const totals = (['create', 'update', 'replace', 'delete'] as const)
    .map((a) => [a, plan.stacks.reduce((n, s) => n + s.counts[a], 0)] as const)
    .filter(([, n]) => n > 0)
    .map(([a, n]) => `${n} to ${a}`);
  const head = `**Plan ${code(plan.env, { table: false })}**`;
  if (errored.length > 0) return `${head}: ❌ ERROR in ${errored.join(', ')}${totals.length ? `; ${totals.join(', ')} elsewhere` : ''}`;
  const state = plan.exitCode === 0 ? '✅ no changes' : `changes: ${totals.join(', ') || 'outputs only'}`;
  return `${head}: ${state}${outageNote}${urgent > 0 ? ` — ⚠️ ${urgent} to review first` : ' — nothing security-relevant removed or weakened'}`;
}

function riskTable(items: readonly RiskItem[], tier: RiskTier): string[] {
  const rows = items.filter((i) => i.tier === tier);
  if (rows.length === 0) return [];
  const mark = tier === 'other' ? '' : tier === 'outage-risk' ? '🛑 ' : '⚠️ ';
  return [
    `**${TIER_TITLE[tier]}** (${rows.length})`,
    '',
    '| Stack | Resource | Change | Detail |',
    '| --- | --- | --- | --- |',
    ...rows.map((i) => `| ${code(i.stack)} | ${mark}${code(i.address)}${i.constructPath ? `<br><sub>${text(i.constructPath)}</sub>` : ''} | ${text(i.what)} | ${i.detail} |`),
    '',
  ];
}

function details(summary: string, body: readonly string[]): string[] {
  return [`<details><summary>${summary}</summary>`, '', ...body, '', '</details>', ''];
}

function attributeDetails(plan: PlanReport): string[] {
  const titles = sideTitles(plan.mode);
  const out: string[] = [];
  for (const s of plan.stacks) {
    if (s.error) out.push(...details(`${htmlCode(s.stack)}: error`, fence(s.error, 'text', 4000)));
    if (s.changes.length === 0) continue;
    out.push(
      ...details(`${htmlCode(s.stack)}: ${s.changes.length} resource change${s.changes.length === 1 ? '' : 's'}, attribute by attribute`, [
        `| Resource | Action | Attribute | ${titles.before} | ${titles.after} |`,
        '| --- | --- | --- | --- | --- |',
        ...changeTableRows(s.changes, (r) => (outageMarkOf(s.stack, r) ? '🛑 **outage risk** ' : REMOVALS.has(r.action) && isSecurityRelevant(r.type) ? '⚠️ ' : '')),
      ]),
    );
  }
  return out;
}

function reviewDetails(review: Review | undefined): string[] {
  if (!review) return ['_No review of the synthesized Terraform was attached to this run._', ''];
  const marks = review.stacks.reduce((n, s) => n + s.findings.length + s.weakenings.length, 0);
  const body = renderReviewMarkdown(review).replace(/^## .*\n/, '').trim().split('\n');
  return details(`Security view of the synthesized Terraform (review${review.base ? ` against ${htmlCode(review.base)}` : ''}): ${marks === 0 ? 'no policy finding, nothing weakened' : `⚠️ ${marks} marked`}`, body);
}

/** The whole comment body, cut to `maxChars` with a pointer to the artifact when too long. */
export function renderPrComment(input: PrCommentInput): string {
  const { plan, review } = input;
  const max = input.maxChars ?? MAX_COMMENT_CHARS;
  const items = riskItems(plan, review);
  const head = [commentMarker('plan', plan.env), verdictLine(plan, items, review), '', ...awsOnlyWarning(plan), ...notPlannedNote(plan), `<sub>${provenanceLine(plan)}</sub>`, ''];
  const tiers = [...riskTable(items, 'outage-risk'), ...riskTable(items, 'security-removal'), ...riskTable(items, 'weakening'), ...riskTable(items, 'other')];
  const tail = [...attributeDetails(plan), ...reviewDetails(review), ...knownGapsBlock(plan.stacks)];
  const where = input.artifactUrl ? `[the full report](${input.artifactUrl})` : 'the full report in the workflow run\'s artifacts';
  const full = [...head, ...tiers, ...tail].join('\n');
  if (full.length <= max) return `${full.trimEnd()}\n`;
  // Too long: keep the verdict and the risk-ordered list, drop details from the end.
  const note = `_Truncated to fit a comment; see ${where}._`;
  const kept: string[] = [...head];
  for (const line of [...tiers, ...tail]) {
    if ([...kept, line, '', note].join('\n').length > max - 40) break;
    kept.push(line);
  }
  // Never leave a collapsed block open: close every one the cut fell inside (the review's
  // security view nests a block per stack inside its own).
  const open = kept.filter((l) => l.startsWith('<details>')).length - kept.filter((l) => l === '</details>').length;
  const fenced = openFence(kept);
  const closing = Array.from({ length: Math.max(0, open) }, () => ['', '</details>']).flat();
  return `${[...kept, ...(fenced ? [fenced] : []), ...closing, '', note].join('\n')}\n`;
}

/** The files `npm run pr-comment` reads: the JSON reports of `npm run plan -- --json` and `npm run review -- --json`. */
export interface PrCommentFiles {
  readonly plan: string;
  readonly review?: string;
  readonly artifactUrl?: string;
}

/**
 * `npm run pr-comment`'s rendering, from its files: each is read bounded and checked for
 * the report's shape first, so Terraform's own plan JSON (`terraform show -json`) or a
 * review in place of a plan is one line naming the option and what it expects.
 */
export function renderPrCommentFromFiles(files: PrCommentFiles): { plan: PlanReport; body: string } {
  const plan = readJsonInput(files.plan, '--plan', isPlanReportJson, 'the JSON report of npm run plan -- --json') as PlanReport;
  const review = files.review ? (readJsonInput(files.review, '--review', isReviewJson, 'the JSON report of npm run review -- --json') as Review) : undefined;
  return { plan, body: renderPrComment({ plan, review, artifactUrl: files.artifactUrl }) };
}
