#!/usr/bin/env node
// Runs main.ts from an esbuild bundle cached in .cache/app/. The bundle is rebuilt
// whenever the content of any source file it was built from changes (hashes are
// checked on every run), so an edited file is never served stale. Packages stay
// external: they load from node_modules through their deep-import paths.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = process.env.EDGE_APP_ENTRY ?? 'main.ts';
const cacheDir = join(root, '.cache', 'app');
const tag = entry.replace(/[^\w]/g, '_');
const bundlePath = join(cacheDir, `${tag}.cjs`);
const metaPath = join(cacheDir, `${tag}.inputs.json`);
const BUILD_VERSION = '1';

const hashFile = (rel) => createHash('sha1').update(readFileSync(join(root, rel))).digest('hex');

function isFresh() {
  if (!existsSync(bundlePath) || !existsSync(metaPath)) return false;
  try {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    if (meta.version !== BUILD_VERSION) return false;
    return Object.entries(meta.inputs).every(([rel, hash]) => existsSync(join(root, rel)) && hashFile(rel) === hash);
  } catch {
    return false;
  }
}

async function build() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'inline',
    metafile: true,
    write: false,
    logLevel: 'error',
  });
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).map((rel) => [rel, hashFile(rel)]));
  mkdirSync(cacheDir, { recursive: true });
  // Write-then-rename: concurrent runs never see a half-written bundle.
  const tmp = `${bundlePath}.${process.pid}`;
  writeFileSync(tmp, result.outputFiles[0].contents);
  renameSync(tmp, bundlePath);
  writeFileSync(`${metaPath}.${process.pid}`, JSON.stringify({ version: BUILD_VERSION, inputs }));
  renameSync(`${metaPath}.${process.pid}`, metaPath);
}

if (!isFresh()) await build();
process.setSourceMapsEnabled(true);
createRequire(import.meta.url)(bundlePath);
