import { isAbsolute } from 'node:path';
import type { TerraformJson } from '../validate/aws-projection';

/**
 * The `local` backend keeps state at a path relative to the repository root
 * (`terraform-state/<env>/<stack>.tfstate`), but Terraform resolves it from the folder
 * it runs in. Every tool that writes a stack somewhere runnable rewrites those paths
 * (the backend's and each `terraform_remote_state` reading a sibling) with `anchor`,
 * so state never lands beside the synthesized files and survives every re-synthesis.
 */
export function anchorLocalStatePaths(stack: TerraformJson, anchor: (rootRelative: string) => string): TerraformJson {
  return anchorLocalStatePathsInPlace(structuredClone(stack), anchor);
}

/**
 * anchorLocalStatePaths on a stack the caller owns (one it just parsed): changes and
 * returns `json` itself, sparing synth a copy of every stack.
 */
export function anchorLocalStatePathsInPlace(json: TerraformJson, anchor: (rootRelative: string) => string): TerraformJson {
  const local = json.terraform?.backend?.local;
  if (local?.path && !isAbsolute(local.path)) local.path = anchor(local.path);
  for (const ref of Object.values<any>(json.data?.terraform_remote_state ?? {})) {
    if (ref.backend === 'local' && ref.config?.path && !isAbsolute(ref.config.path)) ref.config.path = anchor(ref.config.path);
  }
  return json;
}
