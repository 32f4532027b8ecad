/**
 * A `${type.name.attr}` reference of the synthesized JSON, read from a stack's state.
 * A module of its own, free of SDKs: the edge audit and the live AWS checks both use it,
 * and the edge audit must not load the AWS SDK to read a reference.
 */

const REF = /^\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/;

/** A literal, or a `${type.name.attr}` reference read from state. */
export function resolveRef(value: unknown, state: ReadonlyMap<string, Readonly<Record<string, unknown>>>): unknown {
  if (typeof value !== 'string' || !value.includes('${')) return value;
  const m = REF.exec(value);
  return m ? state.get(m[1])?.[m[2]] : undefined;
}
