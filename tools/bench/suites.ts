import { join } from 'node:path';
import { fromRoot } from '../../lib/paths';
import { TERRAFORM_LOG_VARIABLE } from '../terraform';
import { figure, type Target } from './figures';
import { readTerraformLog, renderSuiteFloor, suiteFloor, type SuiteFloor, wallFloorSeconds } from './suite-floor';

/** jest.config.js maxWorkers: the terraform work of the suite can be spread over this many processes. */
export const JEST_WORKERS: number = (require(fromRoot('jest.config.js')) as { maxWorkers: number }).maxWorkers;

/** One timed command of `npm run bench` (tools/bench/command.ts `measure`): seconds per run, CPU and peak RSS. */
export interface Measurement {
  readonly label: string;
  readonly seconds: number[];
  /** CPU time of each run, every node process of it together: less sensitive than wall time to a busy machine. */
  readonly cpuSeconds: number[];
  /** Peak RSS of each run (its largest node process), in MB. */
  readonly rssMb: number[];
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

/**
 * (c) of bench: the unit suite (in-process tests only, `runs` times) and the whole suite
 * once, with every terraform run logged (tools/terraform.ts), so the floor of the suite
 * (each distinct terraform run once) is measured in the same run as the suite itself. The
 * terraform log is written in `logDir` (bench's scratch folder, removed when bench ends).
 */
export function benchSuites(timed: Timed, runs: number, logDir: string): SuiteBench {
  const unit = timed('(c) unit suite (npm run test:unit)', 'npm', ['run', '--silent', 'test:unit', '--', '--silent'], { runs });
  const log = join(logDir, 'terraform.jsonl');
  const whole = timed('(c) whole suite (jest: + integration)', 'npx', ['jest', '--silent'], { runs: 1, env: { [TERRAFORM_LOG_VARIABLE]: log } });
  const floor = suiteFloor(readTerraformLog(log));
  return { unit, whole, floor, report: renderSuiteFloor(floor, figure(whole.seconds).median, JEST_WORKERS) };
}

/** The two suite speed targets, for bench's target lines. */
export function suiteTargets(s: SuiteBench): Target[] {
  const wall = wallFloorSeconds(s.floor, JEST_WORKERS);
  return [
    { label: 'unit suite', limit: 15, figure: figure(s.unit.seconds), digits: 1, unit: 's' },
    {
      label: 'whole suite / its floor',
      limit: 1.5,
      figure: figure(s.whole.seconds.map((seconds) => (wall > 0 ? seconds / wall : Infinity))),
      digits: 2,
      unit: 'x',
      note: `floor ${wall.toFixed(0)} s over ${JEST_WORKERS} workers`,
    },
  ];
}
