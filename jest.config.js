const { readFileSync } = require('node:fs');

// cdktf is loaded with the patches the app bundle applies (scripts/app/cdktf-patches.mjs,
// through test/support/cdktf-patches-transform.mjs); only the files they change go through
// it. The list is read from the patches' text (this file is CommonJS and cannot import
// that module); the transformer refuses to run if it misses a file the patches change.
const PATCHED_FILES = [...new Set([...readFileSync(`${__dirname}/scripts/app/cdktf-patches.mjs`, 'utf8').matchAll(/^\s*'(lib\/[\w./-]+\.js)':/gm)].map((m) => m[1]))];
const PATCHED = `cdktf/(${PATCHED_FILES.map((f) => f.replace(/[.]/g, '\\.')).join('|')})$`;

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    [`/node_modules/${PATCHED}`]: '<rootDir>/test/support/cdktf-patches-transform.mjs',
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    // Octokit ships ES modules only; jest runs CommonJS, so they are compiled like our own files.
    '^.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(@octokit|universal-user-agent|before-after-hook|json-with-bigint|content-type)/|${PATCHED})`],
  // Time limits come from test/support/budget.ts (jest-setup.ts sets the default).
  setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
  // One scratch folder per run; the moto environment shared by the integration suites lives there.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  // One shared-environment (moto) file first, then everything else, then the other moto files.
  testSequencer: '<rootDir>/test/support/sequencer.js',
  reporters: ['default', ['<rootDir>/test/support/count-reporter.js', {}]],
};
