/**
 * Flattening of JSON values into leaf paths (`rule[0].status`), shared by the plan
 * report (attribute diffs between state and reality) and the review diff (synthesized
 * JSON against a base ref), so both name an attribute the same way.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Joins a path the way Terraform documentation writes it: `a.b[0].c`. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * Every leaf of `value` by path. Empty objects and arrays are leaves themselves, so
 * `tags: {}` -> `tags: {"a":"b"}` shows as a change of `tags.a`, and `[]` is visible.
 */
export function flatten(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v) && v.length > 0) v.forEach((item, i) => walk(item, joinPath(path, i)));
    else if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) walk(child, joinPath(path, k));
    } else out.set(path, v);
  };
  walk(value, prefix);
  return out;
}

export interface LeafChange {
  readonly path: string;
  /** `undefined` when the leaf did not exist before. */
  readonly before: unknown;
  /** `undefined` when the leaf does not exist after. */
  readonly after: unknown;
}

/** Leaves that differ between two values, in path order. */
export function diffLeaves(before: unknown, after: unknown): LeafChange[] {
  const a = flatten(before);
  const b = flatten(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort(comparePaths);
  const changes: LeafChange[] = [];
  for (const path of paths) {
    const x = a.get(path);
    const y = b.get(path);
    if (JSON.stringify(x) !== JSON.stringify(y)) changes.push({ path, before: x, after: y });
  }
  // `tags: {}` -> `tags: {"a":"b"}` is already told by `tags.a`; the container itself is noise.
  return changes.filter((c) => !changes.some((d) => d.path.startsWith(`${c.path}.`) || d.path.startsWith(`${c.path}[`)));
}

/** Segment by segment: `a.b` before `a_c`, `a[2]` before `a[10]`. */
export function comparePaths(a: string, b: string): number {
  const x = splitPath(a);
  const y = splitPath(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    if (typeof x[i] === 'number' && typeof y[i] === 'number') return (x[i] as number) - (y[i] as number);
    return String(x[i]) < String(y[i]) ? -1 : 1;
  }
  return x.length - y.length;
}

/**
 * Looks up a path inside Terraform's `*_sensitive` / `after_unknown` mirror of a value,
 * where `true` at any ancestor covers the whole subtree.
 */
export function markedAt(marks: unknown, path: string): boolean {
  if (marks === true) return true;
  if (path === '') return false;
  let node: unknown = marks;
  for (const key of splitPath(path)) {
    if (node === true) return true;
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node === true;
}

/** `a.b[0].c` -> ['a', 'b', 0, 'c']. */
export function splitPath(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) keys.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return keys;
}

/** Object keys sorted recursively and `//` (CDKTF metadata) dropped: two equal configurations compare equal. */
export function normalizeJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (key === '//') continue;
      out[key] = normalizeJson((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}
