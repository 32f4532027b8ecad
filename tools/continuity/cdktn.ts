import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fromRoot } from '../../lib/paths';
import { MARKER } from '../synth/output-folder';

/**
 * Framework continuity: the app synthesized with the community fork cdktn in place of
 * cdktf (HashiCorp's last release is 0.21.0), compared byte for byte with cdktf's
 * output. README "CDKTF status" and docs/cdktn-migration.md say why.
 *
 * The fork is installed the way a migration would start, `cdktf@npm:cdktn@<version>`,
 * into a scratch folder under `.cache/cdktn/`, keyed by the version and the manifest it
 * was installed from, so only the first run pays for the install. The project's own
 * node_modules is never touched.
 */

/** The cdktn release checked. */
export const CDKTN_VERSION = '0.24.0';

/** The prebuilt provider bindings the project uses, all published for cdktf 0.21. */
export const PREBUILT_BINDINGS = ['@cdktf/provider-aws', '@cdktf/provider-cloudflare', '@cdktf/provider-tls'] as const;

/** Where scratch installs live (gitignored). */
export const CDKTN_CACHE = fromRoot('.cache', 'cdktn');

/** One scratch install: its folder (holding node_modules) and how npm took it. */
export interface ScratchInstall {
  readonly dir: string;
  readonly version: string;
  /** True when this call found the install already in the cache. */
  readonly cached: boolean;
  /** The installed framework's package.json name and version (cdktn, 0.24.0). */
  readonly installed: { readonly name: string; readonly version: string };
  /** Why npm needed --legacy-peer-deps (its ERESOLVE summary); undefined when a plain install worked. */
  readonly peerConflict?: string;
}

/**
 * The manifest of the scratch install: the project's runtime dependencies with cdktf
 * aliased to cdktn, and esbuild (scripts/app.mjs bundles with it). Nothing else of the
 * dev dependencies: the synth needs none of them.
 */
export function scratchManifest(version: string = CDKTN_VERSION): Record<string, unknown> {
  const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8'));
  return {
    name: 'edge-mtls-cdktn-scratch',
    private: true,
    dependencies: { ...pkg.dependencies, cdktf: `npm:cdktn@${version}` },
    devDependencies: { esbuild: pkg.devDependencies.esbuild },
    // The prebuilt bindings declare peer cdktf ^0.21.0, which cdktn 0.24.0 under the
    // name cdktf does not satisfy; this says they take the alias (what the comparison
    // checks), instead of --legacy-peer-deps turning off every peer check.
    overrides: Object.fromEntries(PREBUILT_BINDINGS.map((name) => [name, { cdktf: '$cdktf' }])),
  };
}

/** Why the npm registry cannot be asked about cdktn (undefined when it answers). */
export function registryUnreachable(version: string = CDKTN_VERSION, timeoutMs = 60_000): string | undefined {
  const r = spawnSync('npm', ['view', `cdktn@${version}`, 'version', '--fetch-retries=0', `--fetch-timeout=${timeoutMs}`], { encoding: 'utf8', timeout: timeoutMs });
  if (r.error) return `npm view cdktn@${version}: ${r.error.message}`;
  if (r.status !== 0 || r.stdout.trim() !== version) {
    const why = (r.stderr || r.stdout).split('\n').find((l) => /ERR|error/i.test(l)) ?? `exit ${r.status}`;
    return `npm view cdktn@${version} failed: ${why.trim()}`;
  }
  return undefined;
}

function summary(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => /ERESOLVE|Could not resolve|peer|Conflicting/i.test(l));
  return lines.slice(0, 6).join('\n') || stderr.split('\n').slice(0, 6).join('\n');
}

/** The cache folder of the scratch install of `version`: keyed by the version and the manifest's hash. */
export function scratchInstallDir(version: string = CDKTN_VERSION): string {
  const key = createHash('sha256').update(`${JSON.stringify(scratchManifest(version), null, 2)}\n`).digest('hex').slice(0, 12);
  return join(CDKTN_CACHE, `${version}-${key}`);
}

/** Whether the scratch install of `version` is complete in the cache (no registry needed). */
export function scratchInstalled(version: string = CDKTN_VERSION): boolean {
  return existsSync(join(scratchInstallDir(version), 'install.json'));
}

/**
 * The scratch install of cdktn `version`, from the cache or installed now (bounded by
 * `timeoutMs`). A plain `npm install` first; when npm refuses the peer ranges it retries
 * with --legacy-peer-deps and says why in `peerConflict`. Installs into a temporary
 * folder renamed into place, so an interrupted install is never taken for a cached one.
 */
export function scratchInstall(options: { version?: string; timeoutMs: number; log?: (line: string) => void }): ScratchInstall {
  const version = options.version ?? CDKTN_VERSION;
  const manifest = `${JSON.stringify(scratchManifest(version), null, 2)}\n`;
  const dir = scratchInstallDir(version);
  const done = join(dir, 'install.json');
  const result = (cached: boolean): ScratchInstall => {
    const installed = JSON.parse(readFileSync(join(dir, 'node_modules', 'cdktf', 'package.json'), 'utf8'));
    const record = JSON.parse(readFileSync(done, 'utf8'));
    return { dir, version, cached, installed: { name: installed.name, version: installed.version }, peerConflict: record.peerConflict };
  };
  if (existsSync(done)) return result(true);
  mkdirSync(CDKTN_CACHE, { recursive: true });
  const work = mkdtempSync(join(CDKTN_CACHE, `.installing-${version}-`));
  try {
    writeFileSync(join(work, 'package.json'), manifest);
    const npm = (extra: string[]) => {
      options.log?.(`npm install ${extra.join(' ')} in ${work}`);
      const started = Date.now();
      const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', ...extra], {
        cwd: work,
        encoding: 'utf8',
        timeout: Math.max(1, options.timeoutMs - (Date.now() - begun)),
      });
      options.log?.(`npm install exited ${r.status ?? r.signal} after ${((Date.now() - started) / 1000).toFixed(0)}s`);
      if (r.error) throw new Error(`npm install in ${work}: ${r.error.message}`);
      return r;
    };
    const begun = Date.now();
    let peerConflict: string | undefined;
    let r = npm([]);
    if (r.status !== 0 && /ERESOLVE/.test(r.stderr)) {
      peerConflict = summary(r.stderr);
      r = npm(['--legacy-peer-deps']);
    }
    if (r.status !== 0) throw new Error(`npm install of cdktn ${version} failed (exit ${r.status}):\n${r.stderr.slice(-2000)}`);
    writeFileSync(join(work, 'install.json'), `${JSON.stringify({ version, peerConflict }, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    // Installs of this version from an older manifest are never used again.
    for (const old of readdirSync(CDKTN_CACHE)) {
      if (old.startsWith(`${version}-`) && join(CDKTN_CACHE, old) !== dir) rmSync(join(CDKTN_CACHE, old), { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return result(false);
}

/**
 * A copy of the app's sources (every file git tracks, tests and docs left out) in a new
 * temporary folder whose node_modules is the scratch install's.
 */
export function copySources(nodeModules: string): string {
  const files = spawnSync('git', ['ls-files', '-z'], { cwd: fromRoot(), encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
  const dest = mkdtempSync(join(tmpdir(), 'edge-cdktn-src-'));
  for (const rel of files) {
    if (/^(test|docs|\.github)\//.test(rel) || !existsSync(fromRoot(rel))) continue;
    mkdirSync(dirname(join(dest, rel)), { recursive: true });
    copyFileSync(fromRoot(rel), join(dest, rel));
  }
  symlinkSync(nodeModules, join(dest, 'node_modules'), 'dir');
  return dest;
}

/** The outcome of `node scripts/app.mjs` (every environment) in `root` into `outdir`. */
export interface SynthRun {
  readonly status: number | null;
  readonly stderr: string;
  readonly files: Map<string, Buffer>;
}

export function synthAll(root: string, outdir: string, options: { asShipped: boolean; timeoutMs: number }): SynthRun {
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir, EDGE_CDKTF_AS_SHIPPED: options.asShipped ? '1' : '' };
  delete env.EDGE_APP_ENTRY;
  const r = spawnSync('node', ['scripts/app.mjs'], { cwd: root, encoding: 'utf8', timeout: options.timeoutMs, env });
  return { status: r.status, stderr: `${r.stderr ?? ''}${r.error ? r.error.message : ''}`, files: existsSync(outdir) ? tree(outdir) : new Map() };
}

/**
 * Every file synth wrote under `dir`, by relative path, with its bytes. The output
 * folder's marker (`.edge-synth.json`) is left out: it names the folder it was written
 * in (path, device and inode), so two folders never share it, whatever synthesized them.
 */
export function tree(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = join(prefix, e.name);
    if (rel === MARKER) continue;
    if (e.isDirectory()) for (const [k, v] of tree(dir, rel)) out.set(k, v);
    else out.set(rel, readFileSync(join(dir, rel)));
  }
  return out;
}

/** One difference between two synth outputs: a file, and where in it (a JSON path, or the whole file). */
export interface Difference {
  readonly file: string;
  readonly path: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

const MISSING = '(missing)';

function jsonDifferences(file: string, a: unknown, b: unknown, path: string, out: Difference[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const has = (o: object) => Object.prototype.hasOwnProperty.call(o, k);
      jsonDifferences(file, has(a) ? (a as any)[k] : MISSING, has(b) ? (b as any)[k] : MISSING, `${path}${Array.isArray(a) ? `[${k}]` : `.${JSON.stringify(k)}`}`, out);
    }
    return;
  }
  out.push({ file, path: path || '(root)', expected: a, actual: b });
}

/**
 * Every difference between `expected` (cdktf) and `actual` (cdktn): files only one has,
 * and in files whose bytes differ, every JSON value that differs. Files whose values are
 * all equal but whose bytes are not (key order, spacing) are reported as `(bytes)`.
 */
export function differences(expected: Map<string, Buffer>, actual: Map<string, Buffer>): Difference[] {
  const out: Difference[] = [];
  for (const file of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
    const a = expected.get(file);
    const b = actual.get(file);
    if (!a || !b) {
      out.push({ file, path: '(file)', expected: a ? 'present' : MISSING, actual: b ? 'present' : MISSING });
      continue;
    }
    if (a.equals(b)) continue;
    const before = out.length;
    try {
      jsonDifferences(file, JSON.parse(a.toString()), JSON.parse(b.toString()), '', out);
    } catch {
      // Not JSON: the bytes differ, and that is all there is to say.
    }
    if (out.length === before) out.push({ file, path: '(bytes)', expected: `${a.length} bytes`, actual: `${b.length} bytes` });
  }
  return out;
}

/** Differences as lines, one each: `file path: expected -> actual`. */
export function formatDifferences(diffs: readonly Difference[]): string {
  const show = (v: unknown) => (typeof v === 'string' && v.length <= 200 ? JSON.stringify(v) : JSON.stringify(v)?.slice(0, 200));
  return diffs.map((d) => `${d.file} ${d.path}: ${show(d.expected)} -> ${show(d.actual)}`).join('\n');
}
