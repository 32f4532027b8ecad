import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedEnvironment } from '../envs/load';
import { buildApp } from '../stacks/app';

export type StackJson = Record<string, any>;

export interface SynthesizedJson {
  /** Each stack's Terraform JSON by stack name (`dev-origin`). */
  readonly stacks: Map<string, StackJson>;
  readonly environments: readonly LoadedEnvironment[];
}

/**
 * Synthesizes environments exactly as `npm run synth` does, into a temporary folder
 * that is removed afterwards, and returns the JSON. For checks (policy, tests) that
 * must not disturb `cdktf.out/`.
 */
export function synthesizeJson(selector?: string, envsDir?: string): SynthesizedJson {
  const outdir = mkdtempSync(join(tmpdir(), 'edge-synth-'));
  try {
    const { app, environments } = buildApp({ outdir, selector, envsDir });
    app.synth();
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    const stacks = new Map<string, StackJson>();
    for (const [name, info] of Object.entries<any>(manifest.stacks)) {
      stacks.set(name, JSON.parse(readFileSync(join(outdir, info.synthesizedStackPath), 'utf8')));
    }
    return { stacks, environments };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
