import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fromRoot } from '../lib/paths';
import type { ProviderSource } from './sources';

/**
 * "Never re-read" facts of a provider: attributes whose Go model field carries the
 * `no_refresh` JSON option (Cloudflare's generated v5 provider), so the resource's Read
 * keeps the value in state and a plan never sees it change at Cloudflare. The edge live
 * audit (tools/drift/edge-audit.ts) reads these live instead. Kept apart from the schema
 * extractor (extract.ts): facts from `model.go`, not `schema.go`, each with its evidence.
 */

export interface NoRefreshFact {
  /** Terraform resource type. */
  readonly type: string;
  /** Top-level attribute name (`tfsdk` tag). */
  readonly attribute: string;
  /** The `json` tag options after the name: `required`, `optional`, `computed`, `computed_optional`. */
  readonly mode: string;
  /** `<tag>:<path>:<line>` of the field in the provider source. */
  readonly evidence: string;
}

export interface NoRefreshFacts {
  readonly provider: string;
  readonly version: string;
  readonly source: { readonly tag: string; readonly commit: string };
  readonly facts: readonly NoRefreshFact[];
}

const FIELD = /tfsdk:"([a-z0-9_]+)"\s+json:"[a-z0-9_-]+,([a-z_,]+)"/;

/**
 * The `no_refresh` fields of the resource's own model struct (`<Name>Model`, the one the
 * `ResultEnvelope` wraps); fields of nested structs belong to an attribute that is
 * already listed when it matters, and are left out.
 */
export function noRefreshFields(modelGo: string, type: string, evidencePrefix: string): NoRefreshFact[] {
  const lines = modelGo.split('\n');
  const envelope = /Result\s+(\w+Model)\s+`json:"result"`/.exec(modelGo)?.[1];
  const out: NoRefreshFact[] = [];
  let struct: string | undefined;
  lines.forEach((line, i) => {
    const open = /^type (\w+) struct \{/.exec(line);
    if (open) struct = open[1];
    if (/^\}/.test(line)) struct = undefined;
    const f = FIELD.exec(line);
    if (!f || struct === undefined || (envelope !== undefined && struct !== envelope)) return;
    const options = f[2].split(',');
    if (!options.includes('no_refresh')) return;
    out.push({ type, attribute: f[1], mode: options.filter((o) => o !== 'no_refresh').join(',') || 'optional', evidence: `${evidencePrefix}:${i + 1}` });
  });
  return out;
}

/** Where the committed facts of one provider version live. */
export function noRefreshPath(provider: string, version: string): string {
  return fromRoot('conformance', 'snapshots', `${provider}-${version}.no-refresh.json`);
}

export function readNoRefreshFacts(provider: string, version: string): NoRefreshFacts {
  return JSON.parse(readFileSync(noRefreshPath(provider, version), 'utf8')) as NoRefreshFacts;
}

/** Builds the facts from a (bare) git dir holding the source's tag. Cloudflare only: its models live in `model.go`. */
export function buildNoRefreshFacts(source: ProviderSource, gitDir: string): NoRefreshFacts {
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const facts = [...source.resources].sort().flatMap((type) => {
    const path = `${source.locate(type, false).file.replace(/[^/]+$/, '')}model.go`;
    return noRefreshFields(git('show', `${source.tag}:${path}`), type, `${source.tag}:${path}`);
  });
  return { provider: source.provider, version: source.version, source: { tag: source.tag, commit: git('rev-parse', `${source.tag}^{commit}`).trim() }, facts };
}
