import { importsOf, repositoryImports, sourceFiles } from '../support/imports';

// The provider barrels (`@cdktf/provider-aws`, `.../lib`) load every resource
// class of the provider: seconds and hundreds of megabytes per process.
const BARREL = /^@cdktf\/provider-(?:aws|cloudflare|tls)(?:\/lib)?\/?$/;

describe('imports', () => {
  it('scans the whole source tree', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    expect(files).toEqual(expect.arrayContaining(['main.ts', 'lib/errors.ts', 'tools/cli.ts', 'scripts/app.mjs', 'test/support/imports.ts']));
  });

  it('never use a provider barrel, only deep imports such as @cdktf/provider-aws/lib/s3-bucket', () => {
    const offenders = repositoryImports()
      .filter((i) => BARREL.test(i.specifier))
      .map((i) => `${i.file}:${i.line}: ${i.specifier}`);
    expect(offenders).toEqual([]);
  });

  it('the scan finds a barrel in every form of import, and not in comments or strings', () => {
    const pkg = (name: string) => `@cdktf/provider-${name}`;
    const text = [
      `import { S3Bucket } from '${pkg('aws')}';`,
      `const x = require("${pkg('cloudflare')}/lib");`,
      `export * from '${pkg('tls')}/lib/';`,
      `async function f() { return import('${pkg('aws')}'); }`,
      `// import { S3Bucket } from '${pkg('aws')}';`,
      `const s = "import x from '${pkg('aws')}'";`,
      "import { S3Bucket as Deep } from '@cdktf/provider-aws/lib/s3-bucket';",
    ].join('\n');
    const found = importsOf('lib/example.ts', text).map((i) => [i.line, i.specifier, BARREL.test(i.specifier)]);
    expect(found).toEqual([
      [1, pkg('aws'), true],
      [2, `${pkg('cloudflare')}/lib`, true],
      [3, `${pkg('tls')}/lib/`, true],
      [4, pkg('aws'), true],
      [7, '@cdktf/provider-aws/lib/s3-bucket', false],
    ]);
  });
});
