/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // Tests that start terraform, moto or nginx take seconds; unit tests take milliseconds.
  testTimeout: 120000,
  maxWorkers: 2,
  reporters: ['default', ['<rootDir>/test/support/count-reporter.js', {}]],
};
