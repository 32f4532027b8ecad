import { changeTableRows, knownGapsBlock, provenanceLine, awsOnlyWarning, type PlanReport } from '../plan/plan-report';
import { code, fence } from '../../lib/markdown';
import { renderSections } from './sections';
import { commentMarker, MAX_COMMENT_CHARS } from '../pr/pr-comment';
import type { GitHubClient, GitHubIssue } from '../github/client';

/**
 * What the nightly drift job tells people: one GitHub issue per environment that stays
 * open while drift (or a failing check) persists and is closed when the environment is
 * clean again, or a message to a webhook. The GitHub side is behind `GitHubClient`, so
 * tests run it against a fake API.
 */

/** The label every drift issue carries; the marker in the body tells environments apart. */
export const DRIFT_LABEL = 'drift';

export interface DriftContext {
  /** The workflow run that found it (`$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID`). @default none */
  readonly runUrl?: string;
  /** The last applied commit the drift was planned from (tag `applied/<env>`). @default none */
  readonly appliedRef?: string;
  /** Commits merged but not yet applied, which are pending changes and not drift. @default 0 */
  readonly pendingCommits?: number;
}

export function driftIssueTitle(env: string): string {
  return `Drift in ${env}`;
}

/** The state the issue tracks: drift, a check that could not run, or clean. */
export function driftState(report: PlanReport): 'drift' | 'error' | 'clean' {
  return report.exitCode === 2 ? 'drift' : report.exitCode === 1 ? 'error' : 'clean';
}

/** The issue body: marker, verdict, what drifted (one row per rule or attribute), where the full report is. */
export function renderDriftIssue(report: PlanReport, context: DriftContext = {}): string {
  const state = driftState(report);
  const drifted = report.stacks.filter((s) => s.changes.length > 0);
  const errored = report.stacks.filter((s) => s.status === 'error');
  const checks = report.checks ?? [];
  const found = checks.filter((c) => c.exitCode === 2).map((c) => `${c.findings.length} ${c.check}`);
  const failed = checks.filter((c) => c.exitCode === 1).map((c) => c.check);
  const lines = [
    commentMarker('drift', report.env),
    state === 'drift'
      ? `**\`${report.env}\` differs from its last applied code**${drifted.length > 0 ? ` in ${drifted.length} stack${drifted.length === 1 ? '' : 's'}: ${drifted.map((s) => `\`${s.stack}\``).join(', ')}` : ''}${found.length > 0 ? `${drifted.length > 0 ? ';' : ':'} live checks found ${found.join(', ')}` : ''}.`
      : state === 'error'
        ? `**The drift check of \`${report.env}\` could not run** for ${[...errored.map((s) => `\`${s.stack}\``), ...failed.map((c) => `the ${c} check`)].join(', ')}.`
        : `**\`${report.env}\` matches its last applied code.**`,
    '',
    ...awsOnlyWarning(report),
    `Last checked: ${provenanceLine(report)}${context.runUrl ? ` · [run](${context.runUrl})` : ''}`,
    '',
    context.appliedRef
      ? `Planned from \`${context.appliedRef}\` (the last applied commit)${context.pendingCommits ? `; ${context.pendingCommits} merged commit${context.pendingCommits === 1 ? ' is' : 's are'} not applied yet and are not counted as drift` : ''}.`
      : 'Planned from the checked-out commit (no `applied/<env>` tag found): merged but unapplied changes show as drift.',
    '',
  ];
  for (const s of drifted) {
    lines.push(`### \`${s.stack}\``, '', '| Resource | Action | Attribute | Actual | Expected (code) |', '| --- | --- | --- | --- | --- |', ...changeTableRows(s.changes), '');
  }
  for (const s of errored) lines.push(`### ${code(s.stack, { table: false })}: error`, '', ...fence(s.error ?? '', 'text', 3000), '');
  if (checks.length > 0) lines.push(...renderSections(checks), '');
  lines.push(...knownGapsBlock(report.stacks));
  lines.push(
    '',
    'To resolve: put the resource back with a targeted apply of the stack (`terraform apply -target=<address>` in the deploy workflow), or adopt the change in code and apply it. This issue is updated by every nightly run and closed by the first clean one.',
  );
  const body = `${lines.join('\n').trimEnd()}\n`;
  if (body.length <= MAX_COMMENT_CHARS) return body;
  return `${body.slice(0, MAX_COMMENT_CHARS - 200).replace(/\n[^\n]*$/, '')}\n\n_Truncated; the full report is in the run's artifacts${context.runUrl ? ` (${context.runUrl})` : ''}._\n`;
}

export type IssueAction = { action: 'opened' | 'updated' | 'closed'; issue: number } | { action: 'none' };

/** The open drift issue of an environment, by the marker in its body. */
async function findIssue(client: GitHubClient, env: string): Promise<GitHubIssue | undefined> {
  const marker = commentMarker('drift', env);
  return (await client.listOpenIssues(DRIFT_LABEL)).find((i) => i.body?.startsWith(marker));
}

/** Opens, updates or closes the environment's drift issue to match the report. */
export async function syncDriftIssue(client: GitHubClient, report: PlanReport, context: DriftContext = {}): Promise<IssueAction> {
  const open = await findIssue(client, report.env);
  const body = renderDriftIssue(report, context);
  if (driftState(report) === 'clean') {
    if (!open) return { action: 'none' };
    await client.createComment(open.number, `${body}\nClosing: the environment is clean again${context.runUrl ? ` ([run](${context.runUrl}))` : ''}.`);
    await client.updateIssue(open.number, { state: 'closed', state_reason: 'completed' });
    return { action: 'closed', issue: open.number };
  }
  if (open) {
    await client.updateIssue(open.number, { body });
    return { action: 'updated', issue: open.number };
  }
  const created = await client.createIssue({ title: driftIssueTitle(report.env), body, labels: [DRIFT_LABEL] });
  return { action: 'opened', issue: created.number };
}

/** The webhook message: Slack-compatible `text`, plus fields for other receivers. */
export function webhookPayload(report: PlanReport, context: DriftContext = {}): Record<string, unknown> {
  const state = driftState(report);
  const stacks = report.stacks.filter((s) => s.status !== 'no-changes').map((s) => s.stack);
  const text =
    state === 'clean'
      ? `Drift check of ${report.env}: clean.`
      : `${state === 'drift' ? 'Drift detected' : 'Drift check failed'} in ${report.env}: ${stacks.join(', ')}${context.runUrl ? ` — ${context.runUrl}` : ''}`;
  return { text, env: report.env, state, stacks, runUrl: context.runUrl, generatedAt: report.generatedAt, commit: report.commit };
}

/** Posts the message; a receiver that does not answer 2xx within 30 s is an error. */
export async function postWebhook(url: string, payload: Record<string, unknown>, fetcher: typeof fetch = globalThis.fetch): Promise<void> {
  if (!/^https?:\/\//.test(url)) throw new Error(`webhook URL must be http(s), got ${JSON.stringify(url.slice(0, 40))}`);
  const response = await fetcher(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`webhook answered ${response.status}`);
}
