import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { preProcessFile } from 'typescript';
import { fromRoot } from '../../lib/paths';

/** Everything the project's own code lives in (jest config, cdktf.json and docs aside). */
export const SOURCE_ROOTS = ['main.ts', 'envs', 'stacks', 'modules', 'lib', 'tools', 'scripts', 'test'] as const;

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

/** Every TypeScript or JavaScript source file under the roots, relative to the repository root. */
export function sourceFiles(roots: readonly string[] = SOURCE_ROOTS): string[] {
  const walk = (path: string): string[] => {
    if (statSync(path).isFile()) return /\.(ts|mts|cts|mjs|cjs|js)$/.test(path) ? [toPosix(relative(fromRoot(), path))] : [];
    return readdirSync(path).flatMap((entry) => (entry === 'node_modules' ? [] : walk(join(path, entry))));
  };
  return roots.flatMap((root) => walk(fromRoot(root)));
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

/** `importsOf` for every source file of the repository. */
export function repositoryImports(roots: readonly string[] = SOURCE_ROOTS): ImportEdge[] {
  return sourceFiles(roots).flatMap((file) => importsOf(file, readFileSync(fromRoot(file), 'utf8')));
}
