import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fromRoot } from '../../lib/paths';
import { defineCommand, EXIT } from '../cli';

/**
 * `npm run lint`: shellcheck on every shell script, yamllint on every YAML file we
 * own, actionlint on the GitHub workflows. In CI (CI=true) a missing linter is a
 * failure; on a developer machine it is reported loudly as skipped.
 */
function files(dir: string, match: RegExp): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  for (const e of entries) {
    if (e === 'node_modules' || e === 'cdktf.out' || e.startsWith('.cache')) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(files(p, match));
    else if (match.test(e)) out.push(p);
  }
  return out;
}

function available(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Runs one linter on `targets`; false when it found a problem (or, with CI set, is missing). */
function run(tool: string, args: string[], targets: string[]): boolean {
  if (targets.length === 0) return true;
  const shown = targets.map((t) => relative(fromRoot(), t));
  if (!available(tool)) {
    const msg = `${tool} is not installed: ${shown.length} files NOT checked (.ci/run installs it)`;
    if (process.env.CI) {
      console.error(`FAIL ${msg}`);
      return false;
    }
    console.warn(`SKIPPED ${msg}`);
    return true;
  }
  const r = spawnSync(tool, [...args, ...targets], { stdio: 'inherit' });
  console.log(`${r.status === 0 ? 'ok  ' : 'FAIL'} ${tool}: ${shown.length} files`);
  return r.status === 0;
}

/** shellcheck and yamllint; the number of linters that failed. */
function lintScriptsAndYaml(root: string): number {
  const results = [
    run('shellcheck', ['--severity=style'], [...files(join(root, 'scripts'), /\.sh$/), ...files(join(root, 'modules'), /\.sh$/), fromRoot('.ci', 'run')]),
    run(
      'yamllint',
      ['-s', '-d', '{extends: default, rules: {line-length: {max: 140}, document-start: disable, truthy: {check-keys: false}}}'],
      [...files(join(root, 'envs'), /\.ya?ml$/), ...files(join(root, 'tools'), /\.ya?ml$/), ...files(join(root, '.github'), /\.ya?ml$/)],
    ),
  ];
  return results.filter((ok) => !ok).length;
}

/** actionlint on the workflows; the number of linters that failed (0 or 1). */
async function lintGithubWorkflows(root: string): Promise<number> {
  const { lintWorkflows, workflowFiles } = await import('./workflow-lint');
  const workflows = workflowFiles();
  if (workflows.length === 0) return 0;
  const problems = await lintWorkflows(workflows);
  for (const p of problems) console.error(`${relative(root, p.file)}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} actionlint: ${workflows.length} files`);
  return problems.length > 0 ? 1 : 0;
}

export const lintCommand = defineCommand({
  name: 'npm run lint',
  summary:
    'shellcheck on every shell script, yamllint on every YAML file the project owns (env files, suppressions, workflows), actionlint on the GitHub workflows. A linter that is not installed is reported as SKIPPED, and is a failure when CI is set.',
  options: {},
  exitCodes: { 1: 'a linter found a problem (or, with CI set, a linter is missing)' },
  async run() {
    const root = fromRoot();
    const failures = lintScriptsAndYaml(root) + (await lintGithubWorkflows(root));
    return failures === 0 ? EXIT.ok : EXIT.failure;
  },
});
