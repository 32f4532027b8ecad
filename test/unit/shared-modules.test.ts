import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../support/scratch';

// jest.config.js: the test environment (test/support/shared-modules-environment.js) loads
// cdktf, constructs, the providers, zod, yaml, typescript and the API clients once per worker, and the resolver
// (test/support/shared-modules-resolver.js) hands every test file that copy.
const { SHARED_REQUIRE } = require('../support/shared-modules') as { SHARED_REQUIRE: string };
type Resolver = (request: string, options: { defaultResolver: (request: string) => string; rootDir: string }) => string;
const resolveShared = require('../support/shared-modules-resolver') as Resolver;

/** The module `request` names, loaded again in an isolated registry. */
function isolatedRequire(request: string): unknown {
  let isolated: unknown;
  jest.isolateModules(() => {
    isolated = require(request);
  });
  return isolated;
}

/** The first function a module exports. */
function firstFunction(exports: object): unknown {
  const fn = Object.values(exports).find((v) => typeof v === 'function');
  if (fn === undefined) throw new Error('the module exports no function');
  return fn;
}

describe('the packages each jest worker loads once', () => {
  it.each(['cdktf', 'constructs', '@cdktf/provider-aws/lib/s3-bucket', 'zod', 'yaml', 'typescript', 'cloudflare', '@aws-sdk/client-s3'])('%s: a test file gets the worker’s copy, made by Node’s loader, and isolation does not make another', (request) => {
    const mine = require(request) as object;
    // Evaluated in the worker's realm: its functions are not this file's.
    expect(firstFunction(mine)).not.toBeInstanceOf(Function);
    expect(isolatedRequire(request)).toBe(mine);
  });

  it.each(['../../lib/paths', 'asn1js'])('%s still loads fresh for each test file: isolation makes another instance', (request) => {
    const mine = require(request) as object;
    expect(firstFunction(mine)).toBeInstanceOf(Function);
    expect(isolatedRequire(request)).not.toBe(mine);
  });

  it('the resolver stands in for a shared package’s module, with a file naming the real one, and passes any other through', () => {
    const rootDir = scratchDir('shared-modules');
    const cdktf = '/repo/node_modules/cdktf/lib/index.js';
    const standIn = resolveShared('cdktf', { defaultResolver: () => cdktf, rootDir });
    expect(standIn.startsWith(join(rootDir, 'node_modules', '.cache'))).toBe(true);
    expect(readFileSync(standIn, 'utf8')).toBe(`module.exports = globalThis.${SHARED_REQUIRE}(${JSON.stringify(cdktf)});\n`);
    for (const other of ['/repo/node_modules/asn1js/build/index.js', '/repo/node_modules/cdktf-cli/bundle/bin/cdktf', '/repo/node_modules/cdktf/package.json', '/repo/lib/paths.ts']) {
      expect(resolveShared('x', { defaultResolver: () => other, rootDir })).toBe(other);
    }
  });

  it('the worker hands out modules of the shared packages only (a stand-in or our own file is refused)', () => {
    const sharedRequire = (globalThis as unknown as Record<string, (path: string) => unknown>)[SHARED_REQUIRE];
    expect(() => sharedRequire(join(__dirname, '../../lib/paths.ts'))).toThrow(/is no module of a package the worker shares/);
  });
});
