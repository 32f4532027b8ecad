import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../lib/errors';
import { parseAccountStackName, parseStackName } from '../lib/naming';
import { checkStackFindings, type StackLike } from './conform';
import { readSnapshot } from './regenerate';
import { semanticFindings, type Skipped } from './semantic';
import { PROVIDER_SOURCES } from './sources';

/**
 * `npm run conformance` as a function: every stack against the providers' schemas and
 * validators (snapshots at the pinned versions) and the semantic rules
 * (conformance/semantic.ts), over freshly synthesized stacks or a folder of
 * `<stack>/cdk.tf.json`. The tests drive it in process.
 */

export interface ConformanceLine {
  readonly rule: string;
  readonly stack: string;
  readonly resource: string;
  readonly attribute: string;
  readonly message: string;
}

export interface ConformanceReport {
  readonly stacks: readonly string[];
  readonly findings: readonly ConformanceLine[];
  readonly skipped: readonly Skipped[];
}

export interface StackSet {
  readonly stacks: ReadonlyMap<string, Record<string, any>>;
  /** Stack dependencies, when known (manifest). */
  readonly dependencies?: ReadonlyMap<string, readonly string[]>;
}

/** Checks a set of stacks: schema and validators first, then the semantic rules; findings sorted by stack, resource, attribute. */
export function checkConformance(set: StackSet): ConformanceReport {
  const snapshots = PROVIDER_SOURCES.map((s) => readSnapshot(s.provider, s.version));
  const findings: ConformanceLine[] = [];
  for (const [name, json] of set.stacks) findings.push(...checkStackFindings(name, json as StackLike, snapshots));
  const cloudflare = snapshots.find((s) => s.provider === 'cloudflare')!;
  const semantic = semanticFindings({ stacks: set.stacks, dependencies: set.dependencies, cloudflare });
  findings.push(...semantic.findings);
  const key = (f: ConformanceLine) => `${f.stack}\0${f.resource}\0${f.attribute}\0${f.rule}`;
  findings.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { stacks: [...set.stacks.keys()].sort(), findings, skipped: semantic.skipped };
}

/**
 * Reads `<dir>/<stack>/cdk.tf.json` (what `npm run synth` writes under cdktf.out/stacks),
 * and the stack dependencies from the manifest.json beside or above it when there is one.
 */
export function readStacksDir(dir: string): StackSet {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw ConfigError.single('--stacks', dir, 'expected a folder holding <stack>/cdk.tf.json (e.g. cdktf.out/stacks)');
  const stacks = new Map<string, Record<string, any>>();
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, 'cdk.tf.json');
    if (!existsSync(file)) continue;
    try {
      stacks.set(name, JSON.parse(readFileSync(file, 'utf8')));
    } catch (e) {
      throw ConfigError.single('--stacks', file, `is not valid JSON (${(e as Error).message})`);
    }
  }
  if (stacks.size === 0) throw ConfigError.single('--stacks', dir, 'holds no <stack>/cdk.tf.json; run npm run synth first, or point at cdktf.out/stacks');
  for (const manifest of [join(dir, 'manifest.json'), join(dirname(dir), 'manifest.json')]) {
    if (!existsSync(manifest)) continue;
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { stacks?: Record<string, { dependencies?: string[] }> };
    const dependencies = new Map(Object.entries(m.stacks ?? {}).map(([n, s]) => [n, s.dependencies ?? []] as const));
    return { stacks, dependencies };
  }
  return { stacks };
}

/** With `--env`, only the stacks of those environments, plus the account stacks they share. */
export function selectEnvironments(set: StackSet, selector: string | undefined): StackSet {
  if (selector === undefined || selector.trim() === '') return set;
  const envs = selector.split(',').map((e) => e.trim()).filter(Boolean);
  const keep = [...set.stacks.keys()].filter((n) => parseAccountStackName(n) !== undefined || envs.includes(parseStackName(n)?.environment ?? n.split('-')[0]));
  const missing = envs.filter((e) => !keep.some((n) => parseStackName(n)?.environment === e));
  if (missing.length > 0) throw ConfigError.single('--env', selector, `no stacks of ${missing.join(', ')} in the --stacks folder`);
  return { stacks: new Map(keep.map((n) => [n, set.stacks.get(n)!])), dependencies: set.dependencies };
}

/** One line per finding: `RULE stack resource attribute: what the provider would do`; skipped checks after, prefixed `skipped`. */
export function formatConformance(report: ConformanceReport): string {
  const lines = report.findings.map((f) => `${f.rule} ${f.stack} ${f.resource} ${f.attribute}: ${f.message}`);
  for (const s of report.skipped) lines.push(`skipped ${s.rule} ${s.stack} ${s.resource}: ${s.reason}`);
  lines.push(`${report.findings.length} finding${report.findings.length === 1 ? '' : 's'} in ${report.stacks.length} stacks${report.skipped.length ? `, ${report.skipped.length} check(s) skipped` : ''}`);
  return `${lines.join('\n')}\n`;
}
