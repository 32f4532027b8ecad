/**
 * The sections the live checks add to a drift report (tools/drift/checks.ts runs them):
 * each with the same exit-code rule (1 could not run, 2 a finding, 0 clean). Kept free of
 * clients so the report renderers can import it.
 */
import { code, text as quoted } from '../../lib/markdown';
import type { PlanReport } from '../plan/plan-report';
import type { EdgeAuditReport } from './edge-audit';
import type { LiveReport } from './live-aws';

export type CheckName = 'live-aws' | 'edge-audit' | 'bypass' | 'custody-drift';

export interface CheckFinding {
  /** The live resource, named as the check names it (stack/address and id, zone and hostname). */
  readonly resource: string;
  /** The attribute, field or kind that differs. */
  readonly what: string;
  readonly expected?: string;
  readonly actual?: string;
  readonly fix: string;
}

export interface CheckSection {
  readonly check: CheckName;
  readonly exitCode: 0 | 1 | 2;
  readonly findings: readonly CheckFinding[];
  /** Why the check did not run here (an emulator without Cloudflare): a gap, not a finding. @default none */
  readonly gap?: string;
  /** The one-line reason it could not run (exit 1). @default none */
  readonly error?: string;
  readonly notes: readonly string[];
  /** What it read, for an empty section to show it looked. */
  readonly inspected: string;
}

const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function liveSection(r: LiveReport): CheckSection {
  return {
    check: 'live-aws',
    exitCode: r.findings.length > 0 ? 2 : 0,
    findings: r.findings.map((f) => ({ resource: f.resource, what: `${f.check}: ${f.attribute}`, expected: f.expected, actual: f.actual, fix: f.fix })),
    notes: r.notes,
    inspected: Object.entries(r.checked).map(([k, n]) => `${k} ${n}`).join(', '),
  };
}

export function edgeSection(r: EdgeAuditReport): CheckSection {
  return {
    check: 'edge-audit',
    exitCode: r.gap ? 0 : r.findings.length > 0 ? 2 : 0,
    findings: r.findings.map((f) => ({ resource: `${f.resource}${f.zone ? ` zone ${f.zone}` : ''}${f.hostname ? ` hostname ${f.hostname}` : ''}`, what: f.field, expected: text(f.expected), actual: text(f.actual), fix: f.fix })),
    ...(r.gap ? { gap: r.gap } : {}),
    notes: r.notes,
    inspected: `${r.checked.length} live fields`,
  };
}

export function errorSection(check: CheckName, e: unknown): CheckSection {
  return { check, exitCode: 1, findings: [], error: (e as Error).message.split('\n')[0], notes: [], inspected: 'nothing (could not run)' };
}

/** The combined exit code: 1 when anything could not run, else 2 when anything drifted, else 0. */
export function combinedExit(codes: ReadonlyArray<0 | 1 | 2 | number>): 0 | 1 | 2 {
  return codes.some((c) => c === 1) ? 1 : codes.some((c) => c === 2) ? 2 : 0;
}

const TITLE: Record<CheckName, string> = { 'live-aws': 'Live AWS checks', 'edge-audit': 'Edge live audit', bypass: 'Bypass check', 'custody-drift': 'Custody stack drift' };
/** Every value a finding quotes comes from live resources: rendered as text, never as markup. */
const cell = (s: string | undefined) => quoted(s ?? '');

/** Each section as Markdown: what it read, each finding with what to do, gaps and notes. */
export function renderSections(sections: readonly CheckSection[]): string[] {
  const lines: string[] = [];
  for (const s of sections) {
    lines.push('', `### ${TITLE[s.check]}: ${s.error ? 'ERROR' : s.gap ? 'not run (known gap)' : s.findings.length > 0 ? `${s.findings.length} finding${s.findings.length === 1 ? '' : 's'}` : 'clean'}`, '');
    if (s.error) lines.push(`Could not run: ${quoted(s.error)}`);
    else if (s.gap) lines.push(`Not run: ${quoted(s.gap)}. A known gap, not counted.`);
    else lines.push(`Read: ${quoted(s.inspected)}.`);
    if (s.findings.length > 0) {
      lines.push('', '| Resource | What | Expected (code) | Actual | What to do |', '| --- | --- | --- | --- | --- |');
      for (const f of s.findings) lines.push(`| ${cell(f.resource)} | ${code(f.what)} | ${cell(f.expected)} | ${cell(f.actual)} | ${cell(f.fix)} |`);
    }
    if (s.notes.length > 0) lines.push('', ...s.notes.map((n) => `- note: ${quoted(n)}`));
  }
  return lines;
}


/** The bypass check's JSON report (`npm run drift -- --bypass --json FILE`) as a section of the drift report. */
export function bypassSection(json: { bypass?: Array<{ kind: string; resource: string; why: string; fix: string; declared?: boolean }>; gaps?: Array<{ what: string; reason: string }>; inspected?: Record<string, number> }): CheckSection {
  const findings = json.bypass ?? [];
  return {
    check: 'bypass',
    exitCode: findings.length > 0 ? 2 : 0,
    findings: findings.map((f) => ({ resource: `${f.resource}${f.declared ? ' (ours)' : ''}`, what: f.kind, actual: f.why, fix: f.fix })),
    notes: (json.gaps ?? []).map((g) => `known gap, not counted: ${g.what}: ${g.reason}`),
    inspected: Object.entries(json.inspected ?? {}).map(([k, n]) => `${n} ${k}`).join(', '),
  };
}

/**
 * The custody stack's drift (`npm run drift -- --stack pki --json FILE`, run with the
 * custody-drift role, which alone can read its state) as a section of the environment's
 * drift report: the nightly job that opens the issue runs with a role that cannot.
 */
export function custodySection(report: Pick<PlanReport, 'exitCode' | 'stacks'>): CheckSection {
  const findings: CheckFinding[] = report.stacks.flatMap((s) =>
    s.status === 'error'
      ? []
      : s.changes.map((c) => ({
          resource: `${s.stack}/${c.address}`,
          what: c.action,
          fix: 'a key-bearing resource changed outside Terraform: find out who changed it (CloudTrail, the Cloudflare audit log) before the deploy workflow puts it back',
        })),
  );
  const errors = report.stacks.filter((s) => s.status === 'error').map((s) => `${s.stack}: ${(s.error ?? 'plan failed').split('\n')[0]}`);
  return {
    check: 'custody-drift',
    exitCode: errors.length > 0 ? 1 : findings.length > 0 ? 2 : 0,
    findings,
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
    notes: [],
    inspected: report.stacks.map((s) => s.stack).join(', ') || 'no custody stack',
  };
}
