import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../../lib/paths';
import { TERRAFORM_LOG_VARIABLE } from '../terraform';
import { readTerraformLog, renderSuiteFloor, suiteFloor, type SuiteFloor, wallFloorSeconds } from './suite-floor';

/** jest.config.js maxWorkers: the terraform work of the suite can be spread over this many processes. */
export const JEST_WORKERS: number = (require(fromRoot('jest.config.js')) as { maxWorkers: number }).maxWorkers;

/** One timed command of `npm run bench` (tools/bench/command.ts `measure`): seconds per run, CPU and peak RSS. */
export interface Measurement {
  readonly label: string;
  readonly seconds: number[];
  /** CPU time of each run, every node process of it together: less sensitive than wall time to a busy machine. */
  readonly cpuSeconds: number[];
  readonly peakRssMb: number | undefined;
}

export type Timed = (label: string, cmd: string, cmdArgs: string[], options?: { runs?: number; env?: NodeJS.ProcessEnv }) => Measurement;

export interface SuiteBench {
  readonly unit: Measurement;
  readonly whole: Measurement;
  readonly floor: SuiteFloor;
  /** What to print: the floor by terraform command and suite / floor. */
  readonly report: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * (c) of bench: the unit suite (in-process tests only, `runs` times) and the whole suite
 * once, with every terraform run logged (tools/terraform.ts), so the floor of the suite
 * (each distinct terraform run once) is measured in the same run as the suite itself.
 */
export function benchSuites(timed: Timed, runs: number): SuiteBench {
  const unit = timed('(c) unit suite (npm run test:unit)', 'npx', ['jest', 'test/unit', '--silent'], { runs });
  const log = join(mkdtempSync(join(tmpdir(), 'bench-terraform-')), 'terraform.jsonl');
  const whole = timed('(c) whole suite (jest: + integration)', 'npx', ['jest', '--silent'], { runs: 1, env: { [TERRAFORM_LOG_VARIABLE]: log } });
  const floor = suiteFloor(readTerraformLog(log));
  return { unit, whole, floor, report: renderSuiteFloor(floor, median(whole.seconds), JEST_WORKERS) };
}

/** The two suite targets of issue 27, as `[label, value, limit, shown]` for bench's target lines. */
export function suiteTargets(s: SuiteBench): Array<[string, number, number, string]> {
  const unit = median(s.unit.seconds);
  const wall = wallFloorSeconds(s.floor, JEST_WORKERS);
  const ratio = wall > 0 ? median(s.whole.seconds) / wall : Infinity;
  return [
    ['unit suite <= 15 s:', unit, 15, `${unit.toFixed(1)} s, n=${s.unit.seconds.length}`],
    ['whole suite <= 1.5x its floor:', ratio, 1.5, `${ratio.toFixed(2)}x of ${wall.toFixed(0)} s`],
  ];
}
