// Changes to cdktf 0.21.0 made only inside the app bundle (scripts/app.mjs), each one
// removing work whose result never reaches cdktf.out. test/integration/app-runner.test.ts
// synthesizes every environment with and without them and requires the same bytes;
// EDGE_CDKTF_AS_SHIPPED=1 builds the bundle without them, to debug cdktf itself.
//
// Each patch names the exact text it replaces. When an upgraded cdktf no longer has
// that text the build stops with the file and the text, instead of bundling a
// half-patched cdktf (the unit test above fails first, on the upgrade). Before any of
// that, the plugin refuses a cdktf other than PATCHED_FOR (name and version).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The one cdktf release these patches were written for and checked against. Any other
 * framework under the name `cdktf` (another cdktf version, or the community fork cdktn
 * installed as `cdktf@npm:cdktn@...`) is refused before bundling: the edits below might
 * still find their text and change code they were never checked against.
 */
export const PATCHED_FOR = { name: 'cdktf', version: '0.21.0' };

/**
 * The name and version of the `cdktf` the app resolves from `root`, and why the patches
 * may not be applied to it (undefined when they may).
 */
export function patchRefusal(root) {
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(createRequire(join(root, 'package.json')).resolve('cdktf/package.json'), 'utf8'));
  } catch (e) {
    return `cannot read the installed cdktf's package.json (${e.message.split('\n')[0]})`;
  }
  if (pkg.name === PATCHED_FOR.name && pkg.version === PATCHED_FOR.version) return undefined;
  return (
    `the installed cdktf is ${pkg.name} ${pkg.version}, but scripts/app/cdktf-patches.mjs is written for ` +
    `${PATCHED_FOR.name} ${PATCHED_FOR.version}. Run with EDGE_CDKTF_AS_SHIPPED=1 to bundle it unpatched; to patch it, ` +
    're-check every patch against its source, set PATCHED_FOR, and run test/integration/app-runner.test.ts ' +
    '(same bytes with and without the patches) and test/integration/cdktn-continuity.test.ts (docs/cdktn-migration.md)'
  );
}

/**
 * cdktf records a full stack trace for every token it creates, only to quote it if
 * resolving that token fails: a fifth of synth's CPU.
 */
const STACK_TRACE = {
  file: /[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]stack-trace\.js$/,
  replace: () => 'exports.captureStackTrace = function captureStackTrace() { return []; };\n',
};

/**
 * resolve() visits every key and value of every resource, three times per synth
 * (prepare, resource, stack). For each it builds the path string used only in error
 * messages, a context with four closures, and runs three regular expressions; on a
 * literal string (the vast majority: keys, names, ids) all of it ends in returning the
 * string unchanged. The fast path returns such a string at once, before any of that
 * (and, for a key or a value of an object, before the context is made): one with no token
 * marker (`TfToken[`, common to string and list tokens), none of the two map-token
 * sentinels (which must still throw) and nothing the number-token expression would
 * match (the same expression as encoding.js's NUMBER_TOKEN_REGEX, without `g`).
 */
const RESOLVE = {
  file: /[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]resolve\.js$/,
  edits: [
    [
      'const tokenMap = token_map_1.TokenMap.instance();',
      'const tokenMap = token_map_1.TokenMap.instance();\n' +
        'const NUMBER_TOKEN_LIKE = /[-|\\d|.\\+]+(e[-|\\d|.|e|E|\\+]+)/;\n' +
        'function isLiteralString(s) {\n' +
        '    return !s.includes("TfToken[") && s !== token_1.Token.STRING_MAP_TOKEN_VALUE && s !== token_1.Token.ANY_MAP_TOKEN_VALUE && !NUMBER_TOKEN_LIKE.test(s);\n' +
        '}',
    ],
    ['    const pathName = "/" + prefix.join("/");', '    const pathName = { toString: () => "/" + prefix.join("/") };'],
    [
      '        throw (0, errors_1.unableToResolveCircularReference)(pathName);\n    }\n',
      '        throw (0, errors_1.unableToResolveCircularReference)(pathName);\n    }\n' +
        '    if (typeof obj === "string" && isLiteralString(obj)) {\n        return obj;\n    }\n',
    ],
    [
      '        const resolvedKey = makeContext()[0].resolve(key);\n',
      '        const resolvedKey = isLiteralString(key) ? key : makeContext()[0].resolve(key);\n',
    ],
    [
      '        const value = makeContext(key)[0].resolve(obj[key]);\n',
      '        const raw = obj[key];\n' +
        '        const value = typeof raw === "string" && isLiteralString(raw) ? raw : makeContext(key)[0].resolve(raw);\n',
    ],
  ],
};

/** Replaces each `[from, to]` once, failing on text that is missing or not unique. */
function edit(path, source, edits) {
  let out = source;
  for (const [from, to] of edits) {
    const at = out.indexOf(from);
    if (at < 0 || out.indexOf(from, at + 1) >= 0) {
      throw new Error(
        `${path}: expected exactly one ${JSON.stringify(from)} (scripts/app/cdktf-patches.mjs is written for cdktf 0.21.0); ` +
          'update the patch for this cdktf, or run with EDGE_CDKTF_AS_SHIPPED=1',
      );
    }
    out = out.slice(0, at) + to + out.slice(at + from.length);
  }
  return out;
}

/**
 * Whether every text the patches replace is found exactly once in the cdktf package at
 * `cdktfDir` (for test/integration/cdktn-continuity.test.ts, which reports it for cdktn):
 * the problems, empty when all would apply. Found text is no proof the patch is right
 * for that release; PATCHED_FOR still has to be changed by hand after checking.
 */
export function patchTextProblems(cdktfDir) {
  const problems = [];
  const stackTrace = join(cdktfDir, 'lib', 'tokens', 'private', 'stack-trace.js');
  try {
    // The patch replaces the whole file: it may only hold what the replacement exports.
    const exported = [...readFileSync(stackTrace, 'utf8').matchAll(/^exports\.(\w+) = /gm)].map((m) => m[1]).filter((n) => n !== '__esModule');
    if (exported.join() !== 'captureStackTrace') {
      problems.push(`${stackTrace}: exports ${exported.join(', ')}; the patch replaces the file with captureStackTrace alone`);
    }
  } catch (e) {
    problems.push(`${stackTrace}: ${e.message.split('\n')[0]}`);
  }
  const resolve = join(cdktfDir, 'lib', 'tokens', 'private', 'resolve.js');
  try {
    edit(resolve, readFileSync(resolve, 'utf8'), RESOLVE.edits);
  } catch (e) {
    problems.push(e.message.split('\n')[0]);
  }
  return problems;
}

/** The esbuild plugin applying every patch; it refuses any cdktf but PATCHED_FOR. */
export const cdktfPatches = {
  name: 'cdktf-patches',
  setup(build) {
    const refusal = patchRefusal(build.initialOptions.absWorkingDir ?? process.cwd());
    if (refusal) throw new Error(refusal);
    build.onLoad({ filter: STACK_TRACE.file }, () => ({ loader: 'js', contents: STACK_TRACE.replace() }));
    build.onLoad({ filter: RESOLVE.file }, ({ path }) => ({ loader: 'js', contents: edit(path, readFileSync(path, 'utf8'), RESOLVE.edits) }));
  },
};
