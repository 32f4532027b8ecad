import { X509Certificate } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { caPin } from '../../lib/ca-pins';
import { parsePemBlocks } from '../../lib/x509';
import { baseEnvironment, withField } from './env-files';
import { OpensslWorkbench } from './openssl';

/**
 * The pins (lib/ca-pins) of every certificate a PEM file of `dir` holds, or [] when it
 * is not a readable regular file of certificates (hostile cases: a FIFO is never opened).
 */
export function pinsOfFile(dir: string, path: string): string[] {
  const full = join(dir, path);
  try {
    if (!lstatSync(full).isFile()) return [];
    return parsePemBlocks(readFileSync(full, 'latin1')).flatMap((b) => {
      try {
        return b.label === 'CERTIFICATE' ? [caPin(new X509Certificate(b.der))] : [];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/**
 * One temp folder that is both an env-files folder and an openssl workbench, so an
 * env file can name PEM files made at test time by relative path. `cleanup()` removes it.
 */
export class ByoWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'edge-byo-'));
  readonly bench = new OpensslWorkbench(this.dir);

  /**
   * Writes `dev.yaml`: the repository's dev env with the given pki (and origin) sections.
   * Unless a section sets `expectedCaKeys` itself, it pins every CA its files hold, as a
   * person would after checking them, so a test of another check is not refused for pins.
   */
  writeDev(pki: Record<string, unknown>, origin?: Record<string, unknown>): void {
    const pinned = (section: Record<string, unknown>, files: unknown[]) =>
      'expectedCaKeys' in section ? section : { ...section, expectedCaKeys: [...new Set(files.flatMap((f) => (typeof f === 'string' ? pinsOfFile(this.dir, f) : [])))] };
    let env = withField(baseEnvironment('dev'), 'pki', pki.mode === 'byo' ? pinned(pki, [pki.caBundle]) : pki);
    if (origin) env = withField(env, 'origin', Array.isArray(origin.additionalTrustedCas) ? pinned(origin, origin.additionalTrustedCas) : origin);
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
