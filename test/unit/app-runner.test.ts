import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
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
