// jest transformer: the tests load cdktf with the same patches the app bundle applies
// (scripts/app/cdktf-patches.mjs), so they test what ships, and pay what ships. Under
// jest the first patch matters most: cdktf records a full stack trace for every token
// it creates, and jest's source-map-aware stack traces make each one costly (a third
// of the time of a file that builds stacks). test/integration/app-runner.test.ts
// proves the patched cdktf writes the same bytes as cdktf as shipped.
//
// Same switches as scripts/app.mjs: EDGE_CDKTF_AS_SHIPPED=1 loads cdktf unchanged,
// EDGE_CDKTF_SKIP_PATCHES=<name>,<name> without the named patches; a cdktf release
// the patches were not written for is refused with how to re-check, as the bundle does.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PATCHES, patchRefusal, selectPatches } from '../../scripts/app/cdktf-patches.mjs';

const PATCHES_FILE = fileURLToPath(new URL('../../scripts/app/cdktf-patches.mjs', import.meta.url));
const THIS_FILE = fileURLToPath(import.meta.url);

/** Every cdktf file some patch changes, by its path inside the package (`lib/terraform-stack.js`). */
export const PATCHED_FILES = [...new Set(PATCHES.flatMap((p) => Object.keys(p.files)))];

/** The patches this run applies, by the same environment variables as scripts/app.mjs. */
function selected() {
  if (process.env.EDGE_CDKTF_AS_SHIPPED === '1') return [];
  return selectPatches(process.env.EDGE_CDKTF_SKIP_PATCHES ?? '');
}

/** `lib/...` of a file inside an installed cdktf package, or undefined. */
function insideCdktf(path) {
  const m = /[\\/]node_modules[\\/]cdktf[\\/](lib[\\/].+)$/.exec(path);
  return m ? m[1].split(/[\\/]/).join('/') : undefined;
}

let checked = false;

/**
 * Why this run may not patch: a cdktf release the patches were not written for, or a
 * jest configuration that does not send every patched file here (jest.config.js finds
 * them in the patches' text; a file it missed would silently load unpatched).
 */
function refusal(config, patches) {
  const sample = (rel) => `${config.rootDir}/node_modules/cdktf/${rel}`;
  const routedHere = (file) => {
    const match = config.transform.find(([pattern]) => new RegExp(pattern).test(file));
    return match !== undefined && match[1] === THIS_FILE && !config.transformIgnorePatterns.some((p) => new RegExp(p).test(file));
  };
  const missed = PATCHED_FILES.filter((rel) => !routedHere(sample(rel)));
  if (missed.length > 0) return `jest.config.js does not send ${missed.join(', ')} through this transformer; make its list of patched files match scripts/app/cdktf-patches.mjs`;
  return patchRefusal(config.rootDir, patches);
}

function process_(source, path, options) {
  const rel = insideCdktf(path);
  const patches = selected().filter((p) => rel !== undefined && p.files[rel]);
  if (patches.length === 0) return { code: source };
  if (!checked) {
    const why = refusal(options.config, patches);
    if (why) throw new Error(`test/support/cdktf-patches-transform.mjs: refusing to patch cdktf for the tests: ${why}`);
    checked = true;
  }
  return { code: patches.reduce((text, p) => p.files[rel](path, text, p), source) };
}

/**
 * The patched text depends on the file, the patches, this transformer, the switches and
 * the installed cdktf release (the refusal): all of it is in the key, so jest's cache
 * never serves a file patched by an older version of either.
 */
function getCacheKey(source, path, options) {
  let cdktf = '';
  try {
    cdktf = readFileSync(createRequire(join(options.config.rootDir, 'package.json')).resolve('cdktf/package.json'), 'utf8');
  } catch {
    // No installed cdktf: process() reports it through patchRefusal.
  }
  return createHash('sha256')
    .update(JSON.stringify([path, options.config.rootDir, process.env.EDGE_CDKTF_AS_SHIPPED ?? '', process.env.EDGE_CDKTF_SKIP_PATCHES ?? '']))
    .update('\0')
    .update(source)
    .update('\0')
    .update(readFileSync(PATCHES_FILE))
    .update('\0')
    .update(readFileSync(THIS_FILE))
    .update('\0')
    .update(cdktf)
    .digest('hex');
}

export default { process: process_, getCacheKey };
