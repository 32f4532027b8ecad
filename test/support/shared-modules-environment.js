// jest test environment: jest's node environment, plus one copy per jest worker of the
// packages most test files load (cdktf, constructs, the provider bindings, zod, yaml, the
// API clients, the TypeScript compiler: test/support/shared-modules.js), where jest would
// give each test file a fresh one.
//
// jest evaluates every module again for each test file. For a file that builds a stack
// that was about 700 modules and 15 MB of code, mostly provider bindings: 0.3 to 0.7 s of
// CPU per file, the largest share of the unit suite. These packages keep no state that
// one test file could leak into the next (cdktf's token map only grows), so the worker
// loads them once with Node's own require, and test/support/shared-modules-resolver.js
// hands each test file that copy. Our own code still loads fresh for every file.
//
// cdktf is loaded with the patches the app bundle applies (scripts/app/cdktf-patches.mjs),
// so the tests test what ships, and pay what ships. The same switches as scripts/app.mjs:
// EDGE_CDKTF_AS_SHIPPED=1 loads cdktf unchanged, EDGE_CDKTF_SKIP_PATCHES=<name>,<name>
// without the named patches; a cdktf release the patches were not written for is refused,
// with how to re-check, when a test file first loads a file some patch changes.
const Module = require('node:module');
const { TestEnvironment } = require('jest-environment-node');
const { SHARED_MODULE, SHARED_REQUIRE } = require('./shared-modules');
const { takeLanePriority } = require('./lanes-runner');

/** scripts/app/cdktf-patches.mjs (an ES module), imported by the first setup() in this worker. */
let patchesModule;

/** `lib/...` of a file inside an installed cdktf package, or undefined. */
function insideCdktf(path) {
  const m = /[\\/]node_modules[\\/]cdktf[\\/](lib[\\/].+)$/.exec(path);
  return m ? m[1].split(/[\\/]/).join('/') : undefined;
}

/** The patches this run applies, by the same environment variables as scripts/app.mjs. */
function selectedPatches() {
  if (process.env.EDGE_CDKTF_AS_SHIPPED === '1') return [];
  return patchesModule.selectPatches(process.env.EDGE_CDKTF_SKIP_PATCHES ?? '');
}

let refusalChecked = false;

/** The patched text of `filename` when some selected patch changes it, else undefined. */
function patchedSource(rootDir, filename) {
  const rel = insideCdktf(filename);
  if (rel === undefined) return undefined;
  const patches = selectedPatches().filter((p) => p.files[rel]);
  if (patches.length === 0) return undefined;
  if (!refusalChecked) {
    const why = patchesModule.patchRefusal(rootDir, patches);
    if (why) throw new Error(`test/support/shared-modules-environment.js: refusing to patch cdktf for the tests: ${why}`);
    refusalChecked = true;
  }
  return patchesModule.patchedText(rel, filename, patches);
}

/** Makes Node's loader compile a file some patch changes from its patched text (once per worker). */
function loadCdktfPatched(rootDir) {
  const load = Module._extensions['.js'];
  Module._extensions['.js'] = function loadPatched(module, filename) {
    const source = patchedSource(rootDir, filename);
    if (source === undefined) return load(module, filename);
    module._compile(source, filename);
  };
}

class SharedModulesEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.rootDir = config.projectConfig.rootDir;
    // A worker beside the shared-environment lane runs at a lower CPU priority (test/support/lanes-runner.js).
    takeLanePriority(config.globalConfig);
  }

  async setup() {
    await super.setup();
    if (patchesModule === undefined) {
      patchesModule = await import('../../scripts/app/cdktf-patches.mjs');
      loadCdktfPatched(this.rootDir);
    }
    // The worker's copy of a shared package's module, by absolute path (the resolver's stand-ins call it).
    this.global[SHARED_REQUIRE] = (path) => {
      if (!SHARED_MODULE.test(path)) throw new Error(`test/support/shared-modules-environment.js: ${JSON.stringify(path)} is no module of a package the worker shares`);
      return require(path);
    };
  }
}

module.exports = SharedModulesEnvironment;
