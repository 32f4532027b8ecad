import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fromRoot } from '../../lib/paths';
import { importsOf, repositoryImports, sourceFiles, type ImportEdge } from '../support/imports';

// Unit means in-process (README "Tests"): a file under test/unit runs inside the jest
// process and starts nothing, so `npm run test:unit` stays a quick loop. A test that
// spawns (nginx, openssl, Python, terraform, moto, a CLI, even git or mkfifo) belongs in
// test/integration. CLI behaviour is tested in process with test/support/run-command.ts.

const CHILD_PROCESS = new Set(['child_process', 'node:child_process']);

/** A module as import targets name it: its path without the extension. */
const moduleOf = (file: string) => file.replace(/\.(ts|js|cjs|mjs)$/, '');

/**
 * `start` grown over `edges` until nothing is added: `step` names the module an edge
 * adds given the set so far (or undefined).
 */
function closure(start: Iterable<string>, edges: readonly ImportEdge[], step: (e: ImportEdge, set: ReadonlySet<string>) => string | undefined): Set<string> {
  const set = new Set(start);
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of edges) {
      const added = step(e, set);
      if (added !== undefined && !set.has(added)) {
        set.add(added);
        grew = true;
      }
    }
  }
  return set;
}

/**
 * Support modules that start processes by themselves: the ones importing child_process,
 * and every support module importing one of those, found from the sources.
 */
function spawningSupportModules(edges: readonly ImportEdge[]): Set<string> {
  const support = edges.filter((e) => e.file.startsWith('test/support/'));
  const direct = support.filter((e) => CHILD_PROCESS.has(e.specifier)).map((e) => moduleOf(e.file));
  return closure(direct, support, (e, spawning) => (e.target && spawning.has(e.target) && !ALLOWED.has(e.target) ? moduleOf(e.file) : undefined));
}

/**
 * The one exception, and why: imports.ts lists the files it checks with one
 * `git ls-files` (milliseconds, no project CLI, no TLS tool), so that this test and
 * architecture.test.ts see exactly what git sees.
 */
const ALLOWED = new Map([['test/support/imports', 'one git ls-files to list the files the import rules read']]);

const edges = repositoryImports(['test']);

describe('unit tests run in the jest process', () => {
  const spawning = spawningSupportModules(edges);

  it('finds the spawning support modules (openssl, nginx and processes among them)', () => {
    expect([...spawning]).toEqual(expect.arrayContaining(['test/support/openssl', 'test/support/nginx', 'test/support/processes']));
  });

  it('no file under test/unit imports child_process or a support module that spawns', () => {
    const offending = edges
      .filter((e) => e.file.startsWith('test/unit/'))
      .filter((e) => CHILD_PROCESS.has(e.specifier) || (e.target !== undefined && spawning.has(e.target) && !ALLOWED.has(e.target)))
      .map((e) => `${e.file}:${e.line} imports ${e.specifier}: move the file to test/integration, or test the behaviour in process (test/support/run-command.ts)`);
    expect(offending).toEqual([]);
  });

  it('would catch a unit file that imports a spawning helper', () => {
    const file = 'test/unit/example.test.ts';
    const probe = importsOf(file, "import { execFileSync } from 'node:child_process';\nimport { OpensslWorkbench } from '../support/openssl';\n");
    const caught = probe.filter((e) => CHILD_PROCESS.has(e.specifier) || (e.target !== undefined && spawning.has(e.target)));
    expect(caught.map((e) => e.specifier)).toEqual(['node:child_process', '../support/openssl']);
  });

  it('every allowed exception still exists and still spawns (or it is dropped)', () => {
    for (const module of ALLOWED.keys()) {
      expect(sourceFiles(['test/support']).some((f) => f.startsWith(`${module}.`))).toBe(true);
      expect(spawning.has(module)).toBe(true);
      expect(readFileSync(fromRoot(`${module}.ts`), 'utf8')).toMatch(/child_process/);
    }
  });
});

/**
 * Folders a line makes in the OS temp folder: mkdtemp, mkdir or a file written under
 * `tmpdir()`, or cdktf's `Testing.app()` without an outdir (it makes `cdktf.outdir.*`
 * there). Unit files make their folders with test/support/scratch.ts instead, inside the
 * run folder that global-teardown.ts removes (a unit run used to leave ~90 folders in
 * /tmp, each run).
 */
const MAKES_IN_TMPDIR = /\b(mkdtemp|mkdir|writeFile|copyFile|cp)(Sync)?\([^\n]*\btmpdir\(\)|\bTesting\.app\(\s*\)/;

/** Every support module a unit file imports, directly or through other support modules. */
function supportModulesOfUnitFiles(edges: readonly ImportEdge[]): Set<string> {
  const direct = edges.filter((e) => e.file.startsWith('test/unit/') && e.target?.startsWith('test/support/')).map((e) => e.target!);
  return closure(direct, edges, (e, reached) => (reached.has(moduleOf(e.file)) && e.target?.startsWith('test/support/') ? e.target : undefined));
}

describe('unit tests leave nothing in the OS temp folder', () => {
  const support = supportModulesOfUnitFiles(edges);
  // This file is left out: its probe below writes the refused form on purpose.
  const files = sourceFiles(['test']).filter((f) => (f.startsWith('test/unit/') && f !== 'test/unit/in-process.test.ts') || support.has(moduleOf(f)));
  const COMMENT = /^\s*(\*|\/\/|\/\*)/;

  it('finds the support modules the unit files use (env-files and scratch among them)', () => {
    expect([...support]).toEqual(expect.arrayContaining(['test/support/env-files', 'test/support/scratch', 'test/support/synth']));
  });

  it('no unit file or support module it uses makes a folder or file under tmpdir() (use scratchDir from test/support/scratch.ts)', () => {
    const offending = files.flatMap((file) =>
      readFileSync(fromRoot(file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (MAKES_IN_TMPDIR.test(line) && !COMMENT.test(line) ? [`${file}:${i + 1}: ${line.trim()}: make it with scratchDir() (test/support/scratch.ts), inside the run folder jest removes`] : [])),
    );
    expect(offending).toEqual([]);
  });

  it('would catch a scratch folder made in the OS temp folder', () => {
    expect(MAKES_IN_TMPDIR.test("  const dir = mkdtempSync(join(tmpdir(), 'edge-envs-'));")).toBe(true);
    expect(MAKES_IN_TMPDIR.test("  const dir = scratchDir('edge-envs-');")).toBe(false);
    expect(MAKES_IN_TMPDIR.test('  const app = Testing.app() as App;')).toBe(true);
    expect(MAKES_IN_TMPDIR.test("  const app = Testing.app({ outdir: scratchDir('cdktf-out-') }) as App;")).toBe(false);
  });

  it('scratch folders are made inside the run folder, not in the OS temp folder itself', () => {
    const { scratchDir } = require('../support/scratch') as typeof import('../support/scratch');
    const { runDir } = require('../support/run-dir') as typeof import('../support/run-dir');
    const dir = scratchDir('edge-probe-');
    expect(dir.startsWith(`${runDir()}/`)).toBe(true);
    expect(dir.startsWith(`${tmpdir()}/edge-probe-`)).toBe(false);
  });
});
