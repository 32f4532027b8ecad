import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fromRoot } from '../lib/paths';
import { AWS_PROVIDER, PROVIDER_MIRROR } from '../lib/providers';

export interface TerraformRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Terraform is not installed where it is looked for; the message is the one line to print. */
export class TerraformNotFoundError extends Error {
  constructor(message: string = terraformMissingMessage()) {
    super(message);
    this.name = 'TerraformNotFoundError';
  }
}

function terraformMissingMessage(): string {
  return process.env.TERRAFORM_BIN
    ? `TERRAFORM_BIN=${process.env.TERRAFORM_BIN} is not an executable file`
    : 'terraform is not on PATH; install Terraform (1.10 or later) or set TERRAFORM_BIN to its path';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The terraform executable that will run: TERRAFORM_BIN, or the first `terraform` on PATH. */
export function terraformBinary(): string | undefined {
  const bin = process.env.TERRAFORM_BIN;
  if (bin) return (isAbsolute(bin) || bin.includes('/')) && isExecutable(bin) ? bin : undefined;
  return (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'terraform')).find(isExecutable);
}

/** Why terraform itself cannot run here (not installed), or undefined when it can. */
export function terraformMissingReason(): string | undefined {
  return terraformBinary() === undefined ? terraformMissingMessage() : undefined;
}

/** Why the offline AWS validation cannot run here (no terraform, no provider mirror), or undefined when it can. */
export function terraformUnavailableReason(): string | undefined {
  const missing = terraformMissingReason();
  if (missing) return missing;
  if (!existsSync(PROVIDER_MIRROR)) return `the AWS provider mirror ${PROVIDER_MIRROR} is missing`;
  return undefined;
}

/** The project's Terraform CLI configuration: the AWS provider from the mirror only, never the network. */
export function cliConfigText(): string {
  return [
    '# Written by tools/terraform.ts from lib/providers.ts; do not edit.',
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(PROVIDER_MIRROR)}`,
    `    include = [${JSON.stringify(`registry.terraform.io/${AWS_PROVIDER.source}`)}]`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Writes the CLI configuration under .cache/ (when missing or different) and returns
 * its path, for TF_CLI_CONFIG_FILE. Write-then-rename, so parallel runs never read
 * half a file.
 */
export function cliConfigFile(): string {
  const path = fromRoot('.cache', 'terraform-cli.tfrc');
  const text = cliConfigText();
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return path;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
  return path;
}

/**
 * Runs terraform with the project's CLI config (providers from the filesystem
 * mirror only), no telemetry, no prompts, and colour off so output can be parsed.
 */
export function terraform(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<TerraformRun> {
  const started = process.hrtime.bigint();
  // What the run starts from, read before it runs (an apply changes its state).
  const inputs = process.env[TERRAFORM_LOG_VARIABLE] ? runInputs(cwd) : undefined;
  return new Promise<TerraformRun>((resolve, reject) => {
    const bin = terraformBinary();
    if (bin === undefined) {
      reject(new TerraformNotFoundError());
      return;
    }
    const child = spawn(bin, [...args], {
      cwd,
      env: {
        ...process.env,
        TF_CLI_CONFIG_FILE: cliConfigFile(),
        TF_IN_AUTOMATION: '1',
        TF_INPUT: '0',
        CHECKPOINT_DISABLE: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new TerraformNotFoundError() : e));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  }).then((run) => {
    if (inputs) logInvocation(args, inputs, Number(process.hrtime.bigint() - started) / 1e9);
    return run;
  });
}

/**
 * Set to a file path: every terraform run appends one JSON line `{ command, config,
 * state, seconds }` to it, `config` being a digest of the configuration it ran on (the
 * `*.tf.json` and `*.tf` files of its folder) and `state` one of the local state files
 * it starts from (its backend's and each local `terraform_remote_state`'s, read before
 * it runs). `npm run bench` sets it for its one whole-suite jest run and sums each distinct
 * (command, config) once: the suite's floor (tools/bench/suite-floor.ts).
 */
export const TERRAFORM_LOG_VARIABLE = 'EDGE_TERRAFORM_LOG';

interface RunInputs {
  readonly config: string;
  readonly state: string;
}

function runInputs(cwd: string): RunInputs {
  const config = createHash('sha256');
  const statePaths = new Set<string>();
  let backend = false;
  try {
    for (const name of readdirSync(cwd).filter((n) => /\.tf(\.json)?$/.test(n)).sort()) {
      const text = readFileSync(join(cwd, name));
      config.update(`${name}\0`).update(text);
      if (!name.endsWith('.json')) continue;
      const json = parseJson(text.toString('utf8'));
      const declared = json?.terraform?.backend;
      if (declared) backend = true;
      if (typeof declared?.local?.path === 'string') statePaths.add(resolve(cwd, declared.local.path));
      for (const ref of Object.values<any>(json?.data?.terraform_remote_state ?? {})) {
        if (ref?.backend === 'local' && typeof ref.config?.path === 'string') statePaths.add(resolve(cwd, ref.config.path));
      }
    }
  } catch {
    config.update('(no folder)');
  }
  if (!backend) statePaths.add(join(cwd, 'terraform.tfstate'));
  const state = createHash('sha256');
  for (const path of [...statePaths].sort()) {
    state.update(`${path}\0`);
    try {
      state.update(readFileSync(path));
    } catch {
      state.update('(none)');
    }
  }
  return { config: config.digest('hex').slice(0, 16), state: state.digest('hex').slice(0, 16) };
}

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function logInvocation(args: readonly string[], inputs: RunInputs, seconds: number): void {
  const log = process.env[TERRAFORM_LOG_VARIABLE];
  if (!log) return;
  // Commands only, not their flags: a plan with -refresh=false is the same plan to the floor.
  const words = args.filter((a) => !a.startsWith('-'));
  const command = (['state', 'providers'].includes(words[0] ?? '') ? words.slice(0, 2) : words.slice(0, 1)).join(' ');
  appendFileSync(log, `${JSON.stringify({ command, config: inputs.config, state: inputs.state, seconds: Math.round(seconds * 1000) / 1000 })}\n`);
}
