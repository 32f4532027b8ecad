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
  /** Digest of the local state files the run started from; absent in logs written before it was recorded. */
  readonly state?: string;
  readonly seconds: number;
}

export interface SuiteFloor {
  /** Sum of the fastest run of each distinct (command, config), in seconds. */
  readonly seconds: number;
  /** Every terraform run of the suite, in seconds. */
  readonly spentSeconds: number;
  readonly invocations: number;
  readonly distinct: number;
  /**
   * The same, counting the state a run starts from too: a plan after an apply is another
   * plan, which no sharing can spare. What the suite could reach by sharing alone; still
   * below the truth where a test changed the world (moto) behind terraform between two runs.
   */
  readonly withState: { readonly seconds: number; readonly distinct: number };
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
      if (typeof v.command !== 'string' || typeof v.config !== 'string' || typeof v.seconds !== 'number' || !['string', 'undefined'].includes(typeof v.state)) throw new Error(`${path}:${i + 1}: not a terraform log line: ${line}`);
      return { command: v.command, config: v.config, ...(v.state === undefined ? {} : { state: v.state }), seconds: v.seconds };
    });
}

/** The fastest run of each distinct key. */
function fastestBy(runs: readonly TerraformInvocation[], key: (run: TerraformInvocation) => string): TerraformInvocation[] {
  const fastest = new Map<string, TerraformInvocation>();
  for (const run of runs) {
    const seen = fastest.get(key(run));
    if (!seen || run.seconds < seen.seconds) fastest.set(key(run), run);
  }
  return [...fastest.values()];
}

export function suiteFloor(runs: readonly TerraformInvocation[]): SuiteFloor {
  const once = fastestBy(runs, (r) => `${r.command}\0${r.config}`);
  const withState = fastestBy(runs, (r) => `${r.command}\0${r.config}\0${r.state ?? ''}`);
  const commands = [...new Set(runs.map((r) => r.command))].sort();
  const sum = (xs: readonly TerraformInvocation[]) => xs.reduce((total, r) => total + r.seconds, 0);
  return {
    seconds: sum(once),
    spentSeconds: sum(runs),
    invocations: runs.length,
    distinct: once.length,
    withState: { seconds: sum(withState), distinct: withState.length },
    byCommand: commands.map((command) => {
      const all = runs.filter((r) => r.command === command);
      const first = once.filter((r) => r.command === command);
      return { command, runs: all.length, distinct: first.length, spent: sum(all), floor: sum(first) };
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
    `  counting the state each run starts from too (a plan after an apply is another plan): ${floor.withState.seconds.toFixed(1)} s in ${floor.withState.distinct} distinct runs, the least sharing alone can reach`,
    `suite ${suiteSeconds.toFixed(1)} s / floor ${wall.toFixed(1)} s (${floor.seconds.toFixed(1)} s over ${Math.max(1, workers)} jest worker${workers > 1 ? 's' : ''}) = ${ratio.toFixed(2)}x  (target <= 1.5x)`,
  ].join('\n');
}
