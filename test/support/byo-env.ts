import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { baseEnvironment, withField } from './env-files';
import { OpensslWorkbench } from './openssl';

/**
 * One temp folder that is both an env-files folder and an openssl workbench, so an
 * env file can name PEM files made at test time by relative path. `cleanup()` removes it.
 */
export class ByoWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'edge-byo-'));
  readonly bench = new OpensslWorkbench(this.dir);

  /** Writes `dev.yaml`: the repository's dev env with the given pki (and origin) sections. */
  writeDev(pki: Record<string, unknown>, origin?: Record<string, unknown>): void {
    let env = withField(baseEnvironment('dev'), 'pki', pki);
    if (origin) env = withField(env, 'origin', origin);
    writeFileSync(join(this.dir, 'dev.yaml'), stringify(env));
  }

  /** Writes a file into the folder and returns its name (relative, as an env file names it). */
  file(name: string, content: string | Buffer): string {
    writeFileSync(join(this.dir, name), content);
    return name;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
