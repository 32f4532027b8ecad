import { defineCommand, EXIT } from '../cli';

/**
 * `npm run provider-schemas`: regenerates conformance/snapshots/*.json from the
 * providers' public source at the pinned tags.
 */
export const providerSchemasCommand = defineCommand({
  name: 'npm run provider-schemas',
  summary:
    "Rewrites the provider schema snapshots the conformance test checks against (conformance/snapshots/<provider>-<version>.json) from the providers' source at the pinned release tags. Without a local git dir it makes a shallow bare clone of each tag from GitHub.",
  options: {
    'cloudflare-git': { type: 'string', valueName: '<dir>', doc: 'a local (bare) git dir of cloudflare/terraform-provider-cloudflare holding the tag' },
    'tls-git': { type: 'string', valueName: '<dir>', doc: 'a local (bare) git dir of hashicorp/terraform-provider-tls holding the tag' },
    check: { type: 'boolean', doc: 'compare with the committed snapshots instead of writing them' },
  },
  exitCodes: { 1: 'the source could not be read or parsed, or (--check) a committed snapshot differs from it' },
  async run(args) {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { buildSnapshot, cloneTag, snapshotPath } = await import('../../conformance/regenerate');
    const { PROVIDER_SOURCES } = await import('../../conformance/sources');
    let changed = 0;
    for (const source of PROVIDER_SOURCES) {
      const given = source.provider === 'cloudflare' ? args['cloudflare-git'] : args['tls-git'];
      const clone = given ? undefined : cloneTag(source);
      try {
        const snapshot = buildSnapshot(source, given ?? clone!.gitDir);
        const text = `${JSON.stringify(snapshot, null, 2)}\n`;
        const path = snapshotPath(source.provider, source.version);
        let old = '';
        try {
          old = readFileSync(path, 'utf8');
        } catch {
          // first run for this version
        }
        const types = Object.keys(snapshot.resources).length + Object.keys(snapshot.dataSources).length;
        if (old === text) console.log(`ok    ${source.provider} ${source.version}: ${types} types, unchanged`);
        else if (args.check) {
          console.error(`DIFF  ${source.provider} ${source.version}: ${path} differs from ${source.tag}`);
          changed++;
        } else {
          writeFileSync(path, text);
          console.log(`wrote ${path}: ${types} types from ${source.tag} (${snapshot.source.commit})`);
        }
      } finally {
        clone?.dispose();
      }
    }
    return changed > 0 ? EXIT.failure : EXIT.ok;
  },
});
