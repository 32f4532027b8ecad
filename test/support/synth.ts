import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../stacks/app';

export type StackJson = Record<string, any>;

/**
 * Synthesizes environments exactly as `npm run synth` does and returns each stack's
 * Terraform JSON by stack name (`dev-origin`). `envsDir` lets a test point at env
 * files it wrote itself.
 */
export function synthStacks(selector?: string, envsDir?: string): Map<string, StackJson> {
  const outdir = mkdtempSync(join(tmpdir(), 'edge-synth-'));
  try {
    const { app } = buildApp({ outdir, selector, envsDir });
    app.synth();
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    const stacks = new Map<string, StackJson>();
    for (const [name, info] of Object.entries<any>(manifest.stacks)) {
      stacks.set(name, JSON.parse(readFileSync(join(outdir, info.synthesizedStackPath), 'utf8')));
    }
    return stacks;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every resource of one type in a stack, by logical name. */
export function resourcesOf(stack: StackJson, type: string): Record<string, any> {
  return stack.resource?.[type] ?? {};
}

/** The only resource of a type; fails the test when there are none or several. */
export function onlyResource(stack: StackJson, type: string): any {
  const all = Object.values(resourcesOf(stack, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}
