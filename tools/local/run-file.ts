import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fromRoot } from '../../lib/paths';
import type { HarnessPorts } from './harness';
import { isOurProcess } from './processes';

/**
 * Where `npm run local` keeps its files, and the run file (`run.json`) recording what it
 * started: moto's pid and endpoint, the nginx stand-ins' pid, config and ports. Small on
 * purpose: `npm run verify -- --env local` reads the stand-ins' ports from here.
 */

export interface LocalPaths {
  /** `.local/`: pid files, logs, the generated env file, the PKI. */
  readonly dir: string;
  /** Where the local backend's state lives (`<stateRoot>/terraform-state/local/`). */
  readonly stateRoot: string;
  /** Terraform work dirs. */
  readonly workDir: string;
}

/**
 * `.local/`, state in the repository's `terraform-state/local/`. `EDGE_LOCAL_DIR` moves
 * all of it (run files, state, work dirs) into one other folder: a second, isolated
 * local environment, as the tests use.
 */
export function defaultPaths(): LocalPaths {
  const own = process.env.EDGE_LOCAL_DIR;
  if (own) return { dir: resolve(own), stateRoot: resolve(own, 'state'), workDir: resolve(own, 'work') };
  return { dir: fromRoot('.local'), stateRoot: fromRoot(), workDir: fromRoot('.cache', 'terraform', 'local') };
}

export interface RunState {
  readonly moto: { readonly pid: number; readonly endpoint: string };
  readonly nginx?: { readonly pid: number; readonly config: string; readonly ports: HarnessPorts };
}

export const runFile = (p: LocalPaths): string => join(p.dir, 'run.json');

export function readRun(p: LocalPaths): RunState | undefined {
  try {
    return JSON.parse(readFileSync(runFile(p), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The ports of the running stand-ins, as `npm run local` recorded them; undefined when
 * none of ours runs (nothing recorded, or the recorded pid is not our nginx any more).
 */
export function recordedStandInPorts(p: LocalPaths = defaultPaths()): HarnessPorts | undefined {
  const nginx = readRun(p)?.nginx;
  if (!nginx?.ports || !isOurProcess(nginx.pid, 'nginx')) return undefined;
  return nginx.ports;
}
