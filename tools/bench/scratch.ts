import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The one temporary folder of a bench run; everything bench writes goes under it. */
export interface Scratch {
  readonly root: string;
  /** A new empty folder under the scratch folder, named `<name>-<random>`. */
  folder(name: string): string;
  /** A path under the scratch folder no other call returns (nothing is created). */
  file(name: string): string;
}

/**
 * Removes `dir` once the process that started it has ended, however it ended. It waits
 * for the end of its stdin, a pipe only this process holds: the system closes it when
 * this process exits, is interrupted or killed. A signal handler would not do: measured
 * commands run through spawnSync, and tsx (npm run bench) kills a child that does not
 * answer a Ctrl-C within 60 ms with SIGKILL, which no handler sees.
 */
function startReaper(dir: string): void {
  const reaper = spawn(process.execPath, ['-e', "process.stdin.on('end', () => require('node:fs').rmSync(process.argv[1], { recursive: true, force: true })).resume();", dir], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: {},
  });
  reaper.unref();
  (reaper.stdin as Socket).unref();
}

/**
 * Runs `use` with a fresh scratch folder in the system temporary folder and removes it
 * afterwards, whatever happens: normal end, a thrown error (a failed measurement), or
 * the process ending without reaching `finally` (Ctrl-C, SIGTERM, SIGKILL).
 */
export async function withScratch<T>(use: (scratch: Scratch) => Promise<T>, prefix = 'bench-'): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  startReaper(root);
  let files = 0;
  const scratch: Scratch = {
    root,
    folder: (name) => mkdtempSync(join(root, `${name}-`)),
    file: (name) => join(root, `${name}-${++files}`),
  };
  try {
    return await use(scratch);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
