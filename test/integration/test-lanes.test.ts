import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../../lib/paths';
import { budgetFor } from '../support/budget';
import { runToEnd } from '../support/processes';
import { scratchDir } from '../support/scratch';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SHARED_ENVIRONMENT_CALL } = require('../support/shared-environment-files.js') as { SHARED_ENVIRONMENT_CALL: string };

// jest with the lanes runner (test/support/lanes-runner.js) and the suite's test
// environment on a project of its own: two files that ask for the shared environment and
// two that do not, each recording which process ran it, when, and at what priority. One
// shared file fails, so a failure in that lane must reach jest's summary and exit code
// like any other.
describe('a jest run split into lanes', () => {
  const dir = scratchDir('edge-lanes-run-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  interface Ran {
    readonly file: string;
    readonly pid: number;
    readonly start: number;
    readonly end: number;
    readonly niceness: number;
  }

  it('runs the shared-environment files one after another in one worker, beside the others at a lower priority, and reports every result', async () => {
    const record = join(dir, 'ran.jsonl');
    const testFile = (name: string, marker: string, passes: boolean) =>
      writeFileSync(
        join(dir, name),
        [
          `// ${marker}`,
          `test('${name}', async () => {`,
          '  const start = Date.now();',
          '  await new Promise((r) => setTimeout(r, 1500));',
          `  require('node:fs').appendFileSync(${JSON.stringify(record)}, JSON.stringify({ file: ${JSON.stringify(name)}, pid: process.pid, start, end: Date.now(), niceness: require('node:os').getPriority() }) + '\\n');`,
          `  expect(${passes}).toBe(true);`,
          '});',
          '',
        ].join('\n'),
      );
    testFile('moto-a.test.js', `local = await ${SHARED_ENVIRONMENT_CALL});`, true);
    testFile('moto-b.test.js', `local = await ${SHARED_ENVIRONMENT_CALL});`, false);
    testFile('unit-a.test.js', 'no shared environment', true);
    testFile('unit-b.test.js', 'no shared environment', true);
    const config = {
      rootDir: dir,
      testMatch: ['**/*.test.js'],
      transform: {},
      testEnvironment: fromRoot('test/support/shared-modules-environment.js'),
      runner: fromRoot('test/support/lanes-runner.js'),
      maxWorkers: 2,
      cacheDirectory: join(dir, 'cache'),
    };
    const results = join(dir, 'results.json');
    const jest = await runToEnd(process.execPath, [fromRoot('node_modules/jest/bin/jest.js'), '--config', JSON.stringify(config), '--json', '--outputFile', results], { cwd: dir });

    expect({ code: jest.code, stderr: jest.stderr }).toMatchObject({ code: 1 });
    const summary = JSON.parse(readFileSync(results, 'utf8')) as { numPassedTests: number; numFailedTests: number; numTotalTestSuites: number };
    expect(summary).toMatchObject({ numPassedTests: 3, numFailedTests: 1, numTotalTestSuites: 4 });

    const ran = readFileSync(record, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Ran);
    const byFile = Object.fromEntries(ran.map((r) => [r.file, r]));
    const [a, b] = [byFile['moto-a.test.js'], byFile['moto-b.test.js']].sort((x, y) => x.start - y.start);
    // One worker for the shared lane, its files one after another.
    expect(a.pid).toBe(b.pid);
    expect(b.start).toBeGreaterThanOrEqual(a.end);
    // jest's own priority in the shared lane (this test may itself run in the lowered lane), 10 lower beside it.
    const base = getPriority();
    expect([a.niceness, b.niceness]).toEqual([base, base]);
    // The other files on another worker, at the same time.
    for (const other of [byFile['unit-a.test.js'], byFile['unit-b.test.js']]) {
      expect(other.pid).not.toBe(a.pid);
      expect(other.niceness).toBe(Math.min(19, base + 10));
    }
    const overlaps = (x: Ran, y: Ran) => x.start < y.end && y.start < x.end;
    expect(overlaps(byFile['unit-a.test.js'], a) || overlaps(byFile['unit-b.test.js'], a) || overlaps(byFile['unit-a.test.js'], b) || overlaps(byFile['unit-b.test.js'], b)).toBe(true);
  }, budgetFor('npmCommand', 'npmCommand', 'npmCommand'));
});
