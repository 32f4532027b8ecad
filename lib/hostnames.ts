/** DNS name helpers shared by the environment schema and the modules. */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** True for a lowercase fully-qualified name without trailing dot, e.g. `api.example.com`. */
export function isHostname(name: string): boolean {
  if (name.length > 253 || name !== name.toLowerCase()) return false;
  const labels = name.split('.');
  return labels.length >= 2 && labels.every((l) => LABEL.test(l));
}

/** True when `host` is the zone apex or a name below it (`a.b.example.com` in `example.com`). */
export function isInZone(host: string, zone: string): boolean {
  return host === zone || host.endsWith(`.${zone}`);
}
