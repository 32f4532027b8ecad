// Which test files use the shared moto environment (test/support/shared-local.ts):
// calling `sharedLocalEnvironment(` is what marks one, so a new moto file needs nothing
// else to run in the shared-environment lane (test/support/lanes-runner.js). A test that
// writes such a file takes the text from SHARED_ENVIRONMENT_CALL, so that the test file
// itself is not taken for one.
const { readFileSync } = require('node:fs');

const SHARED_ENVIRONMENT_CALL = 'sharedLocalEnvironment(';

/** Whether the test file at `path` asks for the shared environment (false when it cannot be read). */
function usesSharedEnvironment(path) {
  try {
    return readFileSync(path, 'utf8').includes(SHARED_ENVIRONMENT_CALL);
  } catch {
    return false;
  }
}

module.exports = { usesSharedEnvironment, SHARED_ENVIRONMENT_CALL };
