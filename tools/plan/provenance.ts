import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../../lib/paths';
import { constructPaths, type StackJson } from '../tf-json/stack';

/** What a report says about where it came from: the commit, the providers, the construct paths. */

/**
 * Provider source -> version pinned in a Terraform dependency lock file
 * (`provider "registry.terraform.io/hashicorp/aws" { version = "5.100.0" ... }`).
 */
export function parseLockFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/provider\s+"([^"]+)"\s*\{[^}]*?\bversion\s*=\s*"([^"]+)"/g)) out[m[1]] = m[2];
  return out;
}

/** The providers `terraform init` locked in a work dir; empty when there is no lock file. */
export function lockedProviders(dir: string): Record<string, string> {
  const file = join(dir, '.terraform.lock.hcl');
  return existsSync(file) ? parseLockFile(readFileSync(file, 'utf8')) : {};
}

/** The commit checked out (`GITHUB_SHA` when git cannot tell), or undefined outside a repository. */
export function currentCommit(cwd: string = fromRoot()): string | undefined {
  const r = spawnSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : process.env.GITHUB_SHA || undefined;
}

/** Construct paths by address of a synthesized stack file, as a plain record for the report. */
export function constructPathsOfFile(file: string): Record<string, string> {
  try {
    return Object.fromEntries(constructPaths(JSON.parse(readFileSync(file, 'utf8')) as StackJson));
  } catch {
    return {};
  }
}
