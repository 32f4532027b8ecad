import { synthesizeJson, type StackJson } from '../../tools/synth/synth-json';
import { testEnvsDir } from './env-files';

export type { StackJson };

/**
 * Synthesizes environments exactly as `npm run synth` does and returns each stack's
 * Terraform JSON by stack name (`dev-origin`). `envsDir` lets a test point at env
 * files it wrote itself; by default the repository's, with prod's keyless on.
 */
export function synthStacks(selector?: string, envsDir: string = testEnvsDir()): Map<string, StackJson> {
  return synthesizeJson(selector, envsDir).stacks;
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
