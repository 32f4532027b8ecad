// jest's `runner`: the files that use the shared moto environment run one after another
// in a lane of their own (one jest worker), and every other file runs on the remaining
// workers at the same time.
//
// Those files take turns on one lock (`exclusive`, test/support/shared-local.ts), so two
// of them never make progress at once. With one queue for every file, the end of a run
// had both workers on moto files, one of them idle on the other's lock for minutes,
// while the first minutes had both busy. In a lane of their own they never wait on each
// other, and the other lane's worker always has the rest of the suite to run.
//
// The shared-environment lane is the longer one (its files are most of the suite's
// terraform work, in a chain), so the other lane's workers, and what they start, run at
// a lower CPU priority: they take what the chain leaves of the two cores instead of
// slowing it down, and finish well before it anyway.
//
// The lanes together use the configured number of workers. A run in band (`-i`), a run
// with one worker, or a run with no shared-environment file (the unit suite) is jest's
// own runner, unchanged.
const { getPriority, setPriority } = require('node:os');
const { default: TestRunner, EmittingTestRunner } = require('jest-runner');
const { usesSharedEnvironment } = require('./shared-environment-files');

/** How much lower the priority of the lane beside the shared-environment files is (the chain keeps jest's). */
const BESIDE_NICENESS = 10;
/** Where a lane's niceness travels to its workers: the global config each test file runs with. */
const NICENESS_KEY = 'edgeLaneNiceness';

/**
 * Which files run in which lane: the shared-environment files in jest's order, alone in
 * one worker, and the others on `maxWorkers - 1` at BESIDE_NICENESS; undefined when the
 * run is not split.
 */
function lanes(tests, maxWorkers, serial) {
  if (serial || maxWorkers < 2) return undefined;
  const shared = tests.filter((t) => usesSharedEnvironment(t.path));
  if (shared.length === 0 || shared.length === tests.length) return undefined;
  const other = tests.filter((t) => !shared.includes(t));
  return [
    { tests: shared, workers: 1, niceness: 0 },
    { tests: other, workers: maxWorkers - 1, niceness: BESIDE_NICENESS },
  ];
}

let lowered = false;

/**
 * Called by the test environment of every test file: in a worker of the lane beside the
 * chain, lowers the worker process's CPU priority by the lane's niceness, relative to
 * what jest started with (once; what it spawns inherits it). Never raises it, which
 * only root may do.
 */
function takeLanePriority(globalConfig) {
  const niceness = globalConfig[NICENESS_KEY];
  if (lowered || typeof niceness !== 'number' || niceness === 0) return;
  setPriority(Math.min(19, getPriority() + niceness));
  lowered = true;
}

class SharedEnvironmentLanesRunner extends EmittingTestRunner {
  /** What jest listens to (`on`), each with how to stop listening to the runners started since. */
  #listeners = [];

  /** jest's own runner with `workers` workers at `niceness`, reporting to every listener of this one. */
  #runner(workers, niceness = 0) {
    const runner = new TestRunner({ ...this._globalConfig, maxWorkers: workers, [NICENESS_KEY]: niceness }, this._context);
    for (const l of this.#listeners) l.offs.push(runner.on(l.event, l.listener));
    return runner;
  }

  async runTests(tests, watcher, options) {
    const split = lanes(tests, this._globalConfig.maxWorkers, options.serial);
    if (split === undefined) return this.#runner(this._globalConfig.maxWorkers).runTests(tests, watcher, options);
    await Promise.all(split.map((lane) => this.#runner(lane.workers, lane.niceness).runTests(lane.tests, watcher, options)));
  }

  on(event, listener) {
    const entry = { event, listener, offs: [] };
    this.#listeners.push(entry);
    return () => {
      for (const off of entry.offs) off();
      this.#listeners = this.#listeners.filter((l) => l !== entry);
    };
  }
}

module.exports = SharedEnvironmentLanesRunner;
module.exports.lanes = lanes;
module.exports.takeLanePriority = takeLanePriority;
