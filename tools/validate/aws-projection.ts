/**
 * The AWS-only projection of a synthesized stack.
 *
 * Only the AWS provider exists offline on these machines (a filesystem mirror), so
 * `terraform validate` and the moto apply tests run on a copy of each stack from
 * which every resource, data source and provider that is not AWS (tls, cloudflare)
 * has been removed, every reference to them replaced by a typed placeholder string,
 * and the backend dropped. What is left is checked against the real AWS schema.
 */

export type TerraformJson = Record<string, any>;

/** Resource and data source types kept: AWS, plus Terraform's built-in ones. */
const KEPT_TYPE = /^(aws_|terraform_)/;

export const PLACEHOLDER_PREFIX = 'offline-placeholder:';

export interface ProjectionResult {
  readonly json: TerraformJson;
  /** Addresses (`tls_private_key.Root`, `data.cloudflare_zone.Z`) that were removed. */
  readonly removed: readonly string[];
  /** How many interpolations were replaced by placeholders. */
  readonly replacedReferences: number;
}

export interface ProjectionOptions {
  /**
   * Value to put in place of a reference, by removed address (`tls_self_signed_cert.RootCa`).
   * @default `offline-placeholder:<address>.<attribute>`
   */
  readonly placeholder?: (address: string, attribute: string) => string;
}

export function projectAwsOnly(stack: TerraformJson, options: ProjectionOptions = {}): ProjectionResult {
  const json: TerraformJson = structuredClone(stack);
  const removed: string[] = [];

  for (const block of ['resource', 'data'] as const) {
    for (const type of Object.keys(json[block] ?? {})) {
      if (KEPT_TYPE.test(type)) continue;
      for (const name of Object.keys(json[block][type])) removed.push(block === 'data' ? `data.${type}.${name}` : `${type}.${name}`);
      delete json[block][type];
    }
    if (json[block] && Object.keys(json[block]).length === 0) delete json[block];
  }
  for (const name of Object.keys(json.provider ?? {})) if (name !== 'aws') delete json.provider[name];
  // A stack with no AWS part (the pki stack) must not keep an empty provider block: Terraform rejects it.
  if (json.provider && Object.keys(json.provider).length === 0) delete json.provider;
  const required = json.terraform?.required_providers ?? {};
  for (const name of Object.keys(required)) if (name !== 'aws') delete required[name];
  if (json.terraform) delete json.terraform.backend;
  // `moved` blocks of removed resources would name addresses the projection no longer declares.
  if (Array.isArray(json.moved)) {
    json.moved = json.moved.filter((m: { from: string; to: string }) => KEPT_TYPE.test(m.from) && KEPT_TYPE.test(m.to));
    if (json.moved.length === 0) delete json.moved;
  }

  const removedSet = new Set(removed);
  const placeholder = options.placeholder ?? ((address: string, attribute: string) => `${PLACEHOLDER_PREFIX}${address}.${attribute}`);
  let replacedReferences = 0;

  const rewrite = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string') {
      return replaceInterpolations(value, (expr) => {
        const hit = findRemovedReference(expr, removedSet);
        if (!hit) return undefined;
        replacedReferences++;
        return placeholder(hit.address, hit.attribute);
      });
    }
    if (Array.isArray(value)) {
      const items = value.map((v) => rewrite(v));
      // depends_on entries are bare addresses, not interpolations.
      return key === 'depends_on' ? items.filter((v) => !(typeof v === 'string' && removedSet.has(v))) : items;
    }
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = rewrite(v, k);
    }
    return value;
  };
  for (const block of ['resource', 'data', 'output', 'locals', 'module']) if (json[block]) rewrite(json[block]);
  return { json, removed, replacedReferences };
}

/**
 * Replaces each `${...}` interpolation (brace-balanced, so `${jsonencode({a=1})}`
 * is one) for which `replace` returns a string. A value that was a single
 * interpolation becomes the replacement itself.
 */
export function replaceInterpolations(value: string, replace: (expr: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf('${', i);
    if (start < 0 || (start > 0 && value[start - 1] === '$')) {
      if (start < 0) {
        out += value.slice(i);
        break;
      }
      out += value.slice(i, start + 2);
      i = start + 2;
      continue;
    }
    let depth = 0;
    let end = -1;
    let inString = false;
    for (let j = start + 1; j < value.length; j++) {
      const c = value[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        end = j;
        break;
      }
    }
    if (end < 0) {
      out += value.slice(i);
      break;
    }
    const expr = value.slice(start + 2, end);
    const replacement = replace(expr);
    out += value.slice(i, start) + (replacement ?? value.slice(start, end + 1));
    i = end + 1;
  }
  return out;
}

function findRemovedReference(expr: string, removed: ReadonlySet<string>): { address: string; attribute: string } | undefined {
  const re = /\b((?:data\.)?[a-z][a-z0-9_]*\.[\w-]+)(?:\[[^\]]*\])?\.?([\w-]*)/g;
  for (let m = re.exec(expr); m; m = re.exec(expr)) {
    if (removed.has(m[1])) return { address: m[1], attribute: m[2] || 'id' };
  }
  return undefined;
}
