import { constants } from 'node:os';
import { ConfigError } from '../../lib/errors';

/**
 * Any errno name (ENOENT, EISDIR, ENAMETOOLONG...) as a word: a refusal the user reads
 * never shows one. Named, not `E[A-Z]+`: a message may quote a temporary folder whose
 * random suffix is capitals starting with E.
 */
export const RAW_ERRNO = new RegExp(`\\b(${Object.keys(constants.errno).join('|')})\\b`);

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
