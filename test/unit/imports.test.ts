import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fromRoot } from '../../lib/paths';

const SOURCE_DIRS = ['main.ts', 'envs', 'stacks', 'modules', 'lib', 'tools', 'scripts', 'test'];

function sourceFiles(path: string): string[] {
  if (statSync(path).isFile()) return /\.(ts|mts|mjs|js)$/.test(path) ? [path] : [];
  return readdirSync(path).flatMap((entry) => (entry === 'node_modules' ? [] : sourceFiles(join(path, entry))));
}

// The provider barrels (`@cdktf/provider-aws`, `.../lib`) load every resource
// class of the provider: seconds and hundreds of megabytes per process.
const BARREL = /(?:from\s+|require\(\s*|import\(\s*)['"](@cdktf\/provider-(?:aws|cloudflare|tls))(\/lib)?\/?['"]/g;

describe('imports', () => {
  const files = SOURCE_DIRS.flatMap((d) => sourceFiles(fromRoot(d)));

  it('scans the whole source tree', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('never use a provider barrel, only deep imports such as @cdktf/provider-aws/lib/s3-bucket', () => {
    const offenders = files.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return [...text.matchAll(BARREL)].map((m) => `${relative(fromRoot(), file)}: ${m[0]}`);
    });
    expect(offenders).toEqual([]);
  });

  it('the barrel pattern catches the forms it must', () => {
    // Built from pieces so that this file does not trip its own scan.
    const pkg = (name: string) => `@cdktf/provider-${name}`;
    const bad = [
      `import { S3Bucket } from '${pkg('aws')}';`,
      `const x = require("${pkg('cloudflare')}/lib");`,
      `import * as tls from '${pkg('tls')}/lib/';`,
    ];
    for (const line of bad) expect(line.match(BARREL)).not.toBeNull();
    expect("import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';".match(BARREL)).toBeNull();
  });
});
