import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { stackName } from '../../lib/naming';
import { fromRoot } from '../../lib/paths';
import type { Weakening } from './weakenings';

/**
 * CA key pins (lib/ca-pins) live in env files, not in the synthesized Terraform, so a
 * pin added beside an unchanged PEM bundle would not show in any stack diff. Each pin
 * list is compared between base and branch as a set: a key pinned on the branch and not
 * at the base is a CA newly allowed to be trusted, a weakening the review marks; a pin
 * removed is a tightening and is not marked.
 */

/** Each pin list of an env file, the stack whose trust it governs, and what that trust is. */
const PIN_FIELDS: ReadonlyArray<{ field: string; path: readonly string[]; concern: 'pki' | 'origin'; what: string }> = [
  { field: 'pki.expectedCaKeys', path: ['pki', 'expectedCaKeys'], concern: 'pki', what: 'the bring-your-own CA bundle (pki.caBundle: truststore, API Shield, Access)' },
  { field: 'origin.expectedCaKeys', path: ['origin', 'expectedCaKeys'], concern: 'origin', what: 'the extra trusted CAs (origin.additionalTrustedCas: truststore)' },
];

/** Env name -> pin field -> pinned keys. */
export type CaPins = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

/** The pin lists of one env file's content (parsed YAML or a validated config); missing lists are empty. */
export function pinsOfEnvironment(doc: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { field, path } of PIN_FIELDS) {
    let node: unknown = doc;
    for (const k of path) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[k] : undefined;
    out.set(field, Array.isArray(node) ? node.filter((p): p is string => typeof p === 'string') : []);
  }
  return out;
}

/** Every pin added on the branch, as a weakening of the stack that pin list governs. */
export function pinWeakenings(base: CaPins, head: CaPins): Weakening[] {
  const out: Weakening[] = [];
  for (const [env, lists] of [...head].sort(([a], [b]) => a.localeCompare(b))) {
    for (const { field, concern, what } of PIN_FIELDS) {
      const before = new Set(base.get(env)?.get(field) ?? []);
      for (const pin of lists.get(field) ?? []) {
        if (!before.has(pin)) {
          out.push({ stack: stackName(env, concern), address: `envs/${env}.yaml: ${field}`, kind: 'ca-pinned', message: `newly pins the CA key ${pin}: a CA with this key may now be trusted in ${what}` });
        }
      }
    }
  }
  return out;
}

function git(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('git', args, { cwd: fromRoot(), encoding: 'utf8', timeout: 60_000 });
}

/**
 * The pin lists of every env file at a git ref, read from git (no checkout). An env
 * file that does not parse there has no pins: every pin of the branch then counts as new.
 */
export function caPinsAtRef(ref: string): CaPins {
  const list = git(['ls-tree', '--name-only', `${ref}^{commit}`, 'envs/']);
  if (list.status !== 0) throw new Error(`git ls-tree ${ref} envs/ failed: ${list.stderr.trim()}`);
  const pins = new Map<string, Map<string, string[]>>();
  for (const path of list.stdout.split('\n').filter((p) => /^envs\/[^/]+\.yaml$/.test(p))) {
    const shown = git(['show', `${ref}:${path}`]);
    let doc: unknown;
    try {
      doc = shown.status === 0 ? parse(shown.stdout) : undefined;
    } catch {
      doc = undefined;
    }
    pins.set(path.slice('envs/'.length, -'.yaml'.length), pinsOfEnvironment(doc));
  }
  return pins;
}
