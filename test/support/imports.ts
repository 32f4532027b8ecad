import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { preProcessFile } from 'typescript';
import { fromRoot } from '../../lib/paths';

/** One import of one file, as written. */
export interface ImportEdge {
  /** The importing file, relative to the repository root with `/` separators. */
  readonly file: string;
  /** The specifier as written: `../lib/paths`, `node:fs`, `@cdktf/provider-aws/lib/s3-bucket`. */
  readonly specifier: string;
  /** 1-based line of the specifier. */
  readonly line: number;
  /** For a relative specifier: the imported path relative to the repository root (no extension added). */
  readonly target?: string;
}

const toPosix = (path: string) => path.split(sep).join('/');

const SOURCE = /\.(ts|mts|cts|mjs|cjs|js)$/;

/**
 * Every TypeScript or JavaScript file of the project (tracked, or new and not ignored;
 * node_modules, cdktf.out and .cache are ignored), relative to the repository root, so
 * a new top-level folder is scanned the moment it exists. `under` limits it to folders.
 */
export function sourceFiles(under: readonly string[] = []): string[] {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', ...under], { cwd: fromRoot(), encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  return listed.stdout
    .split('\0')
    .filter((file) => SOURCE.test(file) && existsSync(fromRoot(file)))
    .sort();
}

/**
 * Every module specifier of a source text, found by the TypeScript scanner, so
 * comments and strings are ignored: `import`/`export ... from`, `import type`,
 * side-effect imports, dynamic `import()` and `require()`.
 */
export function importsOf(file: string, text: string): ImportEdge[] {
  return preProcessFile(text, true, true).importedFiles.map(({ fileName, pos }) => {
    const line = text.slice(0, pos).split('\n').length;
    const target = fileName.startsWith('.') ? toPosix(normalize(join(dirname(file), fileName))) : undefined;
    return { file, specifier: fileName, line, target };
  });
}

/** `importsOf` for every source file of the repository (or of the given folders). */
export function repositoryImports(under: readonly string[] = []): ImportEdge[] {
  return sourceFiles(under).flatMap((file) => importsOf(file, readFileSync(fromRoot(file), 'utf8')));
}
