// Changes to cdktf made only inside the app bundle (scripts/app.mjs), each one removing
// work whose result never reaches cdktf.out. test/integration/app-runner.test.ts synthesizes
// every environment with and without them and requires the same bytes;
// EDGE_CDKTF_AS_SHIPPED=1 builds the bundle without any of them, and
// EDGE_CDKTF_SKIP_PATCHES=<name>,<name> without the named ones (npm run bench times
// each patch that way, so one that no longer pays can be dropped).
//
// Each patch states the exact cdktf release it was written for and checked against
// (`writtenFor`); the bundle refuses any other installed release, and any other
// framework under the name `cdktf` (the community fork cdktn installed as
// `cdktf@npm:cdktn@...`), before bundling: the edits might still find their text and
// change code they were never checked against. Each edit names the exact text it
// replaces; text that is missing or not unique stops the build with the file and the text.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The cdktf release every patch below is written for (package.json pins it). */
export const PATCHED_FOR = { name: 'cdktf', version: '0.21.0' };

/** Replaces each `[from, to]` once, failing on text that is missing or not unique. */
function edit(path, source, edits, patch) {
  let out = source;
  for (const [from, to] of edits) {
    const at = out.indexOf(from);
    if (at < 0 || out.indexOf(from, at + 1) >= 0) {
      throw new Error(
        `${path}: expected exactly one ${JSON.stringify(from)} (patch ${patch.name} in scripts/app/cdktf-patches.mjs is written for cdktf ${patch.writtenFor}); ` +
          `update the patch for this cdktf, or run with EDGE_CDKTF_SKIP_PATCHES=${patch.name} or EDGE_CDKTF_AS_SHIPPED=1`,
      );
    }
    out = out.slice(0, at) + to + out.slice(at + from.length);
  }
  return out;
}

/** A change to one file: the list of `[from, to]` text replacements. */
const edits = (list) => (path, source, patch) => edit(path, source, list, patch);

/**
 * The prepared resolutions of a stack (patch reuse-prepared-resolve), and how many
 * times anything that may change an element ran since (an aspect visiting a construct,
 * a custom synthesis): shared by terraform-stack.js and synthesizer.js through the
 * global symbol registry, as the two modules cannot import each other.
 */
const PREPARED = 'Symbol.for("edge-mtls-cdktf/prepared-resolve")';
const CHANGES = `(globalThis[${PREPARED}] ??= { changes: 0 })`;

/**
 * Every patch, in the order they apply. `files` maps a path inside the cdktf package
 * to the change made to it; two patches touching one file edit disjoint text, so each
 * one can be skipped alone.
 */
export const PATCHES = [
  {
    name: 'no-stack-traces',
    writtenFor: '0.21.0',
    why:
      'cdktf records a full stack trace for every token it creates (Lazy, intrinsics, dynamic blocks, computed lists), ' +
      'only to quote it if resolving that token fails: a fifth of synth CPU when first measured.',
    files: {
      'lib/tokens/private/stack-trace.js': (path, source, patch) => {
        // The patch replaces the whole file: it may only hold what the replacement exports.
        const exported = [...source.matchAll(/^exports\.(\w+) = /gm)].map((m) => m[1]).filter((n) => n !== '__esModule');
        if (exported.join() !== 'captureStackTrace') {
          throw new Error(`${path}: exports ${exported.join(', ')}; the patch replaces the file with captureStackTrace alone (patch ${patch.name})`);
        }
        return 'exports.captureStackTrace = function captureStackTrace() { return []; };\n';
      },
    },
  },
  {
    name: 'resolve-literals',
    writtenFor: '0.21.0',
    why:
      'resolve() visits every key, value and list element of every resource, twice per synth. For each it builds the ' +
      'path string used only in error messages and a context with four closures, and runs three regular expressions; ' +
      'on a literal (the vast majority: keys, names, ids, flags) all of it ends in returning the value unchanged. The ' +
      'fast path returns such a value at once: undefined, null, a boolean, or a string with no token marker ' +
      '(`TfToken[`, common to string and list tokens), neither map-token sentinel (which must still throw) and nothing ' +
      "the number-token expression would match (encoding.js's NUMBER_TOKEN_REGEX without `g`).",
    files: {
      'lib/tokens/private/resolve.js': edits([
        [
          'const tokenMap = token_map_1.TokenMap.instance();',
          'const tokenMap = token_map_1.TokenMap.instance();\n' +
            'const NUMBER_TOKEN_LIKE = /[-|\\d|.\\+]+(e[-|\\d|.|e|E|\\+]+)/;\n' +
            'function isLiteralString(s) {\n' +
            '    return !s.includes("TfToken[") && s !== token_1.Token.STRING_MAP_TOKEN_VALUE && s !== token_1.Token.ANY_MAP_TOKEN_VALUE && !NUMBER_TOKEN_LIKE.test(s);\n' +
            '}\n' +
            'function isLiteral(x) {\n' +
            '    return x === undefined || x === null || typeof x === "boolean" || (typeof x === "string" && isLiteralString(x));\n' +
            '}',
        ],
        ['    const pathName = "/" + prefix.join("/");', '    const pathName = { toString: () => "/" + prefix.join("/") };'],
        [
          '        throw (0, errors_1.unableToResolveCircularReference)(pathName);\n    }\n',
          '        throw (0, errors_1.unableToResolveCircularReference)(pathName);\n    }\n' +
            '    if (typeof obj === "string" && isLiteralString(obj)) {\n        return obj;\n    }\n',
        ],
        ['            .map((x, i) => makeContext(`${i}`)[0].resolve(x))\n', '            .map((x, i) => (isLiteral(x) ? x : makeContext(`${i}`)[0].resolve(x)))\n'],
        [
          '        const resolvedKey = makeContext()[0].resolve(key);\n',
          '        const resolvedKey = isLiteralString(key) ? key : makeContext()[0].resolve(key);\n',
        ],
        [
          '        const value = makeContext(key)[0].resolve(obj[key]);\n',
          '        const raw = obj[key];\n        const value = isLiteral(raw) ? raw : makeContext(key)[0].resolve(raw);\n',
        ],
      ]),
    },
  },
  {
    name: 'reuse-prepared-resolve',
    writtenFor: '0.21.0',
    why:
      "App.synth() builds and resolves every element's Terraform twice: once in prepareStack() (a preparing pass that " +
      'registers cross-stack references) and again in toTerraform(), to the same result: the only token that reads ' +
      "`preparing` (a Reference) returns in the preparing pass what it returns afterwards. The patch keeps each stack's " +
      'prepared results and uses them in its next toTerraform(), once. Anything that may change an element in ' +
      'between (an aspect visiting a construct, a custom synthesis) discards every kept result; elements added in ' +
      'between (cross-stack outputs and remote state) were never prepared and are resolved as before.',
    files: {
      'lib/terraform-stack.js': edits([
        [
          'const STACK_SYMBOL = Symbol.for("cdktf/TerraformStack");\n',
          'const STACK_SYMBOL = Symbol.for("cdktf/TerraformStack");\n' + `const PREPARED_RESOLVE = ${PREPARED};\n`,
        ],
        [
          '        terraformElements(this).forEach((e) => (0, _tokens_1.resolve)(this, e.toTerraform(), true));\n',
          '        const resolved = new Map();\n' +
            '        terraformElements(this).forEach((e) => resolved.set(e, (0, _tokens_1.resolve)(this, e.toTerraform(), true)));\n' +
            `        this[PREPARED_RESOLVE] = { resolved, changes: ${CHANGES}.changes };\n`,
        ],
        [
          '        const fragments = elements.map((e) => (0, _tokens_1.resolve)(this, e.toTerraform()));\n',
          '        const prepared = this[PREPARED_RESOLVE];\n' +
            '        this[PREPARED_RESOLVE] = undefined;\n' +
            `        const reuse = prepared !== undefined && prepared.changes === ${CHANGES}.changes ? prepared.resolved : new Map();\n` +
            '        const fragments = elements.map((e) => (reuse.has(e) ? reuse.get(e) : (0, _tokens_1.resolve)(this, e.toTerraform())));\n',
        ],
      ]),
      'lib/synthesize/synthesizer.js': edits([
        ['            aspect.visit(construct);\n', `            aspect.visit(construct);\n            ${CHANGES}.changes++;\n`],
        [
          '            .forEach((node) => getCustomSynthesis(node)?.onSynthesize(session));\n',
          `            .forEach((node) => { const custom = getCustomSynthesis(node); if (custom) { ${CHANGES}.changes++; custom.onSynthesize(session); } });\n`,
        ],
      ]),
    },
  },
  {
    name: 'lazy-archiver',
    writtenFor: '0.21.0',
    why:
      'cdktf loads archiver (with glob, zip-stream and their dependencies) when the app starts, only to zip a ' +
      'TerraformAsset of type ARCHIVE, which this app has none of: loading it was two thirds of loading cdktf. ' +
      'The patch loads it on the first archive instead.',
    files: {
      'lib/private/fs.js': edits([
        ['const archiver = require("archiver");\n', 'let archiverModule;\nconst archiver = (...args) => (archiverModule ??= require("archiver"))(...args);\n'],
      ]),
    },
  },
];

/**
 * The patches to apply when `skip` (EDGE_CDKTF_SKIP_PATCHES, comma-separated names)
 * names some to leave out; an unknown name throws, listing the known ones.
 */
export function selectPatches(skip = '') {
  const names = skip.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !PATCHES.some((p) => p.name === n));
  if (unknown.length > 0) {
    throw new Error(`EDGE_CDKTF_SKIP_PATCHES names ${unknown.map((n) => JSON.stringify(n)).join(', ')}, which is no patch; the patches are ${PATCHES.map((p) => p.name).join(', ')}`);
  }
  return PATCHES.filter((p) => !names.includes(p.name));
}

/**
 * Why `patches` may not be applied to the `cdktf` the app resolves from `root`
 * (undefined when they may): another framework under that name, or a release some
 * patch was not written for.
 */
export function patchRefusal(root, patches = PATCHES) {
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(createRequire(join(root, 'package.json')).resolve('cdktf/package.json'), 'utf8'));
  } catch (e) {
    return `cannot read the installed cdktf's package.json (${e.message.split('\n')[0]})`;
  }
  const stale = patches.filter((p) => pkg.name !== PATCHED_FOR.name || p.writtenFor !== pkg.version);
  if (stale.length === 0) return undefined;
  const written = [...new Set(stale.map((p) => p.writtenFor))].join(', ');
  return (
    `the installed cdktf is ${pkg.name} ${pkg.version}, but scripts/app/cdktf-patches.mjs is written for ` +
    `${PATCHED_FOR.name} ${written} (patches ${stale.map((p) => p.name).join(', ')}). Run with EDGE_CDKTF_AS_SHIPPED=1 to bundle it unpatched ` +
    `(or EDGE_CDKTF_SKIP_PATCHES=<names> without some); to patch it, re-check each patch against its source, set its writtenFor ` +
    'and PATCHED_FOR, and run test/integration/app-runner.test.ts (same bytes with and without the patches, every environment) ' +
    'and test/integration/cdktn-continuity.test.ts (docs/cdktn-migration.md)'
  );
}

/**
 * Whether every text the patches replace is found exactly once in the cdktf package at
 * `cdktfDir` (for test/integration/cdktn-continuity.test.ts, which reports it for cdktn):
 * the problems, empty when all would apply. Found text is no proof the patch is right
 * for that release; writtenFor still has to be changed by hand after checking.
 */
export function patchTextProblems(cdktfDir, patches = PATCHES) {
  const problems = [];
  const texts = new Map();
  for (const patch of patches) {
    for (const [rel, change] of Object.entries(patch.files)) {
      const path = join(cdktfDir, ...rel.split('/'));
      try {
        if (!texts.has(path)) texts.set(path, readFileSync(path, 'utf8'));
        texts.set(path, change(path, texts.get(path), patch));
      } catch (e) {
        problems.push(e.message.split('\n')[0]);
      }
    }
  }
  return problems;
}

/**
 * The text of the cdktf file at `path` (`rel` inside the package) with every patch of
 * `patches` that changes it applied, in order: what the bundle and the jest workers
 * (test/support/shared-modules-environment.js) load in its place.
 */
export function patchedText(rel, path, patches = PATCHES) {
  return patches.filter((p) => p.files[rel]).reduce((source, p) => p.files[rel](path, source, p), readFileSync(path, 'utf8'));
}

/** The regular expression matching a file of the cdktf package by its path inside it. */
const fileFilter = (rel) => new RegExp(`[\\\\/]cdktf[\\\\/]${rel.split('/').map((s) => s.replace(/[.]/g, '\\.')).join('[\\\\/]')}$`);

/** The esbuild plugin applying `patches` (all by default); it refuses a cdktf they were not written for. */
export function cdktfPatches(patches = PATCHES) {
  return {
    name: 'cdktf-patches',
    setup(build) {
      const refusal = patchRefusal(build.initialOptions.absWorkingDir ?? process.cwd(), patches);
      if (refusal) throw new Error(refusal);
      const files = [...new Set(patches.flatMap((p) => Object.keys(p.files)))];
      for (const rel of files) {
        build.onLoad({ filter: fileFilter(rel) }, ({ path }) => ({
          loader: 'js',
          contents: patchedText(rel, path, patches),
        }));
      }
    },
  };
}
