// cdktf, constructs, the provider packages, zod, yaml, typescript and the API clients are
// loaded once per jest worker (test/support/shared-modules.js), cdktf with the app
// bundle's patches (test/support/shared-modules-environment.js); the resolver hands each
// test file that copy instead of a fresh one.

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/support/shared-modules-environment.js',
  resolver: '<rootDir>/test/support/shared-modules-resolver.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    // Octokit ships ES modules only; jest runs CommonJS, so they are compiled like our own files.
    '^.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(@octokit|universal-user-agent|before-after-hook|json-with-bigint|content-type)/)`],
  // Time limits come from test/support/budget.ts (jest-setup.ts sets the default).
  setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
  // One scratch folder per run; the moto environment shared by the integration suites lives there.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  // The shared-environment (moto) files run one after another on one worker, everything else beside them at a lower priority.
  runner: '<rootDir>/test/support/lanes-runner.js',
  reporters: ['default', ['<rootDir>/test/support/count-reporter.js', {}]],
};
