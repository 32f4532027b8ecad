import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fromRoot } from '../../lib/paths';
import type { StackJson } from '../../tools/synth/synth-json';
import { testEnvsDir } from './env-files';
import { RUN_DIR_VARIABLE } from './run-dir';

export type { StackJson };

/**
 * Synthesizes environments exactly as `npm run synth` does and returns each stack's
 * Terraform JSON by stack name (`dev-origin`). `envsDir` lets a test point at env
 * files it wrote itself; by default the repository's, with prod's keyless on.
 *
 * Many test files synthesize the same environments. Within one jest run the JSON is
 * kept in the run folder, keyed by the selector, every byte of the env folder and
 * every source file the synth reads, so a second file gets it without loading CDKTF
 * (about a second of CPU per file). A synth that fails is never cached. An env folder
 * whose files point outside it is not cached either (its key could not see them).
 */
export function synthStacks(selector?: string, envsDir: string = testEnvsDir()): Map<string, StackJson> {
  const file = cacheFile(selector, envsDir);
  if (file && existsSync(file)) return new Map(JSON.parse(readFileSync(file, 'utf8')));
  // Loaded here, not at the top: a file served from the cache never loads CDKTF.
  const { synthesizeJson } = require('../../tools/synth/synth-json') as typeof import('../../tools/synth/synth-json');
  const stacks = synthesizeJson(selector, envsDir).stacks;
  if (file) {
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify([...stacks]));
    renameSync(tmp, file);
  }
  return stacks;
}

/** Where this synth's JSON is cached, or undefined when it must not be. */
function cacheFile(selector: string | undefined, envsDir: string): string | undefined {
  const run = process.env[RUN_DIR_VARIABLE];
  if (!run) return undefined;
  const envs = folderDigest(envsDir);
  if (envs === undefined) return undefined;
  const dir = join(run, 'synth-cache');
  mkdirSync(dir, { recursive: true });
  const key = createHash('sha256').update(JSON.stringify([selector ?? '', envs, sourceDigest()])).digest('hex');
  return join(dir, `${key}.json`);
}

/** A PEM path (the only files env files name) that is absolute or climbs out of the folder. */
const REFERS_OUTSIDE = /(^|[\s"'[,])(\/|[^\s"'[,]*\.\.[\\/])[^\s"']*\.(pem|crt|cer)\b|allowPemFilesOutsideProject/m;

/** Names and bytes of every file under `dir`; undefined when an env file refers outside it. */
function folderDigest(dir: string): string | undefined {
  const hash = createHash('sha256');
  const walk = (d: string): boolean => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(d, e.name);
      if (e.isDirectory()) {
        if (!walk(path)) return false;
        continue;
      }
      const bytes = readFileSync(path);
      if (/\.ya?ml$/.test(e.name) && REFERS_OUTSIDE.test(bytes.toString('utf8'))) return false;
      hash.update(`${relative(dir, path)}\0${bytes.length}\0`).update(bytes);
    }
    return true;
  };
  return walk(dir) ? hash.digest('hex') : undefined;
}

let sources: string | undefined;

/** Every file the synth is built from (the layers below main.ts) and the installed packages. */
function sourceDigest(): string {
  if (sources === undefined) {
    const hash = createHash('sha256');
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const path = join(d, e.name);
        if (e.isDirectory()) walk(path);
        else hash.update(`${relative(fromRoot(), path)}\0`).update(readFileSync(path));
      }
    };
    for (const layer of ['lib', 'envs', 'providers', 'stacks', 'modules', 'tools']) walk(fromRoot(layer));
    hash.update(readFileSync(fromRoot('node_modules', '.package-lock.json')));
    sources = hash.digest('hex');
  }
  return sources;
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
