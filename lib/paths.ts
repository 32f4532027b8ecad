import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The repository root (the folder holding cdktf.json), found from the working
 * directory. Code never uses __dirname for project files, because the app also runs
 * from a bundle in `.cache/`.
 */
export function repoRoot(): string {
  if (cached) return cached;
  let dir = process.cwd();
  while (!existsSync(join(dir, 'cdktf.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no cdktf.json found above ${process.cwd()}; run from inside the repository`);
    dir = parent;
  }
  cached = dir;
  return dir;
}

export function fromRoot(...parts: string[]): string {
  return join(repoRoot(), ...parts);
}
