import { join } from 'node:path';

/**
 * The scratch folder of the current jest run, made by test/support/global-setup.ts
 * and removed by global-teardown.ts. Things shared by the test files of one run (the
 * moto environment, terraform's plugin cache) live here.
 */
export const RUN_DIR_VARIABLE = 'EDGE_TEST_RUN_DIR';

export function runDir(): string {
  const dir = process.env[RUN_DIR_VARIABLE];
  if (!dir) throw new Error(`${RUN_DIR_VARIABLE} is not set: run the tests through jest with the repository's jest.config.js (its globalSetup makes the run folder)`);
  return dir;
}


/** The moto process group file of the shared environment, for teardown. */
export function sharedMotoPgidFile(dir: string): string {
  return join(dir, 'shared-local', 'moto.pgid');
}
