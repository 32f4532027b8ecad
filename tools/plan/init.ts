import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliConfigFile, terraform, terraformBinary, type TerraformRun } from '../terraform';

/**
 * `terraform init` for a stack work dir, skipped when nothing it depends on changed
 * since the last successful one there. An init costs about 1.5 s of CPU per stack per
 * run (it re-reads the provider mirror and re-verifies the lock file); plan, drift and
 * apply run it for every stack every time.
 *
 * What init depends on, and so what the fingerprint holds: the stack's `terraform`
 * block (backend and its settings, required providers) and `module` blocks, the
 * terraform binary, the CLI configuration in effect (its path and its content) and the
 * variables that move init's output (TF_DATA_DIR, TF_PLUGIN_CACHE_DIR). The
 * fingerprint lives inside `.terraform/`, so removing that folder (or the lock file)
 * forces the next init. Terraform itself refuses to plan or apply in a folder whose
 * init is out of date; `runInitialized` answers that refusal with a real init and one
 * retry, so a fingerprint that missed something costs time, never a wrong result.
 */

/** Where the fingerprint of the last successful init is kept, relative to the work dir. */
export const INIT_MARKER = join('.terraform', 'edge-init.sha256');

/** Terraform's refusal to run because init is missing or stale. */
const NEEDS_INIT = /Backend initialization required|Backend configuration changed|Required plugins are not installed|Inconsistent dependency lock file|Module not installed|Missing required provider|please run "terraform init"|run:\s+terraform init/i;

export interface InitRun extends TerraformRun {
  /** Whether init was skipped because the work dir was already initialized for this fingerprint. */
  readonly skipped: boolean;
}

/** The fingerprint of everything init depends on, for the stack in `dir` run with `env`. */
export function initFingerprint(dir: string, env: NodeJS.ProcessEnv): string {
  const json = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as { terraform?: unknown; module?: unknown };
  const setting = (name: string): string | undefined => (name in env ? env[name] : process.env[name]);
  const cliConfig = setting('TF_CLI_CONFIG_FILE') ?? cliConfigFile();
  const cliConfigText = cliConfig && existsSync(cliConfig) ? readFileSync(cliConfig, 'utf8') : '';
  return createHash('sha256')
    .update(
      JSON.stringify({
        terraform: json.terraform ?? null,
        module: json.module ?? null,
        binary: terraformBinary() ?? null,
        cliConfig,
        cliConfigText,
        dataDir: setting('TF_DATA_DIR') ?? null,
        pluginCache: setting('TF_PLUGIN_CACHE_DIR') ?? null,
      }),
    )
    .digest('hex');
}

/** Whether `dir` was initialized, successfully, for exactly this fingerprint. */
function upToDate(dir: string, fingerprint: string): boolean {
  const marker = join(dir, INIT_MARKER);
  return existsSync(marker) && existsSync(join(dir, '.terraform.lock.hcl')) && readFileSync(marker, 'utf8') === fingerprint;
}

/** `terraform init` in `dir`, unless it is up to date; `force` always runs it. */
export async function init(dir: string, env: NodeJS.ProcessEnv, options: { force?: boolean } = {}): Promise<InitRun> {
  const fingerprint = initFingerprint(dir, env);
  if (!options.force && upToDate(dir, fingerprint)) return { code: 0, stdout: '', stderr: '', skipped: true };
  rmSync(join(dir, INIT_MARKER), { force: true });
  const run = await terraform(['init', '-input=false', '-no-color', '-reconfigure'], dir, env);
  if (run.code === 0) writeFileSync(join(dir, INIT_MARKER), fingerprint);
  return { ...run, skipped: false };
}

/** The command's run, or the init that failed before it could run. */
export type Initialized = { readonly run: TerraformRun; readonly failedInit?: undefined } | { readonly run?: undefined; readonly failedInit: InitRun };

/**
 * Runs `command` (a plan or an apply) in an initialized `dir`. When init was skipped
 * and Terraform still says it needs one, inits for real and runs `command` once more.
 */
export async function runInitialized(dir: string, env: NodeJS.ProcessEnv, command: () => Promise<TerraformRun>): Promise<Initialized> {
  const first = await init(dir, env);
  if (first.code !== 0) return { failedInit: first };
  const run = await command();
  if (!first.skipped || run.code === 0 || run.code === 2 || !NEEDS_INIT.test(`${run.stderr}\n${run.stdout}`)) return { run };
  const again = await init(dir, env, { force: true });
  if (again.code !== 0) return { failedInit: again };
  return { run: await command() };
}
