import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../../lib/paths';

// scripts/app/cdktf-patches.mjs edits cdktf 0.21.0's text; the bundle refuses any other
// framework under the name cdktf (another cdktf release, or cdktn installed as
// cdktf@npm:cdktn@...) unless EDGE_CDKTF_AS_SHIPPED=1. The real cdktn is exercised by
// test/integration/cdktn-continuity.test.ts; here a fake installed package stands in.
describe('the bundle refuses a cdktf the patches were not written for', () => {
  /** A copy of scripts/app.mjs and its patches in a folder whose node_modules/cdktf is `pkg`. */
  const fakeRoot = (pkg: { name: string; version: string }) => {
    const root = mkdtempSync(join(tmpdir(), 'edge-cdktf-pin-'));
    mkdirSync(join(root, 'scripts', 'app'), { recursive: true });
    copyFileSync(fromRoot('scripts', 'app.mjs'), join(root, 'scripts', 'app.mjs'));
    copyFileSync(fromRoot('scripts', 'app', 'cdktf-patches.mjs'), join(root, 'scripts', 'app', 'cdktf-patches.mjs'));
    writeFileSync(join(root, 'package.json'), '{"name":"fake","private":true}\n');
    writeFileSync(join(root, 'main.ts'), 'console.log("bundled");\n');
    mkdirSync(join(root, 'node_modules', 'cdktf'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'cdktf', 'package.json'), JSON.stringify(pkg));
    writeFileSync(join(root, 'node_modules', '.package-lock.json'), '{}\n');
    return root;
  };
  const run = (root: string, asShipped: boolean) =>
    spawnSync('node', [join(root, 'scripts', 'app.mjs')], { cwd: root, encoding: 'utf8', env: { ...process.env, EDGE_CDKTF_AS_SHIPPED: asShipped ? '1' : '', EDGE_APP_ENTRY: 'main.ts' } });

  it('every patch names the cdktf release installed here (package.json pins it)', () => {
    const patches = readFileSync(fromRoot('scripts', 'app', 'cdktf-patches.mjs'), 'utf8');
    const pinned = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')).dependencies.cdktf;
    expect(patches).toContain(`export const PATCHED_FOR = { name: 'cdktf', version: '${pinned}' };`);
    const names = [...patches.matchAll(/^    name: '([\w-]+)',\n    writtenFor: '([^']+)',$/gm)].map((m) => [m[1], m[2]]);
    // Every patch states its release, and it is the pinned one.
    expect(names.length).toBe([...patches.matchAll(/^\s+writtenFor: /gm)].length);
    expect(names.length).toBeGreaterThanOrEqual(3);
    for (const [name, writtenFor] of names) expect({ name, writtenFor }).toEqual({ name, writtenFor: pinned });
    expect(JSON.parse(readFileSync(fromRoot('node_modules', 'cdktf', 'package.json'), 'utf8'))).toMatchObject({ name: 'cdktf', version: pinned });
  });

  it.each([
    [{ name: 'cdktn', version: '0.24.0' }, 'cdktn 0.24.0'],
    [{ name: 'cdktf', version: '0.21.1' }, 'cdktf 0.21.1'],
  ])('refuses %j with a message saying how to re-check', (pkg, named) => {
    const root = fakeRoot(pkg);
    try {
      const r = run(root, false);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`refusing to bundle: the installed cdktf is ${named}, but scripts/app/cdktf-patches.mjs is written for cdktf 0.21.0`);
      expect(r.stderr).toContain('EDGE_CDKTF_AS_SHIPPED=1');
      expect(r.stderr).toContain('test/integration/app-runner.test.ts');
      expect(r.stderr).toContain('(patches no-stack-traces, resolve-literals, reuse-prepared-resolve, lazy-archiver)');
      expect(r.stdout).not.toContain('bundled');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a patch name it does not know in EDGE_CDKTF_SKIP_PATCHES, listing the patches', () => {
    const root = fakeRoot({ name: 'cdktf', version: '0.21.0' });
    try {
      const r = spawnSync('node', [join(root, 'scripts', 'app.mjs')], { cwd: root, encoding: 'utf8', env: { ...process.env, EDGE_CDKTF_SKIP_PATCHES: 'no-stack-traces,typo', EDGE_APP_ENTRY: 'main.ts' } });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('EDGE_CDKTF_SKIP_PATCHES names "typo", which is no patch; the patches are no-stack-traces, resolve-literals, reuse-prepared-resolve, lazy-archiver');
      expect(r.stdout).not.toContain('bundled');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('bundles it unpatched with EDGE_CDKTF_AS_SHIPPED=1 (no refusal), and the pinned release patched', () => {
    const other = fakeRoot({ name: 'cdktn', version: '0.24.0' });
    const pinned = fakeRoot({ name: 'cdktf', version: '0.21.0' });
    try {
      for (const root of [other, pinned]) {
        // esbuild comes from the repository's node_modules, which the fake root lacks.
        symlinkEsbuild(root);
      }
      const asShipped = run(other, true);
      expect(asShipped.stderr).not.toContain('refusing');
      expect(asShipped.stdout.trim()).toBe('bundled');
      const patched = run(pinned, false);
      expect(patched.stderr).not.toContain('refusing');
      expect(patched.stdout.trim()).toBe('bundled');
    } finally {
      rmSync(other, { recursive: true, force: true });
      rmSync(pinned, { recursive: true, force: true });
    }
  });
});

function symlinkEsbuild(root: string): void {
  symlinkSync(fromRoot('node_modules', 'esbuild'), join(root, 'node_modules', 'esbuild'), 'dir');
}
