import { spawn } from 'node:child_process';
import { fromRoot } from '../../lib/paths';
import { defineCommand, EXIT } from '../cli';

/**
 * `npm run test:busy`: the robustness check. Runs jest (the integration suites unless
 * told otherwise) while a busy loop keeps one core at 100%, the way a shared CI
 * machine is loaded. The suite's time limits (test/support/budget.ts) must hold.
 */

/** A process that spins one core until killed. */
function busyLoop() {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

export const testBusyCommand = defineCommand({
  name: 'npm run test:busy',
  summary:
    'Runs jest while a busy loop occupies one core, to prove the suite passes on a loaded machine. Without --path it runs test/integration (the terraform and moto suites).',
  options: {
    path: { type: 'string', multiple: true, doc: 'test path pattern to pass to jest instead of test/integration', valueName: '<pattern>' },
    all: { type: 'boolean', doc: 'run the whole suite (npm test) instead' },
  },
  exitCodes: { 1: 'a test failed (jest says which)' },
  async run(values) {
    const patterns = values.all ? [] : values.path.length > 0 ? values.path : ['test/integration'];
    const busy = busyLoop();
    console.log(`busy loop on one core (pid ${busy.pid}); jest ${patterns.join(' ') || '(whole suite)'}`);
    try {
      const code = await new Promise<number>((resolve, reject) => {
        const jest = spawn(process.execPath, [fromRoot('node_modules', 'jest', 'bin', 'jest.js'), ...patterns], { cwd: fromRoot(), stdio: 'inherit' });
        jest.on('error', reject);
        jest.on('close', (c) => resolve(c ?? 1));
      });
      return code === 0 ? EXIT.ok : EXIT.failure;
    } finally {
      busy.kill('SIGKILL');
    }
  },
});
