import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLACEHOLDER_PREFIX, projectAwsOnly, type TerraformJson } from './aws-projection';
import { terraform } from '../terraform';
import { AWS_PROVIDER } from '../../lib/providers';

export interface SynthesizedStack {
  readonly name: string;
  readonly json: TerraformJson;
}

export interface ValidationDiagnostic {
  readonly stack: string;
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail: string;
  /** `file:line` inside the projected stack, when Terraform gives one. */
  readonly where?: string;
}

export interface ValidationResult {
  readonly ok: boolean;
  readonly diagnostics: readonly ValidationDiagnostic[];
  /** Per stack: how many AWS resources and data sources were checked, and what was projected away. */
  readonly checked: ReadonlyArray<{ stack: string; awsBlocks: number; removed: number }>;
}

/**
 * Runs `terraform validate` once over the AWS-only projection of every given stack.
 * Each stack becomes a child module of one throwaway root module, so the AWS
 * provider schema (large) is loaded once, not once per stack.
 */
export async function validateStacks(stacks: readonly SynthesizedStack[], workDir: string): Promise<ValidationResult> {
  rmSync(join(workDir, 'stacks'), { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const root: TerraformJson = {
    terraform: { required_providers: { aws: { ...AWS_PROVIDER } } },
    module: {},
  };
  const checked: { stack: string; awsBlocks: number; removed: number }[] = [];
  for (const stack of stacks) {
    const { json, removed } = projectAwsOnly(stack.json);
    const dir = join(workDir, 'stacks', stack.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(json, null, 2));
    root.module[stack.name] = { source: `./stacks/${stack.name}`, ...requiredVariablePlaceholders(json) };
    const awsBlocks = ['resource', 'data'].reduce(
      (n, block) => n + Object.values<Record<string, unknown>>(json[block] ?? {}).reduce((m, byName) => m + Object.keys(byName).length, 0),
      0,
    );
    checked.push({ stack: stack.name, awsBlocks, removed: removed.length });
  }
  writeFileSync(join(workDir, 'main.tf.json'), JSON.stringify(root, null, 2));

  const init = await terraform(['init', '-backend=false', '-input=false', '-no-color'], workDir);
  if (init.code !== 0) {
    return {
      ok: false,
      checked,
      diagnostics: [{ stack: '(all)', severity: 'error', summary: 'terraform init failed', detail: (init.stderr || init.stdout).trim() }],
    };
  }
  const run = await terraform(['validate', '-json', '-no-color'], workDir);
  let parsed: { valid: boolean; diagnostics: any[] };
  try {
    parsed = JSON.parse(run.stdout);
  } catch {
    return {
      ok: false,
      checked,
      diagnostics: [{ stack: '(all)', severity: 'error', summary: 'terraform validate gave no JSON', detail: (run.stderr || run.stdout).trim() }],
    };
  }
  const diagnostics: ValidationDiagnostic[] = parsed.diagnostics.map((d) => {
    const file: string | undefined = d.range?.filename;
    const stack = /stacks\/([^/]+)\//.exec(file ?? '')?.[1] ?? '(root)';
    return {
      stack,
      severity: d.severity,
      summary: d.summary,
      detail: d.detail ?? '',
      where: file ? `${file}:${d.range.start.line}` : undefined,
    };
  });
  return { ok: parsed.valid && run.code === 0, diagnostics, checked };
}

/**
 * A stack run as a child module needs a value for every variable without a default
 * (a sensitive key variable, say); validate only needs one of the right type.
 */
function requiredVariablePlaceholders(json: TerraformJson): Record<string, unknown> {
  const byType: Record<string, (name: string) => unknown> = { string: (name) => `${PLACEHOLDER_PREFIX}var.${name}`, number: () => 0, bool: () => false };
  const values: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries<any>(json.variable ?? {})) {
    if (variable.default === undefined && byType[variable.type]) values[name] = byType[variable.type](name);
  }
  return values;
}
