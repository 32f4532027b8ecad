import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_DIR_VARIABLE } from './run-dir';

/**
 * jest globalSetup: one scratch folder per run, visible to every worker through the
 * environment (workers start after this and inherit it). Nothing slow happens here:
 * a unit-only run must not pay for moto, so the shared environment starts lazily.
 */
export default function globalSetup(): void {
  const dir = mkdtempSync(join(tmpdir(), 'edge-test-run-'));
  process.env[RUN_DIR_VARIABLE] = dir;
  process.env.EDGE_TEST_PARENT_PID = String(process.pid);
  // cdktf's App creates <outdir>/stacks/ as soon as it is constructed; tests that build
  // an App without an outdir must not leave cdktf.out/ in the working tree.
  process.env.CDKTF_OUTDIR ??= join(dir, 'cdktf.out');
  // Every terraform init of the run links the 700 MB AWS provider from one cache
  // instead of copying it from the mirror (seconds of disk I/O per init otherwise).
  // terraform and the AWS provider are Go programs; the provider builds every AWS
  // schema at each start (about 2.5 s of CPU, a third of it garbage collection).
  // Collecting less often cuts that by about a third, for a few hundred MB of memory.
  process.env.GOGC ??= '400';
  if (!process.env.TF_PLUGIN_CACHE_DIR) {
    const cache = join(dir, 'plugin-cache');
    mkdirSync(cache);
    process.env.TF_PLUGIN_CACHE_DIR = cache;
    process.env.TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = 'true';
  }
}
