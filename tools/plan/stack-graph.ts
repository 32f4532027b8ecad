import { availableParallelism } from 'node:os';

/**
 * Runs one task per stack, as many at a time as `concurrency`, never starting a stack
 * before the stacks it depends on have finished (dependencies outside the selection
 * are ignored: their state already exists). Works for whatever stacks the manifest lists.
 */
export async function runInDependencyOrder<T>(
  stacks: readonly string[],
  dependencies: ReadonlyMap<string, readonly string[]>,
  task: (stack: string, finishedDependencies: ReadonlyMap<string, T>) => Promise<T>,
  concurrency: number = availableParallelism(),
): Promise<Map<string, T>> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency ${concurrency} must be a positive whole number`);
  const selected = new Set(stacks);
  const deps = new Map(stacks.map((s) => [s, (dependencies.get(s) ?? []).filter((d) => selected.has(d) && d !== s)]));
  assertAcyclic(deps);
  const results = new Map<string, T>();
  const started = new Set<string>();
  return new Promise((resolve, reject) => {
    let running = 0;
    let failed = false;
    const pump = (): void => {
      if (failed) return;
      if (results.size === stacks.length) return resolve(results);
      for (const stack of stacks) {
        if (running >= concurrency) break;
        if (started.has(stack) || !deps.get(stack)!.every((d) => results.has(d))) continue;
        started.add(stack);
        running++;
        const finished = new Map(deps.get(stack)!.map((d) => [d, results.get(d)!]));
        task(stack, finished).then(
          (r) => {
            running--;
            results.set(stack, r);
            pump();
          },
          (e) => {
            failed = true;
            reject(e);
          },
        );
      }
    };
    pump();
  });
}

function assertAcyclic(deps: ReadonlyMap<string, readonly string[]>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: string, trail: string[]): void => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') throw new Error(`stack dependency cycle: ${[...trail, node].join(' -> ')}`);
    state.set(node, 'visiting');
    for (const d of deps.get(node) ?? []) visit(d, [...trail, node]);
    state.set(node, 'done');
  };
  for (const node of deps.keys()) visit(node, []);
}
