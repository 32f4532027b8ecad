import { ConfigError } from '../../lib/errors';

/**
 * The refusal `fn` throws, as the user reads it: one `file: field: message` line per
 * problem of its ConfigError. Any other error is rethrown; returning fails the test.
 */
export function refusalLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.file}: ${p.field}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a ConfigError, got success');
}

/** The refusal of `fn` when it must be exactly one line. */
export function refusalLine(fn: () => unknown): string {
  const lines = refusalLines(fn);
  expect(lines).toHaveLength(1);
  return lines[0];
}
