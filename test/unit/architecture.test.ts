import { readFileSync } from 'node:fs';
import { fromRoot } from '../../lib/paths';
import { driftReads, repositoryDriftReads } from '../support/drift-reads';
import { importsOf, repositoryImports, sourceFiles, type ImportEdge } from '../support/imports';

// The layers of docs/architecture.md, enforced on every import of every source file
// (static, type-only, dynamic and require alike). A layer may import the layers it
// reaches along the arrows, and nothing else of the project; packages are not layers.

type Layer = 'main' | 'scripts' | 'tools' | 'stacks' | 'modules' | 'providers' | 'envs' | 'lib' | 'test';

/** Where each layer lives: a top-level folder, or main.ts. */
const LAYER_OF_ROOT: Readonly<Record<string, Layer>> = {
  main: 'main',
  scripts: 'scripts',
  tools: 'tools',
  stacks: 'stacks',
  modules: 'modules',
  providers: 'providers',
  envs: 'envs',
  lib: 'lib',
  test: 'test',
};

/**
 * The arrows of the diagram in docs/architecture.md. `test` may import anything, so it
 * has no arrows; `lib` has none because it is the foundation.
 */
const ARROWS: ReadonlyArray<readonly [Layer, Layer]> = [
  ['main', 'tools'],
  ['scripts', 'tools'],
  ['tools', 'stacks'],
  ['tools', 'modules'],
  ['stacks', 'modules'],
  ['stacks', 'envs'],
  ['modules', 'providers'],
  ['providers', 'lib'],
  ['modules', 'lib'],
  ['envs', 'lib'],
];

/** What each layer may import: itself and everything it reaches along the arrows. */
function allowedImports(arrows: ReadonlyArray<readonly [Layer, Layer]>): Map<Layer, Set<Layer>> {
  const layers = Object.values(LAYER_OF_ROOT);
  const allowed = new Map<Layer, Set<Layer>>(layers.map((l) => [l, new Set<Layer>([l])]));
  for (const layer of layers) {
    const queue = [layer];
    while (queue.length > 0) {
      const from = queue.shift()!;
      for (const [a, b] of arrows) {
        if (a === from && !allowed.get(layer)!.has(b)) {
          allowed.get(layer)!.add(b);
          queue.push(b);
        }
      }
    }
  }
  allowed.set('test', new Set(layers));
  return allowed;
}

/** The layer of a file or of an import target (which may lack its extension: `../main`). */
const layerOf = (path: string): Layer | undefined => {
  const [first, ...rest] = path.split('/');
  return LAYER_OF_ROOT[rest.length > 0 ? first : first.replace(/\.[cm]?[jt]s$/, '')];
};

/** Every import that goes against the arrows, as "file:line imports specifier (from -> to)". */
function upwardImports(edges: readonly ImportEdge[], arrows = ARROWS): string[] {
  const allowed = allowedImports(arrows);
  return edges.flatMap((edge) => {
    if (edge.target === undefined) return [];
    const from = layerOf(edge.file);
    const to = layerOf(edge.target);
    if (from && to && allowed.get(from)!.has(to)) return [];
    return [`${edge.file}:${edge.line} imports ${edge.specifier} (${from ?? 'outside the layers'} -> ${to ?? 'outside the layers'})`];
  });
}

describe('the layers', () => {
  const allowed = allowedImports(ARROWS);

  it('are the ones docs/architecture.md describes', () => {
    const expected: Record<Layer, Layer[]> = {
      main: ['main', 'tools', 'stacks', 'modules', 'providers', 'envs', 'lib'],
      scripts: ['scripts', 'tools', 'stacks', 'modules', 'providers', 'envs', 'lib'],
      tools: ['tools', 'stacks', 'modules', 'providers', 'envs', 'lib'],
      stacks: ['stacks', 'modules', 'providers', 'envs', 'lib'],
      modules: ['modules', 'providers', 'lib'],
      providers: ['providers', 'lib'],
      envs: ['envs', 'lib'],
      lib: ['lib'],
      test: ['main', 'scripts', 'tools', 'stacks', 'modules', 'providers', 'envs', 'lib', 'test'],
    };
    for (const [layer, may] of Object.entries(expected)) expect({ layer, may: [...allowed.get(layer as Layer)!].sort() }).toEqual({ layer, may: may.sort() });
  });

  it('docs/architecture.md draws exactly these arrows', () => {
    const doc = readFileSync(fromRoot('docs', 'architecture.md'), 'utf8');
    const mermaid = /```mermaid\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const drawn = [...mermaid.matchAll(/^\s*(\w+)\s*-->\s*(\w+)\s*$/gm)].map((m) => `${m[1]} -> ${m[2]}`).sort();
    expect(drawn).toEqual(ARROWS.map(([a, b]) => `${a} -> ${b}`).sort());
  });

  it('hold every source file of the repository (a new top-level folder needs a place in them)', () => {
    // Tool configuration at the root is not part of any layer and imports nothing of the project.
    const ROOT_CONFIG = ['jest.config.js'];
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => !layerOf(f) && !ROOT_CONFIG.includes(f))).toEqual([]);
  });

  it('no source file imports against them', () => {
    const edges = repositoryImports();
    expect(edges.filter((e) => e.target !== undefined).length).toBeGreaterThan(300);
    expect(upwardImports(edges)).toEqual([]);
  });

  it('no module imports envs/, stacks/ or tools/ (modules take plain typed props)', () => {
    const offenders = repositoryImports(['modules']).filter((e) => /^(envs|stacks|tools)\//.test(e.target ?? ''));
    expect(offenders).toEqual([]);
  });
});

describe('the checker', () => {
  const check = (file: string, text: string) => upwardImports(importsOf(file, text));

  it.each([
    ['lib/hostnames.ts', "import { ENV_NAME } from '../envs/schema';", 'lib -> envs'],
    ['lib/x509.ts', "import type { Environment } from '../envs/load';", 'lib -> envs'],
    ['modules/pki/byo-pki.ts', "import type { PkiConfig } from '../../envs/schema/pki';", 'modules -> envs'],
    ['modules/edge/zone.ts', "const s = require('../../stacks/app');", 'modules -> stacks'],
    ['envs/load.ts', "import { OriginHost } from '../modules/keyless/origin-host';", 'envs -> modules'],
    ['stacks/app.ts', "export { synthesize } from '../tools/synth/synth';", 'stacks -> tools'],
    ['tools/policy/run.ts', "async function f() { return import('../../scripts/policy'); }", 'tools -> scripts'],
    ['lib/paths.ts', "import { envDir } from '../test/support/env-files';", 'lib -> test'],
    ['stacks/app.ts', "import '../main';", 'stacks -> main'],
    ['lib/paths.ts', "import pkg from '../../outside/file';", 'lib -> outside the layers'],
    ['providers/binding.ts', "import { EdgeStack } from '../stacks/edge-stack';", 'providers -> stacks'],
    ['providers/cloudflare/x.ts', "import type { OriginPullsProps } from '../../modules/edge/origin-pulls';", 'providers -> modules'],
  ])('names the file, line and import of a planted violation: %s %s', (file, text, direction) => {
    expect(check(file, `// a planted violation\n${text}\n`)).toEqual([expect.stringMatching(new RegExp(`^${file.replace(/\./g, '\\.')}:2 imports \\S+ \\(${direction}\\)$`))]);
  });

  it.each([
    ['main.ts', "import { synthCommand } from './tools/synth/command';"],
    ['scripts/review.ts', "const { selectEnvironments } = await import('../envs/load');"],
    ['tools/synth/synth.ts', "import { buildApp } from '../../stacks/app';"],
    ['stacks/pki-stack.ts', "import type { Environment } from '../envs/load';"],
    ['modules/pki/byo-pki.ts', "import { ConfigError } from '../../lib/errors';"],
    ['envs/load.ts', "import { fromRoot } from '../lib/paths';"],
    ['test/unit/x.test.ts', "import { planCommand } from '../../tools/plan/command';\nimport '../../scripts/policy';"],
    ['lib/errors.ts', "import { readFileSync } from 'node:fs';\nimport { z } from 'zod';"],
  ])('accepts an allowed import: %s %s', (file, text) => {
    expect(check(file, text)).toEqual([]);
  });
});

// What a target can do reaches the stacks as capabilities (envs/capabilities.ts, resolved
// with the environment); drift settings only decide what a drift report calls a known gap.
describe('no stack or module reads the drift settings (drift.*)', () => {
  it('holds for every source file of stacks/ and modules/', () => {
    expect(repositoryDriftReads(['stacks', 'modules'])).toEqual([]);
  });

  it.each([
    ['stacks/origin-stack.ts', 'const omit = props.env.config.drift.knownEmulatorGaps.length > 0;', 'props.env.config.drift'],
    ['stacks/origin-stack.ts', "const gaps = config['drift'];", "config['drift']"],
    ['stacks/keyless-stack.ts', 'const { drift, name } = config;', '{ drift } (destructured)'],
    ['modules/origin/truststore.ts', 'const { drift: d } = env;', '{ drift: d } (destructured)'],
    ['modules/origin/truststore.ts', 'export const n = (e: E) => e.knownEmulatorGaps;', 'e.knownEmulatorGaps'],
    ['stacks/origin-stack.ts', "import { omittedOnEmulator } from '../envs/schema/drift';", 'the drift schema (imports ../envs/schema/drift)'],
  ])('the check names the file and line of a planted read: %s %s', (file, text, what) => {
    expect(driftReads(file, `// a planted read\n${text}\n`)).toContainEqual(`${file}:2 reads ${what}`);
  });

  it('the check ignores comments, strings and names that only contain "drift"', () => {
    const text = "// a policy set out of band is drift\nconst why = 'drift';\nconst driftFree = props.capabilities.lifecycleConfiguration;\n";
    expect(driftReads('modules/origin/hardened-bucket.ts', text)).toEqual([]);
  });
});
