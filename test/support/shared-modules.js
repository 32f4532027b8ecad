// What test/support/shared-modules-environment.js and shared-modules-resolver.js agree on.

/**
 * The packages each jest worker loads once, as a regular-expression group over package
 * names. A package may join only if nothing tells its objects from a test file's by realm:
 * our code never tests what it throws or returns with `instanceof` a built-in class, and
 * it never tests ours so. yaml is left out for that reason: envs/load.ts knows yaml's
 * alias-bomb error by `instanceof ReferenceError`.
 */
const SHARED_PACKAGES = '(cdktf|constructs|@cdktf/provider-[a-z]+|zod)';

/** A JavaScript file (CommonJS: `.js`, `.cjs`) of one of those packages, by absolute path. */
const SHARED_MODULE = new RegExp(`[\\\\/]node_modules[\\\\/]${SHARED_PACKAGES}[\\\\/].*\\.c?js$`);

/** The global through which a test file reaches the worker's copy of a shared module. */
const SHARED_REQUIRE = '__edgeSharedRequire';

module.exports = { SHARED_MODULE, SHARED_REQUIRE };
