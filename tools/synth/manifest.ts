import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TerraformJson } from '../validate/aws-projection';

export interface SynthesizedStackInfo {
  readonly name: string;
  readonly json: TerraformJson;
  /** Stacks this one reads through cross-stack references. */
  readonly dependencies: readonly string[];
}

/** Every stack CDKTF wrote into `outdir`, by name, as its manifest lists them. */
export function readSynthesized(outdir: string): Map<string, SynthesizedStackInfo> {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  const stacks = new Map<string, SynthesizedStackInfo>();
  for (const name of Object.keys(manifest.stacks).sort()) {
    const info = manifest.stacks[name];
    stacks.set(name, {
      name,
      json: JSON.parse(readFileSync(join(outdir, info.synthesizedStackPath), 'utf8')),
      dependencies: info.dependencies ?? [],
    });
  }
  return stacks;
}
