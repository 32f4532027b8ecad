import type { ResolvedEnvironment } from '../../envs/resolve';
import type { StackJson } from '../synth/synth-json';
import { evaluate, Finding, PolicyStack, Rule } from './engine';
import { ALL_RULES } from './rules';
import { applySuppressions, loadSuppressions, Suppression } from './suppressions';
import { isStackOf } from '../../lib/naming';

export interface PolicyReport {
  readonly stacks: readonly string[];
  /** Every finding, suppressed ones marked with `suppressedBy`. */
  readonly findings: readonly Finding[];
  /** Suppressions that matched no finding: stale, to be removed. */
  readonly unusedSuppressions: readonly Suppression[];
  /** True when no finding is left unsuppressed. */
  readonly passed: boolean;
}

export interface PolicyOptions {
  readonly rules?: readonly Rule[];
  /** @default tools/policy/suppressions.yaml */
  readonly suppressionsFile?: string;
  /** For tests of expiry. @default now */
  readonly today?: Date;
}

/** Ties each stack to the environment it was built from (`dev-origin` -> dev). */
export function policyStacks(stacks: ReadonlyMap<string, StackJson>, environments: readonly ResolvedEnvironment[]): PolicyStack[] {
  return [...stacks].map(([name, json]) => new PolicyStack(name, json, environments.find((e) => isStackOf(name, e.config.name))?.config));
}

/** Checks synthesized stacks against every rule, applying the suppressions file. */
export function checkPolicy(stacks: readonly PolicyStack[], options: PolicyOptions = {}): PolicyReport {
  const rules = options.rules ?? ALL_RULES;
  const suppressions = loadSuppressions({ file: options.suppressionsFile, ruleIds: rules.map((r) => r.id), today: options.today });
  const { findings, unused } = applySuppressions(evaluate(rules, stacks), suppressions, stacks.map((s) => s.name));
  return {
    stacks: stacks.map((s) => s.name),
    findings,
    unusedSuppressions: unused,
    passed: findings.every((f) => f.suppressedBy),
  };
}

/** A readable table: one block per finding, then a summary line. */
export function formatReport(report: PolicyReport): string {
  const open = report.findings.filter((f) => !f.suppressedBy);
  const suppressed = report.findings.filter((f) => f.suppressedBy);
  const lines: string[] = [];
  const row = (cells: string[]) => lines.push(cells.join('  '));
  if (open.length > 0) {
    const w = [Math.max(5, ...open.map((f) => f.stack.length)), Math.max(4, ...open.map((f) => f.ruleId.length))];
    row(['STACK'.padEnd(w[0]), 'RULE'.padEnd(w[1]), 'RESOURCE / PROBLEM / FIX']);
    for (const f of open) {
      row([f.stack.padEnd(w[0]), f.ruleId.padEnd(w[1]), f.address]);
      row([''.padEnd(w[0]), ''.padEnd(w[1]), `  problem: ${f.message}`]);
      row([''.padEnd(w[0]), ''.padEnd(w[1]), `  fix:     ${f.fix}`]);
    }
  }
  for (const f of suppressed) lines.push(`suppressed ${f.ruleId} ${f.stack}/${f.address} until ${f.suppressedBy!.expires}: ${f.suppressedBy!.reason}`);
  for (const s of report.unusedSuppressions) lines.push(`warning: suppression ${s.rule} ${s.target} matches no finding; remove it from tools/policy/suppressions.yaml`);
  lines.push(
    `${report.passed ? 'PASS' : 'FAIL'}: ${report.stacks.length} stacks, ${open.length} finding(s), ${suppressed.length} suppressed, ${report.unusedSuppressions.length} unused suppression(s)`,
  );
  return lines.join('\n');
}
