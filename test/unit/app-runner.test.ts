import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listEnvironments } from '../../envs/load';
import { fromRoot } from '../../lib/paths';

// scripts/app.mjs serves the app from a cached bundle; it must never serve a stale one.
describe('the cached app bundle', () => {
  const dir = fromRoot('.cache', `runner-test-${process.pid}`);
  const entry = `.cache/runner-test-${process.pid}/entry.ts`;
  const run = () =>
    execFileSync('node', ['scripts/app.mjs'], { cwd: fromRoot(), env: { ...process.env, EDGE_APP_ENTRY: entry } }).toString().trim();

  beforeAll(() => mkdirSync(dir, { recursive: true }));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    const tag = entry.replace(/[^\w]/g, '_');
    for (const f of [`${tag}.cjs`, `${tag}.inputs.json`]) rmSync(fromRoot('.cache', 'app', f), { force: true });
  });

  it('rebuilds when a source file it imports changes, and reuses it otherwise', () => {
    writeFileSync(fromRoot(entry), "import { value } from './dep';\nconsole.log(value);\n");
    writeFileSync(`${dir}/dep.ts`, "export const value: string = 'first';\n");
    expect(run()).toBe('first');
    expect(run()).toBe('first');
    writeFileSync(`${dir}/dep.ts`, "export const value: string = 'second';\n");
    expect(run()).toBe('second');
  });
});

/** Every file under `dir`, by relative path, with its bytes. */
function tree(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = join(prefix, e.name);
    if (e.isDirectory()) for (const [k, v] of tree(dir, rel)) out.set(k, v);
    else out.set(rel, readFileSync(join(dir, rel)));
  }
  return out;
}

// The bundle replaces cdktf's per-token stack-trace capture with one that records
// nothing (EDGE_STACK_TRACES=1 keeps it). The traces only ever appear in errors, so
// the synthesized Terraform must be the same, byte for byte, either way.
describe('the bundle without token stack traces', () => {
  const out = mkdtempSync(join(tmpdir(), 'edge-traces-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const synth = (traces: boolean) => {
    const outdir = join(out, traces ? 'with' : 'without');
    execFileSync('node', ['scripts/app.mjs'], { cwd: fromRoot(), env: { ...process.env, CDKTF_OUTDIR: outdir, EDGE_STACK_TRACES: traces ? '1' : '' }, stdio: 'ignore' });
    return tree(outdir);
  };

  let without: Map<string, Buffer>;
  let withTraces: Map<string, Buffer>;
  beforeAll(() => {
    without = synth(false);
    withTraces = synth(true);
  });

  it('synthesizes every environment to the same bytes as the bundle that keeps them', () => {
    expect([...without.keys()].filter((f) => f.endsWith('cdk.tf.json')).length).toBeGreaterThanOrEqual(listEnvironments().length);
    expect([...without.keys()].sort()).toEqual([...withTraces.keys()].sort());
    for (const [file, bytes] of without) expect({ file, same: bytes.equals(withTraces.get(file)!) }).toEqual({ file, same: true });
  });

  it('really swaps the capture out, and only when not asked for traces', () => {
    /** The bundled module cdktf/lib/tokens/private/stack-trace.js (esbuild heads each module with its path). */
    const capture = (variant: string) => {
      const bundle = readFileSync(fromRoot('.cache', 'app', `main_ts${variant}.cjs`), 'utf8');
      const start = bundle.search(/^\/\/ .*cdktf\/lib\/tokens\/private\/stack-trace\.js$/m);
      expect(start).toBeGreaterThanOrEqual(0);
      return bundle.slice(start, bundle.indexOf('\n\n', start));
    };
    expect(capture('')).toMatch(/captureStackTrace\d* = function captureStackTrace\d*\(\) \{\s*return \[\];\s*\}/);
    expect(capture('')).not.toContain('Error.captureStackTrace');
    expect(capture('-traces')).toContain('Error.captureStackTrace');
  });
});
