import { readFileSync } from 'node:fs';
import { fromRoot } from '../../lib/paths';
import { driftReads, repositoryDriftReads } from '../support/drift-reads';
import { importsOf, repositoryImports, sourceFiles, type ImportEdge } from '../support/imports';

// The layers of docs/architecture.md, enforced on every import of every source file
// (static, type-only, dynamic and require alike), in both directions: a layer imports
// another only along an arrow drawn from it, and every drawn arrow is used by an import,
// so the diagram is the real dependency graph. Packages are not layers.

type Layer = 'main' | 'scripts' | 'tools' | 'conformance' | 'stacks' | 'modules' | 'providers' | 'envs' | 'lib' | 'test';
type Arrow = readonly [Layer, Layer];

/** Where each layer lives: a top-level folder, or main.ts. */
const LAYER_OF_ROOT: Readonly<Record<string, Layer>> = {
  main: 'main',
  scripts: 'scripts',
  tools: 'tools',
  conformance: 'conformance',
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
const ARROWS: readonly Arrow[] = [
  ['main', 'tools'],
  ['scripts', 'tools'],
  ['tools', 'stacks'],
  ['tools', 'conformance'],
  ['tools', 'envs'],
  ['tools', 'lib'],
  ['conformance', 'modules'],
  ['conformance', 'lib'],
  ['stacks', 'modules'],
  ['stacks', 'envs'],
  ['stacks', 'lib'],
  ['modules', 'providers'],
  ['modules', 'lib'],
  ['providers', 'lib'],
  ['envs', 'lib'],
];

const LAYERS = Object.values(LAYER_OF_ROOT);
const show = ([a, b]: Arrow) => `${a} -> ${b}`;

/** The layer of a file or of an import target (which may lack its extension: `../main`). */
const layerOf = (path: string): Layer | undefined => {
  const [first, ...rest] = path.split('/');
  return LAYER_OF_ROOT[rest.length > 0 ? first : first.replace(/\.[cm]?[jt]s$/, '')];
};

/** What each layer may import: itself and the layers its own arrows point at (`test`: everything). */
function allowedImports(arrows: readonly Arrow[]): Map<Layer, Set<Layer>> {
  const allowed = new Map<Layer, Set<Layer>>(LAYERS.map((l) => [l, new Set<Layer>([l])]));
  for (const [a, b] of arrows) allowed.get(a)!.add(b);
  allowed.set('test', new Set(LAYERS));
  return allowed;
}

/** Every import no arrow allows, as "file:line imports specifier (from -> to)". */
function importsAgainst(edges: readonly ImportEdge[], arrows: readonly Arrow[] = ARROWS): string[] {
  const allowed = allowedImports(arrows);
  return edges.flatMap((edge) => {
    if (edge.target === undefined) return [];
    const from = layerOf(edge.file);
    const to = layerOf(edge.target);
    if (from && to && allowed.get(from)!.has(to)) return [];
    return [`${edge.file}:${edge.line} imports ${edge.specifier} (${from ?? 'outside the layers'} -> ${to ?? 'outside the layers'})`];
  });
}

/** Every drawn arrow that no import uses (an arrow the code does not have). */
function unusedArrows(edges: readonly ImportEdge[], arrows: readonly Arrow[] = ARROWS): string[] {
  const used = new Set(edges.flatMap((e) => (e.target === undefined ? [] : [`${layerOf(e.file)} -> ${layerOf(e.target)}`])));
  return arrows.map(show).filter((arrow) => !used.has(arrow));
}

/** A cycle of arrows (something importing upward), as "a -> b -> a"; undefined when there is none. */
function cycleOf(arrows: readonly Arrow[]): string | undefined {
  const visiting: Layer[] = [];
  const done = new Set<Layer>();
  const visit = (layer: Layer): string | undefined => {
    const at = visiting.indexOf(layer);
    if (at >= 0) return [...visiting.slice(at), layer].join(' -> ');
    if (done.has(layer)) return undefined;
    visiting.push(layer);
    for (const [a, b] of arrows) {
      const cycle = a === layer ? visit(b) : undefined;
      if (cycle) return cycle;
    }
    visiting.pop();
    done.add(layer);
    return undefined;
  };
  for (const layer of LAYERS) {
    const cycle = visit(layer);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The arrows the doc's mermaid diagram draws, and the ones its table lists per layer. */
function documentedArrows(doc: string): { drawn: string[]; tabled: string[] } {
  const mermaid = /```mermaid\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
  const drawn = [...mermaid.matchAll(/^\s*(\w+)\s*-->\s*(\w+)\s*$/gm)].map((m) => `${m[1]} -> ${m[2]}`).sort();
  const tabled = [...doc.matchAll(/^\| `([\w.]+)\/?` \|.*\| ([^|]+) \|$/gm)].flatMap(([, root, imports]) => {
    const from = layerOf(root);
    if (!from || from === 'test' || imports.trim() === 'nothing of the project') return [];
    return imports.split(',').map((to) => `${from} -> ${to.trim()}`);
  });
  return { drawn, tabled: tabled.sort() };
}

describe('the layers', () => {
  const edges = repositoryImports();

  it('docs/architecture.md draws exactly these arrows, in the diagram and in the table', () => {
    const { drawn, tabled } = documentedArrows(readFileSync(fromRoot('docs', 'architecture.md'), 'utf8'));
    const expected = ARROWS.map(show).sort();
    expect(drawn).toEqual(expected);
    expect(tabled).toEqual(expected);
  });

  it('form no cycle: nothing imports upward', () => {
    expect(cycleOf(ARROWS)).toBeUndefined();
  });

  it('hold every source file of the repository (a new top-level folder needs a place in them)', () => {
    // Tool configuration at the root is not part of any layer and imports nothing of the project.
    const ROOT_CONFIG = ['jest.config.js'];
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => !layerOf(f) && !ROOT_CONFIG.includes(f))).toEqual([]);
  });

  it('no source file imports against them', () => {
    expect(edges.filter((e) => e.target !== undefined).length).toBeGreaterThan(300);
    expect(importsAgainst(edges)).toEqual([]);
  });

  it('every drawn arrow is used by at least one import', () => {
    expect(unusedArrows(edges)).toEqual([]);
  });

  it('no module imports envs/, stacks/ or tools/ (modules take plain typed props)', () => {
    const offenders = repositoryImports(['modules']).filter((e) => /^(envs|stacks|tools)\//.test(e.target ?? ''));
    expect(offenders).toEqual([]);
  });
});

describe('the checker', () => {
  const check = (file: string, text: string) => importsAgainst(importsOf(file, text));

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
    // Allowed only along a drawn arrow, not through a chain of them.
    ['scripts/review.ts', "const { selectEnvironments } = await import('../envs/load');", 'scripts -> envs'],
    ['stacks/edge-stack.ts', "import { ZoneHold } from '../providers/cloudflare/zone-hold';", 'stacks -> providers'],
    ['main.ts', "import { buildApp } from './stacks/app';", 'main -> stacks'],
  ])('names the file, line and import of a planted violation: %s %s', (file, text, direction) => {
    expect(check(file, `// a planted violation\n${text}\n`)).toEqual([expect.stringMatching(new RegExp(`^${file.replace(/\./g, '\\.')}:2 imports \\S+ \\(${direction}\\)$`))]);
  });

  it.each([
    ['main.ts', "import { synthCommand } from './tools/synth/command';"],
    ['scripts/review.ts', "import { reviewCommand } from '../tools/review/command';"],
    ['tools/review/command.ts', "const { selectEnvironments } = await import('../../envs/load');"],
    ['tools/synth/synth.ts', "import { buildApp } from '../../stacks/app';"],
    ['stacks/pki-stack.ts', "import type { Environment } from '../envs/load';"],
    ['modules/pki/byo-pki.ts', "import { ConfigError } from '../../lib/errors';"],
    ['envs/load.ts', "import { fromRoot } from '../lib/paths';"],
    ['test/unit/x.test.ts', "import { planCommand } from '../../tools/plan/command';\nimport '../../scripts/policy';"],
    ['lib/errors.ts', "import { readFileSync } from 'node:fs';\nimport { z } from 'zod';"],
  ])('accepts an allowed import: %s %s', (file, text) => {
    expect(check(file, text)).toEqual([]);
  });

  it('names a drawn arrow that no import uses, and only that one', () => {
    const edges = [...importsOf('tools/synth/synth.ts', "import { buildApp } from '../../stacks/app';"), ...importsOf('tools/x.ts', "import { z } from 'zod';\nimport { y } from './y';")];
    expect(unusedArrows(edges, [['tools', 'stacks'], ['tools', 'modules']])).toEqual(['tools -> modules']);
    expect(unusedArrows([], [['main', 'tools']])).toEqual(['main -> tools']);
  });

  it('finds a cycle among the arrows, and none in a layered graph', () => {
    expect(cycleOf([['tools', 'stacks'], ['stacks', 'envs'], ['envs', 'tools']])).toBe('tools -> stacks -> envs -> tools');
    expect(cycleOf([['lib', 'lib']])).toBe('lib -> lib');
    expect(cycleOf([['tools', 'stacks'], ['tools', 'envs'], ['stacks', 'envs'], ['envs', 'lib']])).toBeUndefined();
  });

  it('reads the arrows of the diagram and of the table', () => {
    const doc = [
      '```mermaid',
      'flowchart TD',
      '  tools["tools/<br/>x"]',
      '  tools --> stacks',
      '  stacks --> lib',
      '```',
      '| layer | holds | imports |',
      '|---|---|---|',
      '| `main.ts` | the app | tools |',
      '| `tools/` | tooling, `a | b` | stacks, envs |',
      '| `lib/` | the foundation | nothing of the project |',
      '| `test/` | tests | anything |',
    ].join('\n');
    expect(documentedArrows(doc)).toEqual({ drawn: ['stacks -> lib', 'tools -> stacks'], tabled: ['main -> tools', 'tools -> envs', 'tools -> stacks'] });
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
