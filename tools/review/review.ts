import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TerraformJson } from '../validate/aws-projection';
import { diffLeaves, normalizeJson, type LeafChange } from '../tf-json/json-paths';
import { code, text } from '../../lib/markdown';
import { formatValue } from '../tf-json/format';
import { constructPathOf, TfStack } from '../tf-json/stack';
import { readSynthesized } from '../synth/manifest';
import { fromRoot } from '../../lib/paths';
import { securitySettings, type SecuritySetting } from './security-settings';
import { newFindings, weakenings, WEAKENING_TEXT, type Weakening } from './weakenings';
import { type CaPins, pinsOfEnvironment, pinWeakenings } from './pin-changes';
import { isStackOf, parseAccountStackName, parseBootstrapStackName, pipelineRoleName } from '../../lib/naming';
import type { ResolvedEnvironment } from '../../envs/resolve';
import type { Finding } from '../policy/engine';
import { checkPolicy, policyStacks } from '../policy/run';

/**
 * `npm run review`: what the synthesized Terraform of a branch contains and what it
 * changes against a base ref, for a person reviewing a pull request.
 */

export interface BlockDiff {
  /** `aws_s3_bucket.X`, `data.aws_iam_policy_document.Y`, `provider.aws`, `output.z`, `terraform`. */
  readonly address: string;
  /** The construct that made the block (from CDKTF's `//` metadata), when it has one. */
  readonly constructPath?: string;
  readonly status: 'added' | 'removed' | 'changed';
  /** Changed leaves (only for `changed`). */
  readonly attributes: readonly LeafChange[];
}

export interface StackReview {
  readonly stack: string;
  /** Resource and data source counts by type (`data.` prefix for data sources). */
  readonly inventory: ReadonlyArray<{ type: string; count: number }>;
  readonly security: readonly SecuritySetting[];
  /**
   * Open (unsuppressed) policy findings of the stack: the only thing the review marks
   * ⚠️, so it flags exactly what `npm run policy` fails on.
   */
  readonly findings: readonly Finding[];
  /** What the branch loosens against the base (empty without a base). */
  readonly weakenings: readonly Weakening[];
  /** Against the base ref; undefined when no base was given. */
  readonly diff?: { readonly status: 'added' | 'removed' | 'changed' | 'unchanged'; readonly blocks: readonly BlockDiff[] };
}

export interface Review {
  readonly base?: string;
  readonly stacks: readonly StackReview[];
}

export function inventory(stack: TerraformJson): { type: string; count: number }[] {
  const rows: { type: string; count: number }[] = [];
  for (const [block, prefix] of [['resource', ''], ['data', 'data.']] as const) {
    for (const type of Object.keys(stack[block] ?? {}).sort()) rows.push({ type: `${prefix}${type}`, count: Object.keys(stack[block][type]).length });
  }
  return rows;
}

/**
 * Every addressable block of a stack, normalized: `//` metadata dropped, keys sorted,
 * `depends_on` sorted, so only changes of meaning remain.
 */
export function addressableBlocks(stack: TerraformJson): Map<string, unknown> {
  const blocks = new Map<string, unknown>();
  const clean = (v: unknown): unknown => {
    const n = normalizeJson(v) as Record<string, unknown>;
    if (n && typeof n === 'object' && Array.isArray(n.depends_on)) n.depends_on = [...n.depends_on].sort();
    return n;
  };
  for (const [block, prefix] of [['resource', ''], ['data', 'data.']] as const) {
    for (const [type, byName] of Object.entries<Record<string, unknown>>(stack[block] ?? {})) {
      for (const [name, config] of Object.entries(byName)) blocks.set(`${prefix}${type}.${name}`, clean(config));
    }
  }
  for (const block of ['provider', 'output', 'variable', 'locals', 'module'] as const) {
    for (const [name, config] of Object.entries<unknown>(stack[block] ?? {})) blocks.set(`${block}.${name}`, clean(config));
  }
  if (stack.terraform) blocks.set('terraform', clean(stack.terraform));
  return blocks;
}

export function diffStack(base: TerraformJson | undefined, head: TerraformJson | undefined): NonNullable<StackReview['diff']> {
  if (!base && !head) return { status: 'unchanged', blocks: [] };
  const a = base ? addressableBlocks(base) : new Map<string, unknown>();
  const b = head ? addressableBlocks(head) : new Map<string, unknown>();
  const blocks: BlockDiff[] = [];
  for (const address of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const path = pathOf(head, address) ?? pathOf(base, address);
    const where = { address, ...(path ? { constructPath: path } : {}) };
    if (!a.has(address)) blocks.push({ ...where, status: 'added', attributes: [] });
    else if (!b.has(address)) blocks.push({ ...where, status: 'removed', attributes: [] });
    else {
      const attributes = diffLeaves(a.get(address), b.get(address));
      if (attributes.length > 0) blocks.push({ ...where, status: 'changed', attributes });
    }
  }
  const status = !base ? 'added' : !head ? 'removed' : blocks.length > 0 ? 'changed' : 'unchanged';
  return { status, blocks };
}

/** `aws_s3_bucket.X` -> its construct path in a stack's JSON. */
function pathOf(stack: TerraformJson | undefined, address: string): string | undefined {
  if (!stack) return undefined;
  const data = address.startsWith('data.');
  const [type, name] = (data ? address.slice(5) : address).split('.');
  return constructPathOf(stack[data ? 'data' : 'resource']?.[type]?.[name]);
}

export interface ReviewOptions {
  /**
   * The environments the stacks belong to, so the policy's "required resource" rules
   * run too. @default none: only per-resource rules judge the stacks
   */
  readonly environments?: readonly ResolvedEnvironment[];
  /** @default tools/policy/suppressions.yaml */
  readonly suppressionsFile?: string;
}

/**
 * The review of the branch's stacks (and, given a base, what changes and what is
 * weakened). The base is judged with the branch's environments, so a finding counts as
 * new only when the branch's code introduces it.
 */
export function buildReview(
  head: ReadonlyMap<string, TerraformJson>,
  base?: { ref: string; stacks: ReadonlyMap<string, TerraformJson>; /** The base's CA key pins (caPinsAtRef). @default none: pins are not compared */ caPins?: CaPins },
  options: ReviewOptions = {},
): Review {
  const names = [...new Set([...head.keys(), ...(base?.stacks.keys() ?? [])])].sort();
  const judge = (stacks: ReadonlyMap<string, TerraformJson>) => {
    const tf = policyStacks(stacks, options.environments ?? []);
    return { tf: new Map(tf.map((s) => [s.name, s])), findings: checkPolicy(tf, { suppressionsFile: options.suppressionsFile }).findings.filter((f) => !f.suppressedBy) };
  };
  const now = judge(head);
  const before = base ? judge(base.stacks) : undefined;
  const headPins: CaPins = new Map((options.environments ?? []).map((e) => [e.config.name, pinsOfEnvironment(e.config)]));
  const pinned = base?.caPins ? pinWeakenings(base.caPins, headPins) : [];
  return {
    base: base?.ref,
    stacks: names.map((stack) => {
      const json = head.get(stack);
      const headStack = now.tf.get(stack);
      const baseStack = before?.tf.get(stack);
      const findings = now.findings.filter((f) => f.stack === stack);
      return {
        stack,
        inventory: json ? inventory(json) : [],
        security: headStack ? securitySettings(headStack) : [],
        findings,
        weakenings: before
          ? [
              ...newFindings(before.findings.filter((f) => f.stack === stack), findings),
              ...(baseStack ? weakenings(baseStack, headStack ?? new TfStack(stack, {})) : []),
              ...pinned.filter((w) => w.stack === stack),
            ]
          : [],
        ...(base ? { diff: diffStack(base.stacks.get(stack), json) } : {}),
      };
    }),
  };
}

const value = (v: unknown): string => code(formatValue(v, 160));
const where = (address: string, constructPath?: string): string => `${code(address)}${constructPath ? `<br>${text(constructPath)}` : ''}`;

/** All weakenings and open findings of a review: what a reviewer must look at. */
export function reviewMarks(review: Review): number {
  return review.stacks.reduce((n, s) => n + s.findings.length + s.weakenings.length, 0);
}

export function renderReviewMarkdown(review: Review): string {
  const lines = ['## Review of the synthesized Terraform', ''];
  if (review.base) {
    const changed = review.stacks.filter((s) => s.diff && s.diff.status !== 'unchanged');
    lines.push(`Against ${code(review.base, { table: false })}: ${changed.length === 0 ? 'no change in any stack' : changed.map((s) => `${code(s.stack, { table: false })} ${s.diff!.status}`).join(', ')}.`, '');
  }
  for (const s of review.stacks) {
    lines.push(`### ${code(s.stack, { table: false })}`, '');
    if (s.inventory.length > 0) {
      const total = s.inventory.reduce((n, r) => n + r.count, 0);
      lines.push(`<details><summary>${total} resources and data sources</summary>`, '', '| Type | Count |', '| --- | ---: |');
      for (const r of s.inventory) lines.push(`| ${code(r.type)} | ${r.count} |`);
      lines.push('', '</details>', '');
    }
    if (s.weakenings.length > 0) {
      lines.push(`**⚠️ Weakened against ${code(review.base ?? '', { table: false })}** (${s.weakenings.length})`, '', '| Resource | What | Detail |', '| --- | --- | --- |');
      for (const w of s.weakenings) lines.push(`| ${code(w.address)} | ⚠️ ${WEAKENING_TEXT[w.kind]} | ${text(w.message)} |`);
      lines.push('');
    }
    if (s.findings.length > 0) {
      lines.push(`**⚠️ Policy findings** (${s.findings.length}; \`npm run policy\` fails on these)`, '', '| Resource | Rule | Problem | Fix |', '| --- | --- | --- | --- |');
      for (const f of s.findings) lines.push(`| ${code(f.address)} | ⚠️ ${text(f.ruleId)} | ${text(f.message)} | ${text(f.fix)} |`);
      lines.push('');
    }
    if (s.security.length > 0) {
      const flagged = new Set(s.findings.map((f) => f.address));
      lines.push('**Security-relevant settings** (a mark is a policy finding on the resource)', '', '| Resource | Setting | Value |', '| --- | --- | --- |');
      for (const x of s.security) lines.push(`| ${where(x.resource, x.constructPath)} | ${text(x.setting)} | ${flagged.has(x.resource) ? '⚠️ ' : ''}${text(x.value)} |`);
      lines.push('');
    }
    if (s.diff && s.diff.status !== 'unchanged') {
      lines.push(`**Changes against ${code(review.base ?? '', { table: false })}** (stack ${s.diff.status})`, '', '| Block | Change | Attribute | Base | This branch |', '| --- | --- | --- | --- | --- |');
      for (const b of s.diff.blocks) {
        if (b.attributes.length === 0) lines.push(`| ${where(b.address, b.constructPath)} | ${b.status} | | | |`);
        for (const a of b.attributes) lines.push(`| ${where(b.address, b.constructPath)} | ${b.status} | ${code(a.path)} | ${value(a.before)} | ${value(a.after)} |`);
      }
      lines.push('');
    }
  }
  return `${lines.join('\n')}\n`;
}

const stackJsons = (outdir: string): Map<string, TerraformJson> => new Map([...readSynthesized(outdir)].map(([name, s]) => [name, s.json]));

function git(args: string[], cwd: string): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.trim();
}

/**
 * Synthesizes another git ref in a temporary worktree sharing this checkout's
 * node_modules, with its own env files. All environments are synthesized there
 * (an environment may not exist at the base) and the caller picks stacks by name.
 */
export function synthesizeRef(ref: string, environments?: readonly string[]): Map<string, TerraformJson> {
  const root = fromRoot();
  const commit = git(['rev-parse', '--verify', `${ref}^{commit}`], root);
  // The pid in the name tells this process's worktree from those of other checkouts
  // of the same repository, which share the worktree list.
  const temp = mkdtempSync(join(tmpdir(), `edge-review-base-${process.pid}-`));
  const tree = join(temp, 'tree');
  git(['worktree', 'add', '--detach', '--quiet', tree, commit], root);
  try {
    symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'), 'dir');
    const outdir = join(temp, 'out');
    const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir, ENVS: '' };
    delete env.EDGE_ENVS_DIR;
    const run = spawnSync(process.execPath, ['scripts/app.mjs'], { cwd: tree, env, encoding: 'utf8', timeout: 300_000 });
    if (run.status !== 0) throw new Error(`synthesizing ${ref} (${commit.slice(0, 12)}) failed:\n${(run.stderr || run.stdout).trim()}`);
    const all = stackJsons(outdir);
    if (!environments) return all;
    // Account stacks are shared by the environments of an account: always part of the
    // review; the AWS bootstrap of the selected environments' accounts too (the one holding
    // their pipeline roles), so a loosened role policy shows as a weakening.
    const ownsRolesOf = (json: Record<string, any>) =>
      Object.values<{ name?: unknown }>(json.resource?.aws_iam_role ?? {}).some((r) => environments.some((e) => r.name === pipelineRoleName(e, 'plan')));
    const shared = (name: string, json: Record<string, any>) => parseAccountStackName(name) !== undefined || (parseBootstrapStackName(name) !== undefined && ownsRolesOf(json));
    return new Map([...all].filter(([name, json]) => shared(name, json) || environments.some((e) => isStackOf(name, e))));
  } finally {
    spawnSync('git', ['worktree', 'remove', '--force', tree], { cwd: root, timeout: 60_000 });
    rmSync(temp, { recursive: true, force: true });
    spawnSync('git', ['worktree', 'prune'], { cwd: root, timeout: 60_000 });
  }
}
