import { runInDependencyOrder } from '../../../tools/plan/stack-graph';

describe('running stacks in dependency order', () => {
  const deps = new Map([
    ['dev-origin', ['dev-pki']],
    ['dev-edge', ['dev-pki', 'dev-origin']],
    ['dev-keyless', []],
    ['dev-pki', []],
  ]);

  it('never starts a stack before its dependencies finished, and hands their results over', async () => {
    const log: string[] = [];
    const results = await runInDependencyOrder(['dev-edge', 'dev-keyless', 'dev-origin', 'dev-pki'], deps, async (stack, finished) => {
      log.push(`start ${stack}`);
      await new Promise((r) => setImmediate(r));
      log.push(`end ${stack}`);
      return `${stack}<-${[...finished.keys()].sort().join(',')}`;
    }, 4);
    const index = (e: string) => log.indexOf(e);
    expect(index('start dev-origin')).toBeGreaterThan(index('end dev-pki'));
    expect(index('start dev-edge')).toBeGreaterThan(index('end dev-origin'));
    expect(results.get('dev-edge')).toBe('dev-edge<-dev-origin,dev-pki');
  });

  it('keeps at most `concurrency` stacks running', async () => {
    let running = 0;
    let peak = 0;
    await runInDependencyOrder(['a', 'b', 'c', 'd', 'e'], new Map(), async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setImmediate(r));
      running--;
    }, 2);
    expect(peak).toBe(2);
  });

  it('ignores dependencies outside the selection (their state already exists)', async () => {
    const results = await runInDependencyOrder(['dev-edge'], deps, async (s) => s, 1);
    expect([...results.keys()]).toEqual(['dev-edge']);
  });

  it('refuses a cycle and names it', async () => {
    await expect(runInDependencyOrder(['a', 'b'], new Map([['a', ['b']], ['b', ['a']]]), async () => 0)).rejects.toThrow('stack dependency cycle: a -> b -> a');
  });
});
