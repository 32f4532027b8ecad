import { readFileSync, writeFileSync } from 'node:fs';
import { parseOptions } from '../tools/cli';
import { buildSnapshot, cloneTag, snapshotPath } from '../tools/conformance/regenerate';
import { PROVIDER_SOURCES } from '../tools/conformance/sources';

/**
 * `npm run provider-schemas`: regenerates tools/conformance/snapshots/*.json from the
 * providers' public source at the pinned tags. Without `--<provider>-git` it makes a
 * shallow bare clone of the tag; `--check` compares instead of writing (exit 2 when
 * a committed snapshot differs from the source).
 */
const USAGE = 'usage: npm run provider-schemas -- [--cloudflare-git DIR] [--tls-git DIR] [--check]';
const opts = parseOptions(process.argv.slice(2), { 'cloudflare-git': { type: 'string' }, 'tls-git': { type: 'string' }, check: { type: 'boolean' }, help: { type: 'boolean' } }, USAGE);
if (!opts) process.exit(64);
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
let changed = 0;
for (const source of PROVIDER_SOURCES) {
  const given = opts[`${source.provider}-git` as 'cloudflare-git' | 'tls-git'];
  const clone = given ? undefined : cloneTag(source);
  try {
    const snapshot = buildSnapshot(source, given ?? clone!.gitDir);
    const text = `${JSON.stringify(snapshot, null, 2)}\n`;
    const path = snapshotPath(source.provider, source.version);
    let old = '';
    try { old = readFileSync(path, 'utf8'); } catch { /* first run */ }
    const types = Object.keys(snapshot.resources).length + Object.keys(snapshot.dataSources).length;
    if (old === text) console.log(`ok   ${source.provider} ${source.version}: ${types} types, unchanged`);
    else if (opts.check) { console.error(`DIFF ${source.provider} ${source.version}: ${path} differs from ${source.tag}`); changed++; }
    else { writeFileSync(path, text); console.log(`wrote ${path}: ${types} types from ${source.tag} (${snapshot.source.commit})`); }
  } catch (e) {
    console.error(`FAIL ${source.provider} ${source.version}: ${(e as Error).message}`);
    process.exit(1);
  } finally {
    clone?.dispose();
  }
}
process.exit(changed > 0 ? 2 : 0);
