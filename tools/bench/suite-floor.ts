import { existsSync, readFileSync } from 'node:fs';

/**
 * The floor of the whole jest suite: the terraform work it cannot avoid. tools/terraform.ts
 * logs every run (`EDGE_TERRAFORM_LOG`) as `{ command, config, seconds }`; each distinct
 * (command, configuration) counts once, at the fastest the suite ran it, because that is
 * what the suite would pay with every plan shared, every `show -json` read once and the
 * provider plugin cached. moto's work is inside those runs (it answers their API calls).
 */

export interface TerraformInvocation {
  readonly command: string;
  readonly config: string;
  readonly seconds: number;
}

export interface SuiteFloor {
  /** Sum of the fastest run of each distinct (command, config), in seconds. */
  readonly seconds: number;
  /** Every terraform run of the suite, in seconds. */
  readonly spentSeconds: number;
  readonly invocations: number;
  readonly distinct: number;
  /** Per command: runs, distinct configurations, seconds spent, floor seconds. */
  readonly byCommand: ReadonlyArray<{ readonly command: string; readonly runs: number; readonly distinct: number; readonly spent: number; readonly floor: number }>;
}

/** Reads the log (one JSON line per run); a missing file means no terraform ran. */
export function readTerraformLog(path: string): TerraformInvocation[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const v = JSON.parse(line) as Partial<TerraformInvocation>;
      if (typeof v.command !== 'string' || typeof v.config !== 'string' || typeof v.seconds !== 'number') throw new Error(`${path}:${i + 1}: not a terraform log line: ${line}`);
      return { command: v.command, config: v.config, seconds: v.seconds };
    });
}

export function suiteFloor(runs: readonly TerraformInvocation[]): SuiteFloor {
  const fastest = new Map<string, TerraformInvocation>();
  for (const run of runs) {
    const key = `${run.command}\0${run.config}`;
    const seen = fastest.get(key);
    if (!seen || run.seconds < seen.seconds) fastest.set(key, run);
  }
  const commands = [...new Set(runs.map((r) => r.command))].sort();
  const sum = (xs: readonly TerraformInvocation[]) => xs.reduce((total, r) => total + r.seconds, 0);
  return {
    seconds: sum([...fastest.values()]),
    spentSeconds: sum(runs),
    invocations: runs.length,
    distinct: fastest.size,
    byCommand: commands.map((command) => {
      const all = runs.filter((r) => r.command === command);
      const once = [...fastest.values()].filter((r) => r.command === command);
      return { command, runs: all.length, distinct: once.length, spent: sum(all), floor: sum(once) };
    }),
  };
}

/**
 * The floor as wall time: jest runs `workers` files at once, so the terraform work
 * spread perfectly over the workers is the least the suite can take.
 */
export function wallFloorSeconds(floor: SuiteFloor, workers: number): number {
  return floor.seconds / Math.max(1, workers);
}

/** The lines bench prints: the floor, where it comes from, and the suite against it. */
export function renderSuiteFloor(floor: SuiteFloor, suiteSeconds: number, workers = 1): string {
  const wall = wallFloorSeconds(floor, workers);
  const ratio = wall > 0 ? suiteSeconds / wall : Infinity;
  return [
    `suite floor: ${floor.seconds.toFixed(1)} s of terraform (${floor.distinct} distinct runs of ${floor.invocations}; the suite spent ${floor.spentSeconds.toFixed(1)} s in terraform)`,
    ...floor.byCommand.map((c) => `  terraform ${c.command.padEnd(16)} ${String(c.runs).padStart(4)} runs, ${String(c.distinct).padStart(4)} distinct  spent ${c.spent.toFixed(1).padStart(7)} s  floor ${c.floor.toFixed(1).padStart(7)} s`),
    `suite ${suiteSeconds.toFixed(1)} s / floor ${wall.toFixed(1)} s (${floor.seconds.toFixed(1)} s over ${Math.max(1, workers)} jest worker${workers > 1 ? 's' : ''}) = ${ratio.toFixed(2)}x  (target <= 1.5x)`,
  ].join('\n');
}
