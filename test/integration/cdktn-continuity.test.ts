import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listEnvironments } from '../../envs/load';
import { fromRoot } from '../../lib/paths';
import {
  CDKTN_VERSION,
  copySources,
  differences,
  formatDifferences,
  registryUnreachable,
  scratchInstall,
  scratchInstalled,
  synthAll,
  type Difference,
  type ScratchInstall,
  type SynthRun,
} from '../../tools/continuity/cdktn';
import { BUDGET, budgetFor } from '../support/budget';
import { describeUnless } from '../support/skip';

// Framework continuity (README "CDKTF status", docs/cdktn-migration.md): every
// environment synthesized with the community fork cdktn in place of cdktf 0.21.0
// (installed as `cdktf@npm:cdktn@<version>` in a scratch folder), compared byte for byte
// with cdktf's output. Every difference is printed; the only accepted ones are the
// framework version cdktf writes into the output's metadata.
//
// Cost, bounded: the first run installs the scratch copy (npm install of the runtime
// dependencies, about 470 MB unpacked: 27 s measured with a warm npm cache at load
// average 17, budget cdktnInstall), cached in .cache/cdktn/<version>-<manifest hash>/ so
// later runs skip it; then four synths of every environment (cdktf for reference,
// cdktn as shipped, cdktn with the patches whose text it has, cdktn with
// CDKTN_DISABLE_CREATION_STACK=1: about 10 s each at that load, budget test each) and two
// refused bundles. Without a cached install and without the npm registry it is SKIPPED,
// loudly, with the reason.

const cached = scratchInstalled();
const describeOnline = describeUnless(cached ? undefined : registryUnreachable(), `cdktn continuity (no scratch install of cdktn ${CDKTN_VERSION} in .cache/cdktn/ and the npm registry is unreachable)`);

/** The differences cdktn is allowed: the framework version in the metadata, nothing else. */
const versionOnly = (d: Difference) =>
  d.expected === '0.21.0' && d.actual === CDKTN_VERSION && ((d.file === 'manifest.json' && d.path === '."version"') || (d.file.endsWith('cdk.tf.json') && d.path === '."//"."metadata"."version"'));

describeOnline(`every environment synthesized with cdktn ${CDKTN_VERSION} in place of cdktf 0.21.0`, () => {
  let install: ScratchInstall;
  let src: string;
  let reference: SynthRun;
  let cdktn: SynthRun;
  const refOut = fromRoot(`cdktf.out.cdktn-reference-${process.pid}`);

  beforeAll(() => {
    install = scratchInstall({ timeoutMs: BUDGET.cdktnInstall, log: (l) => console.info(l) });
    src = copySources(join(install.dir, 'node_modules'));
    // Both outputs sit directly under their source root, so relative paths in them
    // (local backends) are the same.
    reference = synthAll(fromRoot(), refOut, { asShipped: true, timeoutMs: BUDGET.test });
    cdktn = synthAll(src, join(src, 'cdktf.out'), { asShipped: true, timeoutMs: BUDGET.test });
  }, budgetFor('cdktnInstall', 'test', 'test'));
  afterAll(() => {
    rmSync(refOut, { recursive: true, force: true });
    if (src) rmSync(src, { recursive: true, force: true });
  });

  it('installs cdktn under the name cdktf with a plain npm install: no --legacy-peer-deps (constructs pinned inside both ranges)', () => {
    expect(install.installed).toEqual({ name: 'cdktn', version: CDKTN_VERSION });
    expect(install.peerConflict).toBeUndefined();
    const pinned = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')).dependencies.constructs;
    expect(JSON.parse(readFileSync(join(install.dir, 'node_modules', 'constructs', 'package.json'), 'utf8')).version).toBe(pinned);
  });

  it('synthesizes the same bytes as cdktf 0.21.0 but for the framework version in the metadata (every difference printed)', () => {
    expect({ status: reference.status, stderr: reference.stderr }).toEqual({ status: 0, stderr: '' });
    expect({ status: cdktn.status, stderr: cdktn.stderr }).toEqual({ status: 0, stderr: '' });
    const stacks = [...reference.files.keys()].filter((f) => f.endsWith('cdk.tf.json'));
    expect(stacks.length).toBeGreaterThanOrEqual(listEnvironments().length);
    const diffs = differences(reference.files, cdktn.files);
    console.info(`cdktn ${CDKTN_VERSION} against cdktf 0.21.0, ${reference.files.size} files, ${diffs.length} difference(s):\n${formatDifferences(diffs) || '(none)'}`);
    expect(formatDifferences(diffs.filter((d) => !versionOnly(d)))).toBe('');
    // The comparison really ran cdktn: each stack carries its version.
    expect(diffs.filter(versionOnly).map((d) => d.file).sort()).toEqual(['manifest.json', ...stacks].sort());
  });

  it('the bundle refuses to patch cdktn, saying how to re-check', () => {
    const refused = synthAll(src, join(src, 'cdktf.out.patched'), { asShipped: false, timeoutMs: BUDGET.test });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`refusing to bundle: the installed cdktf is cdktn ${CDKTN_VERSION}, but scripts/app/cdktf-patches.mjs is written for cdktf 0.21.0`);
    expect(refused.files.size).toBe(0);
  });

  /** Points the scratch copy's patches at cdktn (PATCHED_FOR and every writtenFor), as an upgrade would after re-checking them. */
  const retargetPatchesAtCdktn = (): void => {
    const patches = join(src, 'scripts', 'app', 'cdktf-patches.mjs');
    writeFileSync(
      patches,
      readFileSync(patches, 'utf8')
        .replace("{ name: 'cdktf', version: '0.21.0' }", `{ name: 'cdktn', version: '${CDKTN_VERSION}' }`)
        .replaceAll("writtenFor: '0.21.0'", `writtenFor: '${CDKTN_VERSION}'`),
    );
  };

  /** What patchTextProblems (scripts/app/cdktf-patches.mjs) says of the scratch copy's cdktf. */
  const patchProblems = (): string[] => {
    const probe = spawnSync(
      'node',
      ['--input-type=module', '-e', `import { patchTextProblems } from ${JSON.stringify(join(src, 'scripts', 'app', 'cdktf-patches.mjs'))}; console.log(JSON.stringify(patchTextProblems(${JSON.stringify(join(src, 'node_modules', 'cdktf'))})));`],
      { encoding: 'utf8' },
    );
    return JSON.parse(probe.stdout);
  };

  it('the patches do not all apply to cdktn: it exports captureCreationStack, which the stack-trace patch would drop (so the refusal above is needed) and has no archiver to load lazily', () => {
    const problems = patchProblems();
    console.info(`cdktf patches against cdktn ${CDKTN_VERSION}: ${problems.length === 0 ? 'every text found' : problems.join('; ')}`);
    expect(problems).toEqual([
      expect.stringMatching(/stack-trace\.js: exports captureStackTrace, captureCreationStack; the patch replaces the file with captureStackTrace alone \(patch no-stack-traces\)$/),
      expect.stringMatching(/private[\\/]fs\.js: expected exactly one "const archiver = require\(\\"archiver\\"\);\\n" \(patch lazy-archiver /),
    ]);
    // Re-targeted at cdktn anyway (in the scratch copy only, without the patch whose text
    // is missing), the build still stops: the stack-trace patch checks what the file
    // exports before replacing it, instead of bundling a cdktn that fails when run.
    retargetPatchesAtCdktn();
    const patched = withEnv({ EDGE_CDKTF_SKIP_PATCHES: 'lazy-archiver' }, () => synthAll(src, join(src, 'cdktf.out.patched'), { asShipped: false, timeoutMs: BUDGET.test }));
    expect(patched.status).toBe(1);
    expect(patched.stderr).toContain('stack-trace.js: exports captureStackTrace, captureCreationStack; the patch replaces the file with captureStackTrace alone (patch no-stack-traces)');
    expect(patched.files.size).toBe(0);
  }, budgetFor('test'));

  it('re-targeted at cdktn, the patches whose text it has (resolve-literals, reuse-prepared-resolve) give the same bytes as cdktn as shipped', () => {
    retargetPatchesAtCdktn();
    const patched = withEnv({ EDGE_CDKTF_SKIP_PATCHES: 'no-stack-traces,lazy-archiver' }, () =>
      synthAll(src, join(src, 'cdktf.out.some-patches'), { asShipped: false, timeoutMs: BUDGET.test }),
    );
    expect({ status: patched.status, stderr: patched.stderr }).toEqual({ status: 0, stderr: '' });
    expect(formatDifferences(differences(cdktn.files, patched.files))).toBe('');
  }, budgetFor('test'));

  it("cdktn's own switch for the stack-trace work (CDKTN_DISABLE_CREATION_STACK=1) gives the same bytes as cdktn as shipped", () => {
    const quiet = withEnv({ CDKTN_DISABLE_CREATION_STACK: '1' }, () => synthAll(src, join(src, 'cdktf.out.no-creation-stack'), { asShipped: true, timeoutMs: BUDGET.test }));
    expect({ status: quiet.status, stderr: quiet.stderr }).toEqual({ status: 0, stderr: '' });
    expect(formatDifferences(differences(cdktn.files, quiet.files))).toBe('');
  }, budgetFor('test'));
});

/** Runs `fn` with the variables set in this process's environment (synthAll passes it on), then restores them. */
function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const previous = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
