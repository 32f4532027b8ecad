// What test/support/shared-modules-environment.js and shared-modules-resolver.js agree on.

/**
 * The packages each jest worker loads once, as a regular-expression group over package
 * names: the ones most test files load (cdktf, constructs, the providers, zod, yaml), the
 * API clients of the drift and bypass checks (cloudflare, the AWS SDK) and the TypeScript
 * compiler (the import-graph tests). Besides the loading, their code stays optimised by
 * V8 from one test file to the next. A package may join only if nothing tells its objects
 * from a test file's by realm: our code never tests what it throws or returns with
 * `instanceof` a built-in class (envs/load.ts knows yaml's alias-bomb ReferenceError by
 * name), and it never tests ours so.
 */
const SHARED_PACKAGES = '(cdktf|constructs|@cdktf/provider-[a-z]+|zod|yaml|typescript|cloudflare|@aws-sdk/[a-z0-9-]+|@smithy/[a-z0-9-]+|@aws-crypto/[a-z0-9-]+)';

/** A JavaScript file (CommonJS: `.js`, `.cjs`) of one of those packages, by absolute path. */
const SHARED_MODULE = new RegExp(`[\\\\/]node_modules[\\\\/]${SHARED_PACKAGES}[\\\\/].*\\.c?js$`);

/** The global through which a test file reaches the worker's copy of a shared module. */
const SHARED_REQUIRE = '__edgeSharedRequire';

module.exports = { SHARED_MODULE, SHARED_REQUIRE };
