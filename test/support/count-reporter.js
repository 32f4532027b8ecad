// Writes the real jest totals to reports/jest-counts.json so .ci/run can print
// its closing `N passed, N failed, N skipped` line from them.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

class CountReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = join(this.rootDir, 'reports');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'jest-counts.json'),
      JSON.stringify({
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
        failedSuites: results.numFailedTestSuites,
      }),
    );
  }
}

module.exports = CountReporter;
