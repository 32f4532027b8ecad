import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TerraformJson } from '../validate/aws-projection';
import { diffLeaves, normalizeJson, type LeafChange } from '../tf-json/json-paths';
import { readSynthesized } from '../synth/manifest';
import { fromRoot } from '../../lib/paths';
import { securitySettings, type SecuritySetting } from './security-settings';
import { isStackOf } from '../../lib/naming';

/**
 * `npm run review`: what the synthesized Terraform of a branch contains and what it
 * changes against a base ref, for a person reviewing a pull request.
 */

export interface BlockDiff {
  /** `aws_s3_bucket.X`, `data.aws_iam_policy_document.Y`, `provider.aws`, `output.z`, `terraform`. */
  readonly address: string;
  readonly status: 'added' | 'removed' | 'changed';
  /** Changed leaves (only for `changed`). */
  readonly attributes: readonly LeafChange[];
}

export interface StackReview {
  readonly stack: string;
  /** Resource and data source counts by type (`data.` prefix for data sources). */
  readonly inventory: ReadonlyArray<{ type: string; count: number }>;
  readonly security: readonly SecuritySetting[];
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
    if (!a.has(address)) blocks.push({ address, status: 'added', attributes: [] });
    else if (!b.has(address)) blocks.push({ address, status: 'removed', attributes: [] });
    else {
      const attributes = diffLeaves(a.get(address), b.get(address));
      if (attributes.length > 0) blocks.push({ address, status: 'changed', attributes });
    }
  }
  const status = !base ? 'added' : !head ? 'removed' : blocks.length > 0 ? 'changed' : 'unchanged';
  return { status, blocks };
}

export function buildReview(head: ReadonlyMap<string, TerraformJson>, base?: { ref: string; stacks: ReadonlyMap<string, TerraformJson> }): Review {
  const names = [...new Set([...head.keys(), ...(base?.stacks.keys() ?? [])])].sort();
  return {
    base: base?.ref,
    stacks: names.map((stack) => {
      const json = head.get(stack);
      return {
        stack,
        inventory: json ? inventory(json) : [],
        security: json ? securitySettings(json) : [],
        ...(base ? { diff: diffStack(base.stacks.get(stack), json) } : {}),
      };
    }),
  };
}

const MAX_VALUE_CHARS = 160;
const value = (v: unknown): string => {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return (s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS - 3)}...` : s).replace(/\|/g, '\\|');
};
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderReviewMarkdown(review: Review): string {
  const lines = ['## Review of the synthesized Terraform', ''];
  if (review.base) {
    const changed = review.stacks.filter((s) => s.diff && s.diff.status !== 'unchanged');
    lines.push(`Against \`${review.base}\`: ${changed.length === 0 ? 'no change in any stack' : changed.map((s) => `\`${s.stack}\` ${s.diff!.status}`).join(', ')}.`, '');
  }
  for (const s of review.stacks) {
    lines.push(`### \`${s.stack}\``, '');
    if (s.inventory.length > 0) {
      const total = s.inventory.reduce((n, r) => n + r.count, 0);
      lines.push(`<details><summary>${total} resources and data sources</summary>`, '', '| Type | Count |', '| --- | ---: |');
      for (const r of s.inventory) lines.push(`| \`${r.type}\` | ${r.count} |`);
      lines.push('', '</details>', '');
    }
    if (s.security.length > 0) {
      lines.push('**Security-relevant settings**', '', '| Resource | Setting | Value |', '| --- | --- | --- |');
      for (const x of s.security) lines.push(`| \`${x.resource}\` | ${cell(x.setting)} | ${x.warning ? '⚠️ ' : ''}${cell(x.value)} |`);
      lines.push('');
    }
    if (s.diff && s.diff.status !== 'unchanged') {
      lines.push(`**Changes against \`${review.base}\`** (stack ${s.diff.status})`, '', '| Block | Change | Attribute | Base | This branch |', '| --- | --- | --- | --- | --- |');
      for (const b of s.diff.blocks) {
        if (b.attributes.length === 0) lines.push(`| \`${b.address}\` | ${b.status} | | | |`);
        for (const a of b.attributes) lines.push(`| \`${b.address}\` | ${b.status} | \`${cell(a.path)}\` | \`${value(a.before)}\` | \`${value(a.after)}\` |`);
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
  const temp = mkdtempSync(join(tmpdir(), 'edge-review-base-'));
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
    return new Map([...all].filter(([name]) => environments.some((e) => isStackOf(name, e))));
  } finally {
    spawnSync('git', ['worktree', 'remove', '--force', tree], { cwd: root, timeout: 60_000 });
    rmSync(temp, { recursive: true, force: true });
    spawnSync('git', ['worktree', 'prune'], { cwd: root, timeout: 60_000 });
  }
}
