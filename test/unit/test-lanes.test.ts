import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { scratchDir } from '../support/scratch';

// How jest splits a run (test/support/lanes-runner.js): the files that take turns on the
// shared moto environment run one after another on one worker, the others beside them.
// test/integration/test-lanes.test.ts runs jest with it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lanes } = require('../support/lanes-runner.js') as {
  lanes(tests: { path: string }[], maxWorkers: number, serial: boolean): { tests: { path: string }[]; workers: number; niceness: number }[] | undefined;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SHARED_ENVIRONMENT_CALL } = require('../support/shared-environment-files.js') as { SHARED_ENVIRONMENT_CALL: string };

describe('the lanes of a jest run', () => {
  const dir = scratchDir('edge-lanes-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, body);
    return { path };
  };
  const shared = (name: string) => file(name, `local = await ${SHARED_ENVIRONMENT_CALL});\n`);
  const other = (name: string) => file(name, 'expect(1).toBe(1);\n');
  const names = (split: ReturnType<typeof lanes>) => split?.map((lane) => ({ workers: lane.workers, niceness: lane.niceness, files: lane.tests.map((t) => basename(t.path)) }));

  it("puts the shared-environment files, in jest's order, on one worker and every other file on the rest, at a lower priority", () => {
    const tests = [other('unit-a.test.ts'), shared('moto-a.test.ts'), shared('moto-b.test.ts'), other('unit-b.test.ts'), shared('moto-c.test.ts')];
    expect(names(lanes(tests, 2, false))).toEqual([
      { workers: 1, niceness: 0, files: ['moto-a.test.ts', 'moto-b.test.ts', 'moto-c.test.ts'] },
      { workers: 1, niceness: 10, files: ['unit-a.test.ts', 'unit-b.test.ts'] },
    ]);
    expect(names(lanes(tests, 4, false))?.map((lane) => lane.workers)).toEqual([1, 3]);
  });

  it("leaves jest's own runner alone in band, with one worker, or when one lane would be empty", () => {
    const mixed = [other('unit.test.ts'), shared('moto.test.ts')];
    expect(lanes(mixed, 2, true)).toBeUndefined();
    expect(lanes(mixed, 1, false)).toBeUndefined();
    expect(lanes([other('a.test.ts'), other('b.test.ts')], 2, false)).toBeUndefined();
    expect(lanes([shared('c.test.ts'), shared('d.test.ts')], 2, false)).toBeUndefined();
  });

  it('recognizes the real moto suites and only them; a file it cannot read, or one that writes such files, is not one', () => {
    const real = ['integration/drift-e2e.test.ts', 'integration/validate.test.ts', 'integration/test-lanes.test.ts', 'unit/test-lanes.test.ts', 'integration/no-such.test.ts'].map((p) => ({
      path: join(__dirname, '..', p),
    }));
    expect(names(lanes(real, 2, false))?.map((lane) => lane.files)).toEqual([['drift-e2e.test.ts'], ['validate.test.ts', 'test-lanes.test.ts', 'test-lanes.test.ts', 'no-such.test.ts']]);
  });

  it('takes no unit file for one: the unit suite keeps both workers', () => {
    const unitFiles = readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => ({ path: join(__dirname, f) }));
    expect(unitFiles.length).toBeGreaterThan(50);
    expect(lanes(unitFiles, 2, false)).toBeUndefined();
  });
});
