import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fromRoot } from '../lib/paths';

/** Where the offline AWS provider lives on every machine of this project. */
export const PROVIDER_MIRROR = '/opt/tf-plugins';

export interface TerraformRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Why Terraform cannot run here, or undefined when it can. */
export function terraformUnavailableReason(): string | undefined {
  if (!existsSync(PROVIDER_MIRROR)) return `the AWS provider mirror ${PROVIDER_MIRROR} is missing`;
  return undefined;
}

/**
 * Runs terraform with the project's CLI config (providers from the filesystem
 * mirror only), no telemetry, no prompts, and colour off so output can be parsed.
 */
export function terraform(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<TerraformRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.TERRAFORM_BIN ?? 'terraform', [...args], {
      cwd,
      env: {
        ...process.env,
        TF_CLI_CONFIG_FILE: fromRoot('terraform', 'cli.tfrc'),
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
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
