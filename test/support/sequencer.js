// Orders test files so the two jest workers never both wait on the shared moto
// environment while other files are queued.
//
// Every file that uses the shared `local` environment (test/support/shared-local.ts)
// runs its cases one file at a time (`exclusive`), and the first one also waits for
// the environment to be created. Jest's own order (slowest first) starts two of them
// at once, so one worker sits on the lock for minutes while the unit suites wait.
// Here one such file goes first; every file that does not use the environment comes
// next, for the other worker; the rest of the shared-environment files come last.
const { readFileSync } = require('node:fs');
const TestSequencer = require('@jest/test-sequencer').default;

const USES_SHARED_ENVIRONMENT = /\bsharedLocalEnvironment\(/;

class SharedEnvironmentAwareSequencer extends TestSequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    const usesShared = (test) => {
      try {
        return USES_SHARED_ENVIRONMENT.test(readFileSync(test.path, 'utf8'));
      } catch {
        return false;
      }
    };
    const shared = new Set(ordered.filter(usesShared));
    const [first, ...restShared] = [...shared];
    if (first === undefined) return ordered;
    return [first, ...ordered.filter((t) => !shared.has(t)), ...restShared];
  }
}

module.exports = SharedEnvironmentAwareSequencer;
