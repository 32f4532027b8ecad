#!/usr/bin/env node
// Runs main.ts from an esbuild bundle cached in .cache/app/. The bundle holds the
// app and the parts of cdktf and the providers it imports (one file to load instead
// of hundreds: about 40% faster than loading them from node_modules). It is rebuilt
// whenever the content of any project file it was built from changes (hashed on
// every run), or whenever node_modules changes (npm rewrites
// node_modules/.package-lock.json on every install), so nothing is served stale.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = process.env.EDGE_APP_ENTRY ?? 'main.ts';
const cacheDir = join(root, '.cache', 'app');
const sourceMaps = process.env.EDGE_SOURCE_MAPS === '1';
// CDKTF records a full stack trace for every token it creates, only to quote it if
// resolving that token fails: a fifth of synth's CPU, and nothing of it reaches
// cdktf.out (test/unit/synth-bundle.test.ts compares the output both ways).
// EDGE_STACK_TRACES=1 keeps them, for debugging such a failure.
const stackTraces = process.env.EDGE_STACK_TRACES === '1';
const variant = `${sourceMaps ? '-maps' : ''}${stackTraces ? '-traces' : ''}`;
const tag = `${entry.replace(/[^\w]/g, '_')}${variant}`;
const bundlePath = join(cacheDir, `${tag}.cjs`);
const metaPath = join(cacheDir, `${tag}.inputs.json`);
const BUILD_VERSION = `4${variant}`;

/** Replaces cdktf's stack-trace capture with one that records no frames. */
const withoutStackTraces = {
  name: 'without-stack-traces',
  setup(build) {
    build.onLoad({ filter: /[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]stack-trace\.js$/ }, () => ({
      loader: 'js',
      contents: 'exports.captureStackTrace = function captureStackTrace() { return []; };\n',
    }));
  },
};

const hashFile = (rel) => createHash('sha1').update(readFileSync(join(root, rel))).digest('hex');
// Files under node_modules are covered by the installed-tree lockfile instead of
// being hashed one by one (hundreds of files, megabytes).
const INSTALLED_TREE = 'node_modules/.package-lock.json';
const tracked = (rel) => !rel.startsWith('node_modules/');

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
    // esbuild itself and the CLI are never part of the app.
    external: ['esbuild', 'cdktf-cli'],
    // A source map of the whole bundle doubles start-up time and memory; the bundle
    // is unminified with a `// path/to/file.ts` comment above each module, so stack
    // traces stay readable. EDGE_SOURCE_MAPS=1 builds and uses one anyway.
    sourcemap: sourceMaps ? 'inline' : false,
    metafile: true,
    write: false,
    plugins: stackTraces ? [] : [withoutStackTraces],
    logLevel: 'error',
  });
  const files = [...Object.keys(result.metafile.inputs).filter(tracked), INSTALLED_TREE];
  const inputs = Object.fromEntries(files.map((rel) => [rel, hashFile(rel)]));
  mkdirSync(cacheDir, { recursive: true });
  // Write-then-rename: concurrent runs never see a half-written bundle.
  const tmp = `${bundlePath}.${process.pid}`;
  writeFileSync(tmp, result.outputFiles[0].contents);
  renameSync(tmp, bundlePath);
  writeFileSync(`${metaPath}.${process.pid}`, JSON.stringify({ version: BUILD_VERSION, inputs }));
  renameSync(`${metaPath}.${process.pid}`, metaPath);
}

if (!isFresh()) await build();
if (sourceMaps) process.setSourceMapsEnabled(true);
createRequire(import.meta.url)(bundlePath);
