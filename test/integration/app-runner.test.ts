import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listEnvironments } from '../../envs/load';
import { fromRoot } from '../../lib/paths';
import { baseEnvironment, envDir } from '../support/env-files';
import { tree } from '../../tools/continuity/cdktn';

// scripts/app.mjs serves the app from a cached bundle; it must never serve a stale one.
describe('the cached app bundle', () => {
  const dir = fromRoot('.cache', `runner-test-${process.pid}`);
  const entry = `.cache/runner-test-${process.pid}/entry.ts`;
  const run = () =>
    execFileSync('node', ['scripts/app.mjs'], { cwd: fromRoot(), env: { ...process.env, EDGE_APP_ENTRY: entry } }).toString().trim();

  beforeAll(() => mkdirSync(dir, { recursive: true }));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const f of readdirSync(fromRoot('.cache', 'app'))) if (f.startsWith(`${tag}.`)) rmSync(fromRoot('.cache', 'app', f), { force: true });
  });
  const tag = entry.replace(/[^\w]/g, '_');
  /** The build id in the bundle's first line, and the code caches present. */
  const build = () => ({
    id: /^\/\/ build (\S+)$/m.exec(readFileSync(fromRoot('.cache', 'app', `${tag}.cjs`), 'utf8').slice(0, 200))?.[1],
    codeCaches: readdirSync(fromRoot('.cache', 'app')).filter((f) => f.startsWith(`${tag}.`) && f.endsWith('.v8cache')),
  });

  it('rebuilds when a source file it imports changes, and reuses it otherwise', () => {
    writeFileSync(fromRoot(entry), "import { value } from './dep';\nconsole.log(value);\n");
    writeFileSync(`${dir}/dep.ts`, "export const value: string = 'first';\n");
    expect(run()).toBe('first');
    const first = build();
    expect(run()).toBe('first');
    expect(build()).toEqual(first);
    writeFileSync(`${dir}/dep.ts`, "export const value: string = 'second';\n");
    expect(run()).toBe('second');
    // The same length as before: V8 would take the old code cache for this source, so
    // the cache is named by the build and the old one is gone.
    const second = build();
    expect(second.id).not.toBe(first.id);
    expect(second.codeCaches).toEqual([expect.stringContaining(second.id!)]);
  });

  it('keeps non-ASCII text intact although the bundle is pure ASCII (it is read as latin1)', () => {
    writeFileSync(`${dir}/dep.ts`, "// zone — ünïcode in a comment\nexport const value: string = 'naïve — 日本 ✓';\n");
    expect(run()).toBe('naïve — 日本 ✓');
    expect([...readFileSync(fromRoot('.cache', 'app', `${tag}.cjs`))].filter((b) => b > 0x7f)).toEqual([]);
  });

  it('writes one V8 code cache per build, named by the build it was made from', () => {
    writeFileSync(`${dir}/dep.ts`, "export const value: string = 'third';\n");
    expect(run()).toBe('third');
    const { id, codeCaches } = build();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(codeCaches).toEqual([`${tag}.${id}.${process.version}-${process.arch}.v8cache`]);
    expect(run()).toBe('third');
  });
});


// The bundle carries changes to cdktf (scripts/app/cdktf-patches.mjs) that remove work
// whose result never reaches cdktf.out: no stack trace per token, and a fast path in
// resolve() for literal strings. The synthesized Terraform must be the same, byte for
// byte, as with cdktf as shipped (EDGE_CDKTF_AS_SHIPPED=1): for every committed
// environment, and for one whose strings look as much like tokens as an env file may
// make them (env files refuse "${", "%{" and token markers outright).
describe('the bundle with cdktf patched', () => {
  const out = mkdtempSync(join(tmpdir(), 'edge-patched-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const synth = (asShipped: boolean, envsDir?: string) => {
    const outdir = join(out, `${envsDir ? 'tricky-' : ''}${asShipped ? 'as-shipped' : 'patched'}`);
    execFileSync('node', ['scripts/app.mjs'], {
      cwd: fromRoot(),
      env: { ...process.env, CDKTF_OUTDIR: outdir, EDGE_CDKTF_AS_SHIPPED: asShipped ? '1' : '', ...(envsDir ? { EDGE_ENVS_DIR: envsDir } : {}) },
      stdio: 'ignore',
    });
    return tree(outdir);
  };
  const expectSameBytes = (patched: Map<string, Buffer>, asShipped: Map<string, Buffer>) => {
    expect([...patched.keys()].sort()).toEqual([...asShipped.keys()].sort());
    for (const [file, bytes] of patched) expect({ file, same: bytes.equals(asShipped.get(file)!) }).toEqual({ file, same: true });
  };

  it('synthesizes every environment to the same bytes as cdktf as shipped', () => {
    const patched = synth(false);
    expect([...patched.keys()].filter((f) => f.endsWith('cdk.tf.json')).length).toBeGreaterThanOrEqual(listEnvironments().length);
    expectSameBytes(patched, synth(true));
  });

  it('synthesizes strings that look like tokens to the same bytes as cdktf as shipped', () => {
    const tricky = {
      Plain: 'value',
      NumberLike: '1e10',
      Exponent: '-2.5e+3x',
      Braces: '{}}{',
      Marker: 'TfToken[TOKEN.1]',
      Dollar: '$$ {x}',
    };
    const env = { ...baseEnvironment('dev'), tags: tricky };
    const envs = envDir({ dev: env });
    try {
      const patched = synth(false, envs);
      const origin = JSON.parse(patched.get(join('stacks', 'dev-origin', 'cdk.tf.json'))!.toString());
      // The tags really reach the output, so the comparison covers them.
      expect(JSON.stringify(origin)).toContain('1e10');
      expectSameBytes(patched, synth(true, envs));
    } finally {
      rmSync(envs, { recursive: true, force: true });
    }
  });

  it('really patches cdktf, and only when not asked for cdktf as shipped', () => {
    /** A bundled module of cdktf, by its path under lib/ (esbuild heads each module with its path). */
    const bundled = (variant: string, module: string) => {
      const bundle = readFileSync(fromRoot('.cache', 'app', `main_ts${variant}.cjs`), 'utf8');
      const start = bundle.search(new RegExp(`^// .*cdktf/lib/${module}\\.js$`, 'm'));
      expect(start).toBeGreaterThanOrEqual(0);
      return bundle.slice(start, bundle.indexOf('\n\n', start));
    };
    expect(bundled('', 'tokens/private/stack-trace')).toMatch(/captureStackTrace\d* = function captureStackTrace\d*\(\) \{\s*return \[\];\s*\}/);
    expect(bundled('', 'tokens/private/stack-trace')).not.toContain('Error.captureStackTrace');
    expect(bundled('-as-shipped', 'tokens/private/stack-trace')).toContain('Error.captureStackTrace');
    expect(bundled('', 'tokens/private/resolve')).toContain('isLiteralString');
    expect(bundled('-as-shipped', 'tokens/private/resolve')).not.toContain('isLiteralString');
    expect(bundled('', 'terraform-stack')).toContain('PREPARED_RESOLVE');
    expect(bundled('-as-shipped', 'terraform-stack')).not.toContain('PREPARED_RESOLVE');
  });

  it('leaves out exactly the patches EDGE_CDKTF_SKIP_PATCHES names, with the same bytes (npm run bench times each patch so)', () => {
    const outdir = join(out, 'without-reuse');
    execFileSync('node', ['scripts/app.mjs'], {
      cwd: fromRoot(),
      env: { ...process.env, CDKTF_OUTDIR: outdir, EDGE_CDKTF_SKIP_PATCHES: 'reuse-prepared-resolve' },
      stdio: 'ignore',
    });
    const bundle = readFileSync(fromRoot('.cache', 'app', 'main_ts-without-reuse-prepared-resolve.cjs'), 'utf8');
    expect(bundle).not.toContain('PREPARED_RESOLVE');
    expect(bundle).toContain('isLiteralString');
    expectSameBytes(tree(outdir), tree(join(out, 'as-shipped')));
  });
});
