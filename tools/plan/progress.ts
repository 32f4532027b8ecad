/**
 * One line per stack as a step starts and as it ends, with the elapsed time, for
 * commands that otherwise print nothing for a minute or more (plan, drift, apply).
 * A step still running after HEARTBEAT_MS says so every HEARTBEAT_MS
 * ("dev-origin: plan still running after 20s"), so a slow step never looks hung.
 */
export type ProgressStep = <T>(stack: string, step: string, run: () => Promise<T>, outcome: (result: T) => string) => Promise<T>;

/** How often a running step says it is still running. */
export const HEARTBEAT_MS = 10_000;

/** The timer the heartbeat uses; tests inject a short interval or a fake clock. */
export interface HeartbeatTimer {
  readonly everyMs: number;
  readonly setInterval: (tick: () => void, ms: number) => unknown;
  readonly clearInterval: (handle: unknown) => void;
}

const realTimer: HeartbeatTimer = {
  everyMs: HEARTBEAT_MS,
  setInterval: (tick, ms) => {
    const handle = setInterval(tick, ms);
    // A heartbeat never keeps the process alive on its own.
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/**
 * Runs `run`, saying "<what> still running after Ns" every `timer.everyMs` while it runs,
 * and nothing more: a step that ends sooner stays silent (reports whose stderr must be
 * empty on success keep it so), a longer one never looks hung.
 */
export async function withHeartbeat<T>(report: ((line: string) => void) | undefined, what: string, run: () => Promise<T>, timer: HeartbeatTimer = realTimer): Promise<T> {
  let beats = 0;
  const heartbeat = report
    ? timer.setInterval(() => {
        beats += 1;
        // The interval's count, not the clock: the line names the step's whole seconds.
        report(`${what} still running after ${Math.round((beats * timer.everyMs) / 1000)}s`);
      }, timer.everyMs)
    : undefined;
  try {
    return await run();
  } finally {
    if (heartbeat !== undefined) timer.clearInterval(heartbeat);
  }
}

export function progress(report: ((line: string) => void) | undefined, now: () => number = Date.now, timer: HeartbeatTimer = realTimer): ProgressStep {
  return async (stack, step, run, outcome) => {
    const started = now();
    const elapsed = (): string => `${((now() - started) / 1000).toFixed(1)}s`;
    report?.(`${stack}: ${step} started`);
    try {
      const result = await withHeartbeat(report, `${stack}: ${step}`, run, timer);
      report?.(`${stack}: ${step} finished in ${elapsed()}: ${outcome(result)}`);
      return result;
    } catch (e) {
      report?.(`${stack}: ${step} failed after ${elapsed()}`);
      throw e;
    }
  };
}
