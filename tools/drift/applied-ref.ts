import { spawnSync } from 'node:child_process';
import { fromRoot } from '../../lib/paths';

/**
 * Drift is reality against the code that was last applied, not against `main`: a change
 * merged but not yet applied is pending, not drift. The deploy workflow moves the tag
 * `applied/<env>` to the commit it applied; the drift job plans from that tag.
 */

export function appliedTag(env: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(env)) throw new Error(`environment name ${JSON.stringify(env)} cannot name a tag`);
  return `applied/${env}`;
}

function git(args: string[], cwd: string): { ok: boolean; out: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 30_000 });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim() };
}

export interface AppliedState {
  /** `applied/dev`, when the tag exists. */
  readonly ref?: string;
  /** The commit the tag points at. */
  readonly commit?: string;
  /** Commits on `head` that are not applied yet (pending changes), when the tag exists. */
  readonly pendingCommits?: number;
}

/** Where the environment was last applied from, and how far `head` is ahead of it. */
export function appliedState(env: string, head = 'HEAD', cwd: string = fromRoot()): AppliedState {
  const ref = appliedTag(env);
  const commit = git(['rev-parse', '--verify', '--quiet', `refs/tags/${ref}^{commit}`], cwd);
  if (!commit.ok || commit.out === '') return {};
  const ahead = git(['rev-list', '--count', `${commit.out}..${head}`], cwd);
  return { ref, commit: commit.out, ...(ahead.ok ? { pendingCommits: Number(ahead.out) } : {}) };
}
