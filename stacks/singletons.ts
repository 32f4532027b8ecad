import { DefaultTokenResolver, StringConcat, TerraformResource, Tokenization, type TerraformStack } from 'cdktf';

/**
 * Cloudflare objects that exist once per account, zone or hostname, whatever Terraform
 * resource manages them: two stacks managing the same one overwrite each other on every
 * apply and their plans never settle. `keys` names the object from a resource's
 * synthesized attributes (only `fields` of them are resolved), or returns nothing when
 * it cannot tell (a value known only at apply time).
 */
interface Singleton {
  readonly type: string;
  readonly what: string;
  readonly fields: readonly string[];
  readonly keys: (r: Record<string, unknown>) => string[];
}

const literal = (v: unknown): string | undefined => (typeof v === 'string' && !v.includes('${') ? v : undefined);
const keyed = (...parts: unknown[]): string[] => (parts.every((p) => literal(p) !== undefined) ? [parts.join(' ')] : []);

const SINGLETONS: readonly Singleton[] = [
  { type: 'cloudflare_zero_trust_access_mtls_hostname_settings', what: 'the Access mTLS hostname settings of account', fields: ['account_id'], keys: (r) => keyed(r.account_id) },
  {
    type: 'cloudflare_ruleset',
    what: 'the entry-point ruleset of zone / phase',
    fields: ['zone_id', 'account_id', 'phase'],
    keys: (r) => (r.zone_id !== undefined ? keyed(r.zone_id, r.phase) : keyed(r.account_id, r.phase)),
  },
  { type: 'cloudflare_authenticated_origin_pulls_settings', what: 'the zone-level origin-pull switch of zone', fields: ['zone_id'], keys: (r) => keyed(r.zone_id) },
  { type: 'cloudflare_zone_setting', what: 'the zone setting of zone / setting', fields: ['zone_id', 'setting_id'], keys: (r) => keyed(r.zone_id, r.setting_id) },
  {
    type: 'cloudflare_hostname_tls_setting',
    what: 'the hostname TLS setting of zone / setting / hostname',
    fields: ['zone_id', 'setting_id', 'hostname'],
    keys: (r) => keyed(r.zone_id, r.setting_id, r.hostname),
  },
  {
    type: 'cloudflare_authenticated_origin_pulls',
    what: 'the per-hostname origin-pull association of zone / hostname',
    fields: ['zone_id', 'config'],
    keys: (r) => (Array.isArray(r.config) ? r.config.flatMap((c: { hostname?: unknown }) => keyed(r.zone_id, c.hostname)) : []),
  },
  {
    type: 'cloudflare_certificate_authorities_hostname_associations',
    what: 'the API Shield CA association of zone / hostname',
    fields: ['zone_id', 'hostnames'],
    keys: (r) => (Array.isArray(r.hostnames) ? r.hostnames.flatMap((h) => keyed(r.zone_id, h)) : []),
  },
];

const BY_TYPE = new Map(SINGLETONS.map((s) => [s.type, s]));
const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Owner of a singleton: `<stack> (<construct path>)`. */
function ownerOf(stack: string, resource: Record<string, unknown>, logical: string): string {
  const path = (resource['//'] as { metadata?: { path?: string } } | undefined)?.metadata?.path;
  return `${stack} (${path?.replace(`${stack}/`, '') ?? logical})`;
}

/**
 * Every account-, zone- or hostname-wide Cloudflare object that more than one resource
 * would manage, as one line naming the object and both owners.
 */
export function singletonConflicts(stacks: readonly TerraformStack[]): string[] {
  const owners = new Map<string, string[]>();
  for (const stack of stacks) {
    // Only the fields that name the object, of the singleton resources only, are
    // resolved: rendering whole stacks here would cost as much as the synth itself.
    for (const construct of stack.node.findAll()) {
      if (!TerraformResource.isTerraformResource(construct)) continue;
      const singleton = BY_TYPE.get(construct.terraformResourceType);
      if (singleton === undefined) continue;
      const rendered = construct.toTerraform() as { resource?: Record<string, Record<string, Record<string, unknown>>> };
      for (const [logical, attributes] of Object.entries(rendered.resource?.[singleton.type] ?? {})) {
        const naming = Object.fromEntries(singleton.fields.filter((f) => f in attributes).map((f) => [f, attributes[f]]));
        const resolved = Tokenization.resolve(naming, { scope: stack, preparing: false, resolver: RESOLVER }) as Record<string, unknown>;
        for (const key of singleton.keys(resolved)) {
          const id = `${singleton.what} ${key}`;
          owners.set(id, [...(owners.get(id) ?? []), ownerOf(stack.node.id, attributes, logical)]);
        }
      }
    }
  }
  return [...owners].filter(([, o]) => o.length > 1).map(([id, o]) => `${id} would be managed by ${o.length} owners: ${o.join(' and ')}`);
}
