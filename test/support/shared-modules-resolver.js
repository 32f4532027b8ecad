// jest resolver for the packages test/support/shared-modules-environment.js loads once
// per jest worker. A module of one of them resolves to a one-line stand-in that hands the
// test file the worker's copy of that module, so jest neither reads nor compiles the
// package's own code again for every test file. Stand-ins are named by their text, so one
// written by an older version of this file is never served.
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { SHARED_MODULE, SHARED_REQUIRE } = require('./shared-modules');

/** The stand-in for the shared module at `path`, written if missing. */
function standIn(rootDir, path) {
  const text = `module.exports = globalThis.${SHARED_REQUIRE}(${JSON.stringify(path)});\n`;
  const dir = join(rootDir, 'node_modules', '.cache', 'edge-shared-modules');
  const file = join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 32)}.js`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Two workers may write the same stand-in at once; each renames a whole file into place.
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  }
  return file;
}

module.exports = (request, options) => {
  const path = options.defaultResolver(request, options);
  return SHARED_MODULE.test(path) ? standIn(options.rootDir, path) : path;
};
