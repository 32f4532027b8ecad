import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedEnvironment } from '../../envs/resolve';
import { buildApp } from '../../stacks/app';
import { readSynthesized } from './manifest';

export type StackJson = Record<string, any>;

export interface SynthesizedJson {
  /** Each stack's Terraform JSON by stack name (`dev-origin`). */
  readonly stacks: Map<string, StackJson>;
  /** Each stack's cross-stack dependencies (stack names), as the manifest lists them. */
  readonly dependencies: Map<string, readonly string[]>;
  readonly environments: readonly ResolvedEnvironment[];
}

/**
 * Synthesizes environments exactly as `npm run synth` does, into a temporary folder
 * that is removed afterwards, and returns the JSON. For everything that must not
 * disturb `cdktf.out/`: policy, validate, plan/drift, review and the tests.
 */
export function synthesizeJson(selector?: string, envsDir?: string): SynthesizedJson {
  const outdir = mkdtempSync(join(tmpdir(), 'edge-synth-'));
  try {
    const { app, environments } = buildApp({ outdir, selector, envsDir });
    app.synth();
    const synthesized = readSynthesized(outdir);
    return {
      stacks: new Map([...synthesized].map(([name, s]) => [name, s.json])),
      dependencies: new Map([...synthesized].map(([name, s]) => [name, s.dependencies])),
      environments,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
