import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fromRoot } from '../lib/paths';
import { extractSchema } from './extract';
import type { ProviderSnapshot, SchemaObject } from './snapshot';
import type { ProviderSource } from './sources';

/** Where the committed snapshot of one provider version lives. */
export function snapshotPath(provider: string, version: string): string {
  return fromRoot('conformance', 'snapshots', `${provider}-${version}.json`);
}

export function readSnapshot(provider: string, version: string): ProviderSnapshot {
  return JSON.parse(readFileSync(snapshotPath(provider, version), 'utf8')) as ProviderSnapshot;
}

/** Read access to one tag of a provider's repository (a bare git dir, e.g. one brought by `fetch` or `git clone --bare`). */
class GitTree {
  constructor(private readonly gitDir: string, private readonly tag: string) {}
  private git(...args: string[]): string {
    return execFileSync('git', ['--git-dir', this.gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  }
  commit(): string { return this.git('rev-parse', `${this.tag}^{commit}`).trim(); }
  file(path: string): string { return this.git('show', `${this.tag}:${path}`); }
  /** Every non-test Go file of the package holding `path`, concatenated: the context helpers and constants are resolved in. */
  packageSource(path: string): string {
    const dir = dirname(path);
    return this.git('ls-tree', '--name-only', `${this.tag}`, `${dir}/`)
      .split('\n')
      .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))
      .map((f) => this.file(f))
      .join('\n');
  }
}

/**
 * A bare clone of just the tag (blobs fetched on demand) when no local git dir is given.
 * Returns the git dir and a clean-up function.
 */
export function cloneTag(source: ProviderSource): { gitDir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${source.provider}-src-`));
  execFileSync('git', ['clone', '--quiet', '--bare', '--filter=blob:none', '--depth', '1', '--branch', source.tag, source.repository, dir], { stdio: 'inherit' });
  return { gitDir: dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Builds the snapshot of one provider version from its source at the release tag. */
export function buildSnapshot(source: ProviderSource, gitDir: string): ProviderSnapshot {
  if (!existsSync(gitDir)) throw new Error(`${gitDir}: no such git directory`);
  const tree = new GitTree(gitDir, source.tag);
  const read = (type: string, dataSource: boolean): SchemaObject => {
    const { file, fn } = source.locate(type, dataSource);
    return extractSchema(tree.file(file), tree.packageSource(file), `${source.tag}:${file} (${type})`, fn);
  };
  const all = (types: readonly string[], ds: boolean) => Object.fromEntries([...types].sort().map((t) => [t, read(t, ds)]));
  return {
    provider: source.provider,
    version: source.version,
    source: { repository: source.repository, tag: source.tag, commit: tree.commit() },
    resources: all(source.resources, false),
    dataSources: all(source.dataSources, true),
  };
}
