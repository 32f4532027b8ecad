import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { runDir } from './run-dir';

/**
 * A fresh folder for one test (or one file), inside the scratch folder of the jest run
 * (test/support/global-setup.ts), which global-teardown.ts removes with everything in
 * it: a test that does not clean up after itself leaves nothing in the OS temp folder,
 * where every run used to leave dozens of folders. Use it instead of
 * `mkdtempSync(join(tmpdir(), prefix))`; test/unit/in-process.test.ts refuses the latter
 * in unit files and the support modules they use.
 */
export function scratchDir(prefix: string): string {
  const parent = join(runDir(), 'scratch');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, prefix));
}
