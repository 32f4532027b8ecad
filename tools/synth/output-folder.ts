import { accessSync, constants, existsSync, statSync, lstatSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, parse, resolve, sep } from 'node:path';
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
}

/** Suffix of the per-file temporaries of this process (write-then-rename). */
export const tempSuffix = (): string => `.tmp-synth-${process.pid}`;

const refuse = (source: string, message: string): ConfigError => ConfigError.single(source, '(output folder)', message);

function realpathOfNearest(path: string): string {
  // The folder may not exist yet; its nearest existing ancestor decides where it lands.
  let p = path;
  const rest: string[] = [];
  while (!existsSync(p)) {
    rest.unshift(parse(p).base);
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  return join(realpathSync(p), ...rest);
}

function readMarker(outdir: string): Marker | undefined {
  try {
    const m = JSON.parse(readFileSync(join(outdir, MARKER), 'utf8'));
    return m?.writtenBy === MARKER_ID && Array.isArray(m.stacks) && m.stacks.every((s: unknown) => typeof s === 'string' && /^[\w-]+$/.test(s)) ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether anything but folders lies under `dir`. A tree of empty folders is not the
 * user's work: cdktf's App creates `<outdir>/stacks/` the moment it is constructed,
 * so any script or test that builds an App without an outdir leaves `cdktf.out/stacks/`
 * behind, and synth must not refuse the folder over it.
 */
function holdsFiles(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true }).some((e) => !e.isDirectory() || holdsFiles(join(dir, e.name)));
}

/**
 * Resolves the output folder and refuses every folder synth could damage: an empty
 * setting, `/`, the project root or any folder containing it, anything inside `.git`,
 * and an existing folder that holds files (not just empty folders) without synth's marker. `source` names the
 * setting in messages (`CDKTF_OUTDIR`).
 */
export function checkOutputFolder(requested: string, projectRoot: string, source: string): { outdir: string; previous?: Marker } {
  if (requested.trim() === '') throw refuse(source, 'is empty; leave it unset for cdktf.out, or name a folder of its own such as "cdktf.out"');
  const outdir = resolve(requested);
  const real = realpathOfNearest(outdir);
  const root = realpathSync(projectRoot);
  const contains = (parent: string, child: string): boolean => child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
  if (real === parse(real).root) throw refuse(source, `${quote(requested)} is the filesystem root; name a folder of its own such as "cdktf.out"`);
  if (contains(real, root)) throw refuse(source, `${quote(requested)} is the project root or a folder containing it; name a folder of its own such as "cdktf.out"`);
  if (contains(join(root, '.git'), real)) throw refuse(source, `${quote(requested)} is inside .git; name a folder of its own such as "cdktf.out"`);
  if (!existsSync(outdir)) return { outdir };
  if (!lstatSync(real).isDirectory()) throw refuse(source, `${quote(requested)} exists and is not a folder`);
  const previous = readMarker(outdir);
  if (!previous && holdsFiles(outdir)) {
    throw refuse(source, `${quote(requested)} holds files synth did not write (no ${MARKER}); move them away or name another folder`);
  }
  return { outdir, previous };
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
 * Fails before the first write when any folder synth writes into is not a writable
 * folder, so an unwritable output is not left half updated.
 */
function assertWritable(dirs: readonly string[]): void {
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR', path: dir });
    accessSync(dir, constants.W_OK);
  }
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
export function writeOutput(outdir: string, previous: Marker | undefined, stacks: readonly StackFiles[], topLevel: ReadonlyMap<string, string>): WriteResult {
  assertWritable([outdir, join(outdir, 'stacks'), ...stacks.map((s) => join(outdir, 'stacks', s.name))]);
  mkdirSync(join(outdir, 'stacks'), { recursive: true });
  for (const stack of stacks) {
    const dir = join(outdir, 'stacks', stack.name);
    mkdirSync(dir, { recursive: true });
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
  const marker: Marker = { writtenBy: MARKER_ID, stacks: [...selected].sort() };
  writeAtomically(join(outdir, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  return { removed, kept };
}

