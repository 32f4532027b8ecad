import type { StackJson } from './synth';
import type { ProviderSnapshot } from '../../conformance/snapshot';

/**
 * What Terraform would do between two synthesized versions of an app, read from the
 * JSON alone: which resources are created, destroyed, updated in place or replaced
 * (a changed attribute the provider marks RequiresReplace, or one that references a
 * resource being replaced or created), and whether a replacement creates the new object
 * before destroying the old (`lifecycle.create_before_destroy`). Cross-stack references
 * are followed to the upstream stack's outputs, and a read of an SSM parameter
 * (`data.aws_ssm_parameter`) to the stack that writes it (the custody stack publishes
 * public values that way), so a certificate reissued in the PKI stack shows up as a new
 * value in the origin and edge stacks that read it.
 */

export type Action = 'create' | 'destroy' | 'update' | 'replace (create before destroy)' | 'replace (destroy before create)';

export interface ModelResource {
  readonly type: string;
  /** Every attribute, as resolved text (references qualified by stack). */
  readonly attrs: Readonly<Record<string, string>>;
  readonly createBeforeDestroy: boolean;
}

/** `stack/type.name` -> resource. */
export type AppModel = ReadonlyMap<string, ModelResource>;

const META = new Set(['//', 'depends_on', 'lifecycle', 'provider', 'count', 'for_each']);

/**
 * Resolves `${...}` references of `stack`: remote-state outputs become the upstream
 * expression, a parameter read becomes the value its writer puts in it, resources get `stack/`.
 */
function resolver(stacks: ReadonlyMap<string, StackJson>) {
  // SSM parameter name -> the stack that writes it and the value it writes.
  const parameters = new Map<string, { stack: string; value: unknown }>();
  for (const [stack, json] of stacks) {
    for (const p of Object.values<any>((json as any).resource?.aws_ssm_parameter ?? {})) parameters.set(p.name, { stack, value: p.insecure_value ?? p.value });
  }
  const stackOfRemote = (stack: string, name: string): string => {
    const cfg = (stacks.get(stack) as any)?.data?.terraform_remote_state?.[name]?.config ?? {};
    const file = String(cfg.key ?? cfg.path ?? '').split('/').pop()!.replace(/\.tfstate$/, '');
    return file;
  };
  const resolve = (stack: string, text: string, depth = 0): string => {
    if (depth > 5) return text;
    const pattern = /data\.terraform_remote_state\.([\w-]+)\.outputs\.([\w-]+)|data\.aws_ssm_parameter\.([\w-]+)\.(?:insecure_value|value)\b|\b((?:tls|cloudflare|aws)_[a-z0-9_]+)\.([\w-]+)/g;
    return text.replace(pattern, (m, remote, output, read, type, name) => {
      if (remote) {
        const upstream = stackOfRemote(stack, remote);
        const value = (stacks.get(upstream) as any)?.output?.[output]?.value;
        return value === undefined ? m : `(${resolve(upstream, String(value), depth + 1)})`;
      }
      if (read) {
        const parameterName = (stacks.get(stack) as any)?.data?.aws_ssm_parameter?.[read]?.name;
        const writer = parameters.get(parameterName);
        return writer?.value === undefined ? m : `(${resolve(writer.stack, String(writer.value), depth + 1)})`;
      }
      return `${stack}/${type}.${name}`;
    });
  };
  return resolve;
}

export function appModel(stacks: ReadonlyMap<string, StackJson>): AppModel {
  const resolve = resolver(stacks);
  const out = new Map<string, ModelResource>();
  for (const [stack, json] of stacks) {
    for (const [type, instances] of Object.entries((json as any).resource ?? {})) {
      for (const [name, body] of Object.entries<any>(instances as any)) {
        const attrs: Record<string, string> = {};
        for (const [k, v] of Object.entries<any>(body)) if (!META.has(k)) attrs[k] = resolve(stack, JSON.stringify(v));
        out.set(`${stack}/${type}.${name}`, { type, attrs, createBeforeDestroy: body.lifecycle?.create_before_destroy === true });
      }
    }
  }
  return out;
}

/** Addresses a resolved value refers to. */
export const referencesIn = (text: string): string[] => [...text.matchAll(/\b([\w-]+\/(?:tls|cloudflare|aws)_[a-z0-9_]+\.[\w-]+)/g)].map((m) => m[1]);

/** What applying `to` over `from` does to each resource (unchanged ones are left out). */
export function planBetween(from: AppModel, to: AppModel, snapshots: readonly ProviderSnapshot[]): Map<string, Action> {
  const forcing = (type: string, attr: string): boolean =>
    snapshots.some((s) => s.resources[type]?.attributes[attr]?.forcesReplacement !== undefined);
  const actions = new Map<string, Action>();
  for (const addr of from.keys()) if (!to.has(addr)) actions.set(addr, 'destroy');
  for (const addr of to.keys()) if (!from.has(addr)) actions.set(addr, 'create');
  // New values flow along references: iterate until nothing more changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [addr, r] of to) {
      const before = from.get(addr);
      if (!before || actions.get(addr)?.startsWith('replace')) continue;
      const renewed = (value: string) => referencesIn(value).some((ref) => actions.get(ref) === 'create' || actions.get(ref)?.startsWith('replace'));
      const names = new Set([...Object.keys(r.attrs), ...Object.keys(before.attrs)]);
      const differs = [...names].filter((k) => r.attrs[k] !== before.attrs[k] || renewed(r.attrs[k] ?? ''));
      if (differs.length === 0) continue;
      const next: Action = differs.some((k) => forcing(r.type, k))
        ? r.createBeforeDestroy ? 'replace (create before destroy)' : 'replace (destroy before create)'
        : 'update';
      if (actions.get(addr) !== next) {
        actions.set(addr, next);
        changed = true;
      }
    }
  }
  return actions;
}

/** CA generations (`CaG<n>`) a resolved value refers to, through issued certificates' `ca_cert_pem`. */
export function generationsIn(model: AppModel, text: string, depth = 0): Set<number> {
  const gens = new Set([...text.matchAll(/_CaG(\d+)_/g)].map((m) => Number(m[1])));
  if (depth < 3) {
    for (const ref of referencesIn(text)) {
      const r = model.get(ref);
      if (r?.type === 'tls_locally_signed_cert' && !/_CaG\d+_/.test(ref)) for (const g of generationsIn(model, r.attrs.ca_cert_pem ?? '', depth + 1)) gens.add(g);
    }
  }
  return gens;
}
