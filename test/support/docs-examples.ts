import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fromRoot } from '../../lib/paths';

/**
 * The examples in docs/examples are produced by the tests: each test renders its example
 * and compares it with the committed file, so the docs cannot drift from the code.
 * `UPDATE_EXAMPLES=1 npx jest test/unit/pr test/integration/pr` rewrites them; review the diff.
 */
export function expectDocsExample(file: string, rendered: string): void {
  const path = fromRoot('docs', 'examples', file);
  if (process.env.UPDATE_EXAMPLES === '1') writeFileSync(path, rendered);
  expect({ file, exists: existsSync(path) }).toEqual({ file, exists: true });
  // A stack change changes the example: `UPDATE_EXAMPLES=1 npx jest test/unit/pr test/integration/pr`, then review the diff of docs/examples.
  expect({ file, upToDate: readFileSync(path, 'utf8') === rendered, hint: 'UPDATE_EXAMPLES=1 npx jest test/unit/pr test/integration/pr' }).toEqual({ file, upToDate: true, hint: expect.any(String) });
  expect(readFileSync(path, 'utf8')).toBe(rendered);
}
