import { text } from '../../lib/markdown';
import type { Finding } from './findings';

/** Something the check could not look at, and why (an emulator gap): listed, never counted. */
export interface BypassGap {
  readonly what: string;
  readonly reason: string;
}

/** Bypass report: what was checked and every finding. */
export interface BypassReport {
  readonly environment: string;
  readonly findings: readonly Finding[];
  /** Known gaps (emulator): reported, not findings. @default none */
  readonly gaps?: readonly BypassGap[];
  /** What each collector looked at, e.g. `{ "dns records": 12 }`, so an empty report shows it looked. */
  readonly inspected: Readonly<Record<string, number>>;
}

/** Untrusted text (names and errors from the APIs) through the one Markdown renderer. */
const cell = (s: string) => text(s);

export function renderBypassMarkdown(r: BypassReport): string {
  const counts = Object.entries(r.inspected).map(([k, n]) => `${n} ${k}`).join(', ');
  const head = `## Bypass check: ${r.environment}\n\nInspected ${counts}.\n\n`;
  const gaps = (r.gaps ?? []).length > 0 ? `\n<details><summary>${r.gaps!.length} known gap${r.gaps!.length === 1 ? '' : 's'} (not counted)</summary>\n\n${r.gaps!.map((g) => `- ${g.what}: ${g.reason}`).join('\n')}\n\n</details>\n` : '';
  if (r.findings.length === 0) return `${head}No resource reaches the origin around mTLS.\n${gaps}`;
  const rows = r.findings.map((f) => `| ${f.kind} | ${cell(f.resource)}${f.declared ? ' (ours: in the state)' : ''} | ${cell(f.why)} | ${cell(f.fix)} |`);
  return `${head}**${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}** reach the origin around mTLS.\n\n| kind | resource | why it bypasses mTLS | what to do |\n|---|---|---|---|\n${rows.join('\n')}\n${gaps}`;
}

/** JSON form; `bypass` is the key the drift report uses for it. */
export function renderBypassJson(r: BypassReport): string {
  return `${JSON.stringify({ schemaVersion: 1, kind: 'bypass', environment: r.environment, inspected: r.inspected, gaps: r.gaps ?? [], bypass: r.findings }, null, 2)}\n`;
}
