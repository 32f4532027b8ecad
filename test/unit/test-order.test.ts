import { rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { scratchDir } from '../support/scratch';

// jest's test order (test/support/sequencer.js): the files that take turns on the shared
// moto environment must not hold both workers while other files wait.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Sequencer = require('../support/sequencer.js');

describe('the test order', () => {
  const dir = scratchDir('edge-order-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, body: string) => {
    const path = join(dir, name);
    // jest's default order puts bigger files first when it has no timings: padding sets it.
    writeFileSync(path, body);
    return { path, context: fakeContext };
  };
  // What jest's default order reads of a context: no timing cache, file sizes from disk.
  const fakeContext = { config: { cache: false }, hasteFS: { getSize: (p: string) => statSync(p).size } };
  const order = (tests: { path: string }[]) => (new Sequencer({}).sort(tests) as { path: string }[]).map((t) => basename(t.path));
  const shared = (name: string, size: number) => file(name, `local = await sharedLocalEnvironment();\n${' '.repeat(size)}`);
  const other = (name: string, size: number) => file(name, `expect(1).toBe(1);\n${' '.repeat(size)}`);

  it('runs one shared-environment file first, every other file next, and the other shared-environment files last', () => {
    const tests = [other('unit-a.test.ts', 500), shared('moto-a.test.ts', 400), shared('moto-b.test.ts', 300), other('unit-b.test.ts', 200), shared('moto-c.test.ts', 100)];
    expect(order(tests)).toEqual(['moto-a.test.ts', 'unit-a.test.ts', 'unit-b.test.ts', 'moto-b.test.ts', 'moto-c.test.ts']);
  });

  it("keeps jest's own order when no file uses the shared environment", () => {
    const tests = [other('small.test.ts', 10), other('big.test.ts', 900)];
    expect(order(tests)).toEqual(['big.test.ts', 'small.test.ts']);
  });

  it('recognizes the real moto suites and only them', () => {
    const real = ['test/integration/drift-e2e.test.ts', 'test/integration/validate.test.ts', 'test/integration/x509.test.ts'].map((p) => ({
      path: join(__dirname, '..', '..', p),
      context: fakeContext,
    }));
    expect(order(real)[0]).toBe('drift-e2e.test.ts');
  });
});
