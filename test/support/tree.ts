import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every entry under `dir` with a digest of its content (symlinks by target): what a
 * hostile test compares before and after a refused command, to show it changed nothing.
 */
export function treeSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string, rel: string) => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      const key = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path);
      if (st.isSymbolicLink()) out[key] = `-> ${readlinkSync(path)}`;
      else if (st.isDirectory()) {
        out[key] = 'dir';
        walk(path, key);
      } else if (st.isFile()) out[key] = createHash('sha256').update(readFileSync(path)).digest('hex');
      // A FIFO or device is never read: that would block or never end.
      else out[key] = `special ${st.mode.toString(8)}`;
    }
  };
  walk(dir, '');
  return out;
}

/** Runs `fn` and fails unless every folder of `dirs` is byte-for-byte as before; returns what `fn` returned. */
export function leavesUnchanged<T>(dirs: readonly string[], fn: () => T): T {
  const before = dirs.map(treeSnapshot);
  const result = fn();
  expect(dirs.map(treeSnapshot)).toEqual(before);
  return result;
}
