/**
 * One line per stack as a step starts and as it ends, with the elapsed time, for
 * commands that otherwise print nothing for a minute or more (plan, drift, apply).
 */
export type ProgressStep = <T>(stack: string, step: string, run: () => Promise<T>, outcome: (result: T) => string) => Promise<T>;

export function progress(report: ((line: string) => void) | undefined, now: () => number = Date.now): ProgressStep {
  return async (stack, step, run, outcome) => {
    const started = now();
    const elapsed = (): string => `${((now() - started) / 1000).toFixed(1)}s`;
    report?.(`${stack}: ${step} started`);
    try {
      const result = await run();
      report?.(`${stack}: ${step} finished in ${elapsed()}: ${outcome(result)}`);
      return result;
    } catch (e) {
      report?.(`${stack}: ${step} failed after ${elapsed()}`);
      throw e;
    }
  };
}
