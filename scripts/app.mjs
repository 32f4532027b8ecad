#!/usr/bin/env node
// Runs main.ts from an esbuild bundle cached in .cache/app/. The bundle holds the
// app and the parts of cdktf and the providers it imports (one file to load instead
// of hundreds: about 40% faster than loading them from node_modules). It is rebuilt
// whenever the content of any project file it was built from changes, or whenever
// node_modules changes (npm rewrites node_modules/.package-lock.json on every
// install), so nothing is served stale. Content is compared by hash; a file whose
// inode, size, mtime and ctime (nanoseconds) are those recorded when it was hashed is
// not read again (see unchanged()).
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { Script } from 'node:vm';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = process.env.EDGE_APP_ENTRY ?? 'main.ts';
const cacheDir = join(root, '.cache', 'app');
const sourceMaps = process.env.EDGE_SOURCE_MAPS === '1';
// The bundle carries a few changes to cdktf that remove work whose result never
// reaches cdktf.out (scripts/app/cdktf-patches.mjs). EDGE_CDKTF_AS_SHIPPED=1 bundles
// cdktf unchanged, to debug cdktf itself; EDGE_CDKTF_SKIP_PATCHES=<name>,<name> bundles
// it without the named patches (npm run bench measures what each one gains).
const asShipped = process.env.EDGE_CDKTF_AS_SHIPPED === '1';
const skipped = asShipped ? [] : (process.env.EDGE_CDKTF_SKIP_PATCHES ?? '').split(',').map((s) => s.trim()).filter(Boolean).sort();
const variant = `${sourceMaps ? '-maps' : ''}${asShipped ? '-as-shipped' : ''}${skipped.length > 0 ? `-without-${skipped.join('+')}` : ''}`;
const tag = `${entry.replace(/[^\w]/g, '_')}${variant}`;
const bundlePath = join(cacheDir, `${tag}.cjs`);
const metaPath = join(cacheDir, `${tag}.inputs.json`);
const BUILD_VERSION = `10${variant}`;

const hashFile = (rel) => createHash('sha1').update(readFileSync(join(root, rel))).digest('hex');
// Files under node_modules are covered by the installed-tree lockfile instead of
// being hashed one by one (hundreds of files, megabytes).
const INSTALLED_TREE = 'node_modules/.package-lock.json';
// The patches are part of what the bundle was built from.
const PATCHES = 'scripts/app/cdktf-patches.mjs';
const tracked = (rel) => !rel.startsWith('node_modules/');
// Set for the child process that only builds the bundle (see the end of this file).
const BUILD_ONLY = 'EDGE_APP_BUILD_ONLY';

/**
 * What identifies a file's current content without reading it: inode, size, mtime and
 * ctime in nanoseconds. Anything that writes the file changes its ctime, which no tool
 * can set back (utimes sets mtime and atime only). Undefined for a missing file.
 */
function stamp(rel) {
  try {
    const s = statSync(join(root, rel), { bigint: true });
    return { id: `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`, ctimeNs: s.ctimeNs };
  } catch {
    return undefined;
  }
}

// A file changed within this long of its stamp being taken could change again without
// its timestamps moving (a file system with coarse timestamps): such a stamp is not
// trusted and the file is hashed, as git does with its "racily clean" index entries.
const RACY_NS = 2_000_000_000n;

/** Stamps of `rels`, taken before they are hashed, with the moment they were taken. */
function stampsOf(rels) {
  const at = BigInt(Date.now()) * 1_000_000n;
  const stamps = {};
  for (const rel of rels) {
    const s = stamp(rel);
    if (s && at - s.ctimeNs > RACY_NS) stamps[rel] = s.id;
  }
  return stamps;
}

/** Whether `rel` is certainly the content it had when `hash` was taken, by its stamp alone. */
const unchanged = (meta, rel) => meta.stamps?.[rel] !== undefined && stamp(rel)?.id === meta.stamps[rel];

function isFresh() {
  if (!existsSync(bundlePath) || !existsSync(metaPath)) return false;
  try {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    if (meta.version !== BUILD_VERSION) return false;
    const rels = Object.keys(meta.inputs);
    const unstamped = rels.filter((rel) => !unchanged(meta, rel));
    if (unstamped.length === 0) return true;
    const stamps = stampsOf(unstamped);
    if (!unstamped.every((rel) => existsSync(join(root, rel)) && hashFile(rel) === meta.inputs[rel])) return false;
    // Same content under new timestamps (a checkout, a touch): stamp it, so the next run need not read it.
    writeMeta({ ...meta, stamps: { ...meta.stamps, ...stamps } });
    return true;
  } catch {
    return false;
  }
}

function writeMeta(meta) {
  try {
    const tmp = `${metaPath}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify(meta));
    renameSync(tmp, metaPath);
  } catch {
    // A read-only cache folder only costs the next run its hashing.
  }
}

async function build() {
  let patches;
  if (!asShipped) {
    const { selectPatches, patchRefusal, cdktfPatches } = await import('./app/cdktf-patches.mjs');
    // Each patch is written for one cdktf release; any other (cdktn included) is
    // refused with how to re-check, before anything is bundled.
    let refusal;
    try {
      const selected = selectPatches(skipped.join(','));
      refusal = patchRefusal(root, selected);
      patches = cdktfPatches(selected);
    } catch (e) {
      refusal = e.message;
    }
    if (refusal) {
      process.stderr.write(`scripts/app.mjs: refusing to bundle: ${refusal}\n`);
      process.exit(1);
    }
  }
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
    plugins: patches ? [patches] : [],
    // The file holds the bundle already wrapped as node wraps a CommonJS module, so a run
    // compiles the text it read instead of a 6 MB copy with the wrapper around it (the
    // wrapper is part of esbuild's output, so a source map still points at the right
    // lines). The first line names the build, so its V8 code cache can never be applied
    // to another one.
    banner: { js: `// build ${randomUUID()}\n${Module.wrapper[0]}` },
    footer: { js: Module.wrapper[1] },
    // Every string, regular expression and identifier escaped to ASCII (see below).
    charset: 'ascii',
    logLevel: 'error',
  });
  const files = [...Object.keys(result.metafile.inputs).filter(tracked), INSTALLED_TREE, ...(asShipped ? [] : [PATCHES])];
  // Stamped before hashing: a change in between shows as a stamp that no longer matches.
  const stamps = stampsOf(files);
  const inputs = Object.fromEntries(files.map((rel) => [rel, hashFile(rel)]));
  mkdirSync(cacheDir, { recursive: true });
  // Write-then-rename: concurrent runs never see a half-written bundle.
  const tmp = `${bundlePath}.${process.pid}`;
  // With charset ascii, what non-ASCII is left can only be in comments esbuild kept
  // (a few, from dependencies); replacing it makes the bundle pure ASCII, so it is
  // read as latin1: a third of the time of decoding 6 MB of UTF-8 on every run.
  writeFileSync(tmp, result.outputFiles[0].text.replace(/[^\x00-\x7f]/g, '?'), 'latin1');
  renameSync(tmp, bundlePath);
  writeFileSync(`${metaPath}.${process.pid}`, JSON.stringify({ version: BUILD_VERSION, inputs, stamps }));
  renameSync(`${metaPath}.${process.pid}`, metaPath);
  // Code caches of earlier builds of this variant can never be used again.
  for (const f of readdirSync(cacheDir)) if (f.startsWith(`${tag}.`) && f.endsWith('.v8cache')) rmSync(join(cacheDir, f), { force: true });
}

/**
 * Runs the bundle as node would require it, with V8's code cache: compiling 6 MB of
 * JavaScript is a sixth of a warm run. The cache is written once per build, at exit,
 * so it also holds the functions compiled while the app ran. V8 checks only the
 * source's length before using a cache, so the cache is named by the build id in the
 * bundle's first line: it can only ever meet the source it was made from.
 */
function runBundle() {
  const source = readFileSync(bundlePath, 'latin1');
  const build = /^\/\/ build ([0-9a-f-]{36})$/m.exec(source.slice(0, 200))?.[1];
  const codeCachePath = build && join(cacheDir, `${tag}.${build}.${process.version}-${process.arch}.v8cache`);
  let cachedData;
  try {
    if (codeCachePath) cachedData = readFileSync(codeCachePath);
  } catch {
    // No cache yet: this run writes it.
  }
  const script = new Script(source, { filename: bundlePath, cachedData });
  if (codeCachePath && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => {
      try {
        const tmp = `${codeCachePath}.${process.pid}`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, codeCachePath);
      } catch {
        // A read-only cache folder only costs the next run its compile time.
      }
    });
  }
  const mod = new Module(bundlePath);
  mod.filename = bundlePath;
  mod.paths = Module._nodeModulePaths(cacheDir);
  script.runInThisContext()(mod.exports, createRequire(bundlePath), mod, bundlePath, cacheDir);
}

// A stale bundle is rebuilt in a child process, which ends before the app starts: the
// build's copies of the bundle (esbuild's output, its text, the ASCII and wrapped
// versions, the metafile) never share a heap with the app, so a cold run peaks no
// higher than a warm one that compiles without its code cache.
if (process.env[BUILD_ONLY] === '1') {
  // The parent found the bundle stale (hashing every input); asking again would hash them twice.
  await build();
} else {
  if (!isFresh()) {
    const { spawnSync } = await import('node:child_process');
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { stdio: 'inherit', env: { ...process.env, [BUILD_ONLY]: '1' } });
    if (child.status !== 0) process.exit(child.status ?? 1);
  }
  if (sourceMaps) process.setSourceMapsEnabled(true);
  runBundle();
}
