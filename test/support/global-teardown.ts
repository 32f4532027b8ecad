import { existsSync, readFileSync, rmSync } from 'node:fs';
import { stopProcessGroup } from './moto';
import { RUN_DIR_VARIABLE, sharedMotoPgidFile } from './run-dir';

/** jest globalTeardown: stops the shared moto (if a test started it) and removes the run folder. */
export default function globalTeardown(): void {
  const dir = process.env[RUN_DIR_VARIABLE];
  if (!dir) return;
  const pgidFile = sharedMotoPgidFile(dir);
  if (existsSync(pgidFile)) stopProcessGroup(Number(readFileSync(pgidFile, 'utf8')));
  rmSync(dir, { recursive: true, force: true });
}
