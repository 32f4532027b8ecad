import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fromRoot } from '../../../lib/paths';

// The runner's last line of defence, which only a real process shows: runCommand turns
// an error thrown after the command returned (a callback, a forgotten promise) into one
// line and exit 1. test/unit/cli/runner.test.ts pins the rest of the runner in process.

describe('the command runner in a real process', () => {
  it('an error thrown later, outside the command\'s promise, also ends as one line and exit 1', () => {
    // .cache/ is where the bundle lives; a fresh clone has none until something builds it.
    mkdirSync(fromRoot('.cache'), { recursive: true });
    const file = fromRoot('.cache', `late-error-${process.pid}.ts`);
    writeFileSync(
      file,
      [
        "import { defineCommand, runCommand } from '../tools/cli';",
        "void runCommand(defineCommand({ name: 'npm run late', summary: 's', options: {}, run: () => {",
        "  setTimeout(() => { throw new Error('socket closed'); }, 10);",
        "  void Promise.reject(new Error('never awaited'));",
        '  return 0;',
        '} }));',
      ].join('\n'),
    );
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: fromRoot(), encoding: 'utf8', env: { ...process.env, EDGE_DEBUG: '' }, timeout: 60_000 });
      expect({ code: r.status, stderr: r.stderr }).toEqual({ code: 1, stderr: 'npm run late: never awaited\n(set EDGE_DEBUG=1 to print the stack trace)\n' });
    } finally {
      rmSync(file, { force: true });
    }
  });
});
