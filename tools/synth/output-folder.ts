import { accessSync, constants, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, parse, relative, resolve, sep } from 'node:path';
import { ConfigError, quote } from '../../lib/errors';

/**
 * The output folder of `npm run synth` (`cdktf.out/` by default) is one the user also
 * works in: `terraform init` leaves `.terraform/` and a lock file beside each stack.
 * Synth therefore owns exactly what it wrote, proves it with a marker file, and
 * replaces its files one at a time instead of swapping the folder.
 */

/** Written by synth at the top of its output; lists the stacks it wrote. */
export const MARKER = '.edge-synth.json';
const MARKER_ID = 'edge-mtls-cdktf synth output';

/** What terraform itself keeps in a stack folder; synth never touches it. */
const TERRAFORM_OWNED = new Set(['.terraform', '.terraform.lock.hcl']);
/** What synth writes into a stack folder. */
const SYNTH_OWNED_IN_STACK = new Set(['cdk.tf.json', 'metadata.json']);

interface Marker {
  readonly writtenBy: string;
  readonly stacks: readonly string[];
  /**
   * The folder the marker was written in (real path) and that folder's device and inode.
   * A marker proves ownership of this folder only: copied or moved elsewhere (or into a
   * forged folder), it names another folder or inode and is refused.
   */
  readonly folder: string;
  readonly inode: string;
}

/** Suffix of the per-file temporaries of this process (write-then-rename). */
export const tempSuffix = (): string => `.tmp-synth-${process.pid}`;

const refuse = (source: string, message: string): ConfigError => ConfigError.single(source, '(output folder)', message);

/** Linux limits (PATH_MAX, NAME_MAX): refused up front, so the user never sees a raw ENAMETOOLONG. */
export const MAX_PATH_BYTES = 4095;
export const MAX_NAME_BYTES = 255;

/**
 * Pseudo filesystems that are no place for files: writes there fail or act on the kernel,
 * and a recursive mkdir under /proc can spin in the kernel where SIGTERM does not reach
 * it. Refused by path and, where statfs says so, by filesystem type.
 */
const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];
const SPECIAL_FS_TYPES: Record<number, string> = {
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x1cd1: 'devpts',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
  0xcafe4a11: 'bpf',
};

/** The nearest existing ancestor of `path` (itself when it exists) and the names below it. */
function nearestExisting(path: string): { existing: string; rest: string[] } {
  let p = path;
  const rest: string[] = [];
  // Bounded by the number of path components: each round strips one.
  while (!lexists(p)) {
    const parent = dirname(p);
    if (parent === p) break;
    rest.unshift(parse(p).base);
    p = parent;
  }
  return { existing: p, rest };
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

/** Why the (absolute) path is too long for the system, or undefined. */
function lengthProblem(path: string): string | undefined {
  if (byteLength(path) > MAX_PATH_BYTES) return `is ${byteLength(path)} bytes long as an absolute path; the system allows at most ${MAX_PATH_BYTES}`;
  const long = path.split(sep).find((name) => byteLength(name) > MAX_NAME_BYTES);
  if (long) return `has a folder name of ${byteLength(long)} bytes (${quote(long)}); the system allows at most ${MAX_NAME_BYTES} per name`;
  return undefined;
}

/** Why the folder holding `real` is a pseudo filesystem, or undefined. */
function specialFilesystem(real: string, existing: string): string | undefined {
  const root = SPECIAL_ROOTS.find((r) => real === r || real.startsWith(r + sep));
  if (root) return `is under ${root}, a pseudo filesystem of the kernel, not a place for files`;
  try {
    const type = SPECIAL_FS_TYPES[statfsSync(existing).type];
    if (type) return `is on a ${type} filesystem, a pseudo filesystem of the kernel, not a place for files`;
  } catch {
    // statfs is only a second opinion; the path check above is the rule.
  }
  return undefined;
}

function folderIdentity(outdir: string): { folder: string; inode: string } {
  const st = statSync(outdir);
  return { folder: realpathSync(outdir), inode: `${st.dev}:${st.ino}` };
}

type MarkerState = { kind: 'none' } | { kind: 'ours'; marker: Marker } | { kind: 'foreign'; why: string };

function readMarker(outdir: string): MarkerState {
  const path = join(outdir, MARKER);
  if (!lexists(path)) return { kind: 'none' };
  if (!lstatSync(path).isFile()) return { kind: 'foreign', why: `its ${MARKER} is not a regular file (a symlink or folder is never synth's)` };
  let m: Partial<Marker> | undefined;
  try {
    m = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return { kind: 'foreign', why: `its ${MARKER} is not synth's JSON` };
  }
  const valid = m?.writtenBy === MARKER_ID && Array.isArray(m.stacks) && m.stacks.every((s: unknown) => typeof s === 'string' && /^[\w-]+$/.test(s));
  if (!valid) return { kind: 'foreign', why: `its ${MARKER} was not written by synth` };
  const here = folderIdentity(outdir);
  if (typeof m!.folder !== 'string' || typeof m!.inode !== 'string') {
    return { kind: 'foreign', why: `its ${MARKER} does not say which folder it was written in (an older synth, or a forged one); delete the folder if it is only synth output` };
  }
  if (m!.folder !== here.folder || m!.inode !== here.inode) {
    return { kind: 'foreign', why: `its ${MARKER} was written in ${quote(m!.folder)}, not here: a copied or moved marker does not make a folder synth's; delete the folder if it is only synth output` };
  }
  return { kind: 'ours', marker: m as Marker };
}

/**
 * Whether anything but folders lies under `dir`. A tree of empty folders is not the
 * user's work: cdktf's App creates `<outdir>/stacks/` the moment it is constructed,
 * so any script or test that builds an App without an outdir leaves `cdktf.out/stacks/`
 * behind, and synth must not refuse the folder over it. Symlinks count as files.
 */
function holdsFiles(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true }).some((e) => !e.isDirectory() || holdsFiles(join(dir, e.name)));
}

/**
 * Resolves the output folder and refuses every folder synth could damage: an empty
 * setting, a path too long for the system, `/`, a pseudo filesystem (/proc, /sys, /dev),
 * the project root or any folder containing it, anything inside `.git`, a nearest
 * existing ancestor that is not a writable folder, and an existing folder that holds
 * files (not just empty folders) without synth's marker written in that very folder.
 * `source` names the setting in messages (`CDKTF_OUTDIR`, `--outdir`).
 */
export function checkOutputFolder(requested: string, projectRoot: string, source: string): { outdir: string; previous?: Marker } {
  if (requested.trim() === '') throw refuse(source, 'is empty; leave it unset for cdktf.out, or name a folder of its own such as "cdktf.out"');
  if (requested.includes('\0')) throw refuse(source, `${quote(requested)} contains a NUL character; name a folder such as "cdktf.out"`);
  const outdir = resolve(requested);
  const tooLong = lengthProblem(outdir);
  if (tooLong) throw refuse(source, `${quote(requested)} ${tooLong}; name a shorter folder such as "cdktf.out"`);
  const { existing, rest } = nearestExisting(outdir);
  let real: string;
  try {
    real = join(realpathSync(existing), ...rest);
  } catch (e) {
    throw refuse(source, `${quote(requested)} cannot be resolved (${describeFsError(e)}); name a folder of its own such as "cdktf.out"`);
  }
  const special = specialFilesystem(real, existing);
  if (special) throw refuse(source, `${quote(requested)} ${special}; name a folder of its own such as "cdktf.out"`);
  const root = realpathSync(projectRoot);
  const contains = (parent: string, child: string): boolean => child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
  if (real === parse(real).root) throw refuse(source, `${quote(requested)} is the filesystem root; name a folder of its own such as "cdktf.out"`);
  if (contains(real, root)) throw refuse(source, `${quote(requested)} is the project root or a folder containing it; name a folder of its own such as "cdktf.out"`);
  if (contains(join(root, '.git'), real)) throw refuse(source, `${quote(requested)} is inside .git; name a folder of its own such as "cdktf.out"`);
  if (rest.length > 0) {
    // The folder does not exist yet: the ancestor it would be made in must be a folder we may write.
    if (!statSync(existing).isDirectory()) throw refuse(source, `${quote(requested)} would be made inside ${quote(existing)}, which is a file, not a folder`);
    try {
      accessSync(existing, constants.W_OK);
    } catch {
      throw refuse(source, `${quote(requested)} would be made inside ${quote(existing)}, which this user may not write; name a folder you own`);
    }
    return { outdir };
  }
  if (!lstatSync(real).isDirectory()) throw refuse(source, `${quote(requested)} exists and is not a folder`);
  const marker = readMarker(outdir);
  if (marker.kind === 'foreign' && holdsFiles(outdir)) throw refuse(source, `${quote(requested)} is not synth's output: ${marker.why}`);
  if (marker.kind !== 'ours' && holdsFiles(outdir)) {
    throw refuse(source, `${quote(requested)} holds files synth did not write (no ${MARKER}); move them away or name another folder`);
  }
  return { outdir, previous: marker.kind === 'ours' ? marker.marker : undefined };
}

/** An fs error in words, without a raw errno code or stack. */
export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'a folder is in the way of a file',
    ENOTDIR: 'a file is in the way of a folder',
    ENOENT: 'a folder on the way does not exist',
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is exhausted',
    EROFS: 'the filesystem is read-only',
    ENAMETOOLONG: 'the path is too long for the system',
    ELOOP: 'too many symbolic links on the way',
    EEXIST: 'something is already there',
  };
  return (err?.code && words[err.code]) ?? 'the system refused it';
}

/** Writes `content` to `path` through a temporary file in the same folder and a rename. */
export function writeAtomically(path: string, content: string | Buffer): void {
  const tmp = `${path}${tempSuffix()}`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Fails before the first write when any path synth writes is a symlink (never followed:
 * a `stacks/` link would carry the writes, and the removals, anywhere) or any folder it
 * writes into is not a writable folder, so an unwritable output is not left half updated.
 */
function assertWritable(outdir: string, paths: readonly string[], source: string): void {
  for (const path of paths) {
    if (!lexists(path)) continue;
    const shown = quote(relative(outdir, path) || '.');
    const st = lstatSync(path);
    if (st.isSymbolicLink()) throw refuse(source, `${quote(outdir)}: ${shown} is a symbolic link; synth never follows links inside its output folder: remove the link`);
    if (path.endsWith('.json') || path.endsWith(MARKER)) {
      if (!st.isFile()) throw refuse(source, `${quote(outdir)}: ${shown} is not a regular file; synth writes a file there: move it away`);
      continue;
    }
    if (!st.isDirectory()) throw refuse(source, `${quote(outdir)}: ${shown} is not a folder; synth writes stack files into it: move it away`);
    try {
      accessSync(path, constants.W_OK);
    } catch {
      throw refuse(source, `${quote(outdir)}: ${shown} is a folder this user may not write`);
    }
  }
}

/** The output folder and its missing ancestors, one level at a time (checkOutputFolder vetted the nearest existing one). */
function makeOutdir(outdir: string): void {
  const { existing, rest } = nearestExisting(outdir);
  let at = existing;
  for (const name of rest) makeFolder((at = join(at, name)));
}

/** One folder level at a time, never recursive: each level is checked not to be a link first. */
function makeFolder(path: string): void {
  if (!lexists(path)) mkdirSync(path);
}

export interface StackFiles {
  /** Stack name (`dev-origin`): the folder `stacks/<name>/`. */
  readonly name: string;
  /** File name inside the stack folder -> content. */
  readonly files: ReadonlyMap<string, string>;
}

export interface WriteResult {
  /** Stack folders removed because the stack is no longer selected. */
  readonly removed: readonly string[];
  /** Stack folders no longer selected whose synth files were removed but which still hold other files. */
  readonly kept: readonly string[];
}

/**
 * Puts the stacks into `outdir/stacks/<name>/`, replacing each synth file atomically
 * and leaving everything else in the folder (terraform's `.terraform/`, lock file)
 * alone, then writes the top-level files and the marker. Stacks synth wrote earlier
 * and that are no longer selected go away; a folder holding more than synth's and
 * terraform's files loses only synth's files.
 */
export function writeOutput(outdir: string, previous: Marker | undefined, stacks: readonly StackFiles[], topLevel: ReadonlyMap<string, string>, source = 'outdir'): WriteResult {
  try {
    return writeChecked(outdir, previous, stacks, topLevel, source);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (!err?.code) throw e;
    const where = err.path ? quote(relative(outdir, err.path) || '.') : 'a file';
    throw refuse(source, `${quote(outdir)}: writing ${where} failed: ${describeFsError(e)}`);
  }
}

function writeChecked(outdir: string, previous: Marker | undefined, stacks: readonly StackFiles[], topLevel: ReadonlyMap<string, string>, source: string): WriteResult {
  const stacksDir = join(outdir, 'stacks');
  const previousDirs = (previous?.stacks ?? []).map((name) => join(stacksDir, name));
  const files = [...topLevel.keys(), MARKER].map((f) => join(outdir, f));
  const stackPaths = stacks.flatMap((s) => [join(stacksDir, s.name), ...[...s.files.keys()].map((f) => join(stacksDir, s.name, f))]);
  assertWritable(outdir, [outdir, stacksDir, ...stackPaths, ...previousDirs, ...files], source);
  makeOutdir(outdir);
  const mine = folderIdentity(outdir);
  makeFolder(stacksDir);
  for (const stack of stacks) {
    const dir = join(stacksDir, stack.name);
    makeFolder(dir);
    for (const [file, content] of stack.files) writeAtomically(join(dir, file), content);
  }
  const selected = new Set(stacks.map((s) => s.name));
  const removed: string[] = [];
  const kept: string[] = [];
  for (const name of previous?.stacks ?? []) {
    const dir = join(outdir, 'stacks', name);
    if (selected.has(name) || !existsSync(dir)) continue;
    const others = readdirSync(dir).filter((f) => !SYNTH_OWNED_IN_STACK.has(f) && !TERRAFORM_OWNED.has(f));
    if (others.length === 0) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(name);
    } else {
      for (const f of SYNTH_OWNED_IN_STACK) rmSync(join(dir, f), { force: true });
      kept.push(name);
    }
  }
  for (const [file, content] of topLevel) writeAtomically(join(outdir, file), content);
  const marker: Marker = { writtenBy: MARKER_ID, stacks: [...selected].sort(), ...mine };
  writeAtomically(join(outdir, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  return { removed, kept };
}

