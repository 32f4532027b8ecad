import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../../lib/paths';
import { outdirSource } from '../../tools/synth/command';
import { checkOutputFolder, MARKER, type StackFiles, writeOutput } from '../../tools/synth/output-folder';
import { BUDGET } from '../support/budget';
import { RAW_ERRNO, refusalLine } from '../support/refusal';
import { leavesUnchanged } from '../support/tree';

/**
 * Issue 25, class 4: the output folder is only ever synth's own. The marker binds to the
 * folder it was written in; nothing inside the folder is followed through a symlink; the
 * nearest existing ancestor is checked before anything is made (pseudo filesystems, a file
 * in the way, a path too long); every refusal is one ConfigError naming the setting the
 * user set, and changes nothing. In-process (checkOutputFolder, writeOutput) but for one
 * real run of the synth CLI.
 */

const root = fromRoot();
let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'edge-outdir-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const stacks: StackFiles[] = [{ name: 'dev-origin', files: new Map([['cdk.tf.json', '{}\n']]) }];
const topLevel = new Map([['manifest.json', '{}\n']]);

/** Runs synth's two steps the way tools/synth/synth.ts does. */
function synthInto(dir: string, source = 'outdir', list: StackFiles[] = stacks) {
  const { outdir, previous } = checkOutputFolder(dir, root, source);
  return writeOutput(outdir, previous, list, topLevel, source);
}

/** The refusal of `fn` as one `source: field: message` line; fails when it does not refuse. */
function refusal(fn: () => unknown): string {
  const line = refusalLine(fn);
  expect(line).not.toMatch(RAW_ERRNO); // never a raw errno
  return line;
}

/** Asserts that `fn` is refused with `message` and that `dirs` are byte-for-byte as before. */
function refusedUnchanged(dirs: readonly string[], fn: () => unknown, message: RegExp): void {
  expect(leavesUnchanged(dirs, () => refusal(fn))).toMatch(message);
}

describe('the marker binds to the folder it was written in', () => {
  it('a marker names its folder and inode', () => {
    const out = join(work, 'out');
    synthInto(out);
    const marker = JSON.parse(readFileSync(join(out, MARKER), 'utf8'));
    expect(marker).toEqual({ writtenBy: 'edge-mtls-cdktf synth output', stacks: ['dev-origin'], folder: out, inode: expect.stringMatching(/^\d+:\d+$/) });
    expect(() => synthInto(out)).not.toThrow();
  });

  it('a marker copied into a folder of precious files is refused, naming where it was written', () => {
    const out = join(work, 'out');
    synthInto(out);
    const victim = join(work, 'victim');
    mkdirSync(join(victim, 'stacks', 'dev-origin'), { recursive: true });
    writeFileSync(join(victim, 'stacks', 'dev-origin', 'precious.txt'), 'keep me');
    cpSync(join(out, MARKER), join(victim, MARKER));
    refusedUnchanged([victim], () => synthInto(victim), /^outdir: \(output folder\): ".*victim" is not synth's output: its \.edge-synth\.json was written in ".*\/out", not here: a copied or moved marker/);
  });

  it('a whole output folder copied (cp -r) is refused: the copy is not the folder synth wrote', () => {
    const out = join(work, 'out');
    synthInto(out);
    cpSync(out, join(work, 'copy'), { recursive: true });
    refusedUnchanged([join(work, 'copy')], () => synthInto(join(work, 'copy')), /was written in ".*\/out", not here/);
  });

  it('an output folder moved elsewhere is refused', () => {
    const out = join(work, 'out');
    synthInto(out);
    renameSync(out, join(work, 'moved'));
    refusedUnchanged([join(work, 'moved')], () => synthInto(join(work, 'moved')), /was written in ".*\/out", not here/);
  });

  it("a forged marker naming this folder's path but another inode is refused", () => {
    const victim = join(work, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'precious.txt'), 'x');
    writeFileSync(join(victim, MARKER), JSON.stringify({ writtenBy: 'edge-mtls-cdktf synth output', stacks: ['precious'], folder: victim, inode: '1:1' }));
    refusedUnchanged([victim], () => synthInto(victim), /is not synth's output: .*written in ".*victim", not here/);
  });

  it('an older marker that names no folder is refused, saying how to recover', () => {
    const victim = join(work, 'victim');
    mkdirSync(join(victim, 'stacks', 'notes'), { recursive: true });
    writeFileSync(join(victim, 'stacks', 'notes', 'a.txt'), 'x');
    writeFileSync(join(victim, MARKER), JSON.stringify({ writtenBy: 'edge-mtls-cdktf synth output', stacks: ['notes'] }));
    refusedUnchanged([victim], () => synthInto(victim), /does not say which folder it was written in .*delete the folder if it is only synth output/);
  });

  it('a marker that is a symlink to a real marker is refused', () => {
    const out = join(work, 'out');
    synthInto(out);
    const victim = join(work, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'precious.txt'), 'x');
    symlinkSync(join(out, MARKER), join(victim, MARKER));
    refusedUnchanged([victim, out], () => synthInto(victim), /its \.edge-synth\.json is not a regular file/);
  });

  it('a marker that is not JSON is refused', () => {
    const victim = join(work, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, MARKER), '{"writtenBy": ');
    refusedUnchanged([victim], () => synthInto(victim), /its \.edge-synth\.json is not synth's JSON/);
  });
});

describe('never a symlink inside the output folder', () => {
  let out: string;
  let elsewhere: string;
  beforeEach(() => {
    out = join(work, 'out');
    synthInto(out, 'outdir', [...stacks, { name: 'dev-edge', files: new Map([['cdk.tf.json', '{}\n']]) }]);
    elsewhere = join(work, 'elsewhere');
    mkdirSync(join(elsewhere, 'dev-origin'), { recursive: true });
    writeFileSync(join(elsewhere, 'dev-origin', 'cdk.tf.json'), 'theirs');
    writeFileSync(join(elsewhere, 'precious.txt'), 'keep me');
  });
  const replaceWithLink = (path: string, target: string) => {
    rmSync(path, { recursive: true, force: true });
    symlinkSync(target, path);
  };

  it.each<[string, () => string, () => string, RegExp]>([
    ['stacks/ is a symlink', () => join(out, 'stacks'), () => elsewhere, /"stacks" is a symbolic link; synth never follows links inside its output folder/],
    ['a stack folder is a symlink', () => join(out, 'stacks', 'dev-origin'), () => join(elsewhere, 'dev-origin'), /"stacks\/dev-origin" is a symbolic link/],
    ['a stack file is a symlink', () => join(out, 'stacks', 'dev-origin', 'cdk.tf.json'), () => join(elsewhere, 'precious.txt'), /"stacks\/dev-origin\/cdk\.tf\.json" is a symbolic link/],
    ['manifest.json is a symlink', () => join(out, 'manifest.json'), () => join(elsewhere, 'precious.txt'), /"manifest\.json" is a symbolic link/],
    ['a stack to be removed is a symlink', () => join(out, 'stacks', 'dev-edge'), () => elsewhere, /"stacks\/dev-edge" is a symbolic link/],
  ])('%s: refused, the link and its target unchanged', (_what, path, target, message) => {
    replaceWithLink(path(), target());
    refusedUnchanged([out, elsewhere], () => synthInto(out), message);
  });

  it('manifest.json that is a folder: refused in words, not EISDIR', () => {
    rmSync(join(out, 'manifest.json'));
    mkdirSync(join(out, 'manifest.json'));
    refusedUnchanged([out], () => synthInto(out), /"manifest\.json" is not a regular file; synth writes a file there: move it away/);
  });
});

describe('the nearest existing ancestor is checked before anything is made', () => {
  it.each<[string, () => string, RegExp]>([
    ['under /proc', () => '/proc/self/cdktf.out', /"\/proc\/self\/cdktf\.out" is under \/proc, a pseudo filesystem of the kernel/],
    ['/proc itself', () => '/proc', /is under \/proc/],
    ['under /sys', () => '/sys/kernel/cdktf.out', /is under \/sys, a pseudo filesystem/],
    ['under /dev', () => '/dev/shm/cdktf.out/deep', /is under \/dev, a pseudo filesystem/],
    ['/dev/null', () => '/dev/null', /is under \/dev/],
    ['a symlink into /proc', () => {
      symlinkSync('/proc/self', join(work, 'proc-link'));
      return join(work, 'proc-link', 'out');
    }, /is under \/proc/],
    ['a file in the way', () => {
      writeFileSync(join(work, 'a-file'), 'x');
      return join(work, 'a-file', 'sub', 'out');
    }, /would be made inside ".*a-file", which is a file, not a folder/],
    ['a path longer than the system allows', () => join(work, ...Array.from({ length: 40 }, () => 'x'.repeat(200))), /is \d+ bytes long as an absolute path; the system allows at most 4095/],
    ['a folder name longer than the system allows', () => join(work, 'y'.repeat(300)), /has a folder name of 300 bytes .*at most 255 per name/],
    ['a NUL character', () => join(work, 'a\0b'), /contains a NUL character/],
    ['a dangling symlink as the folder', () => {
      symlinkSync(join(work, 'nowhere', 'deeper'), join(work, 'dangling'));
      return join(work, 'dangling');
    }, /cannot be resolved \(a folder on the way does not exist\)/],
  ])('%s: refused, nothing made', (_what, target, message) => {
    const dir = target();
    const started = Date.now();
    refusedUnchanged([work], () => synthInto(dir, 'CDKTF_OUTDIR'), new RegExp(`^CDKTF_OUTDIR: \\(output folder\\): .*${message.source}`));
    expect(Date.now() - started).toBeLessThan(BUDGET.npmCommand);
  });

  it('a new folder several levels deep is made level by level and then bound by its marker', () => {
    const deep = join(work, 'a', 'b', 'c');
    synthInto(deep);
    expect(JSON.parse(readFileSync(join(deep, MARKER), 'utf8')).folder).toBe(deep);
  });
});

describe('refusals name the setting the user set', () => {
  it.each<[string, string[], NodeJS.ProcessEnv, string]>([
    ['--outdir given', ['--outdir', 'x'], { CDKTF_OUTDIR: 'y' }, '--outdir'],
    ['--outdir=x given', ['--outdir=x'], {}, '--outdir'],
    ['only CDKTF_OUTDIR', ['--env', 'dev'], { CDKTF_OUTDIR: 'y' }, 'CDKTF_OUTDIR'],
    ['neither', [], {}, 'outdir (default "cdktf.out")'],
  ])('%s', (_what, argv, env, expected) => {
    expect(outdirSource(argv, env)).toBe(expected);
  });

  it('the synth CLI with CDKTF_OUTDIR under /proc exits 1 at once with one line naming CDKTF_OUTDIR', () => {
    const r = spawnSync('node', ['scripts/app.mjs'], {
      cwd: root,
      env: { ...process.env, CDKTF_OUTDIR: '/proc/self/task/cdktf.out', ENVS: 'dev' },
      encoding: 'utf8',
      timeout: BUDGET.test,
      killSignal: 'SIGKILL',
    });
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.includes('(output folder)'))).toEqual([
      expect.stringMatching(/^(invalid configuration: )?CDKTF_OUTDIR: \(output folder\): "\/proc\/self\/task\/cdktf\.out" is under \/proc, a pseudo filesystem/),
    ]);
  });
});
