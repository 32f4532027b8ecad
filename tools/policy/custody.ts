import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AWS_PROVIDER } from '../../lib/providers';
import { isCustodyStack, parseStackName, publicParameterPrefix } from '../../lib/naming';
import { fromRoot } from '../../lib/paths';
import { terraform } from '../terraform';

/**
 * Key custody over synthesized stacks: every value a provider marks sensitive lives in a
 * custody stack (`<env>-pki`), whose state has its own prefix and KMS key, and nothing
 * reads a custody stack's state. "Sensitive" is the providers' own word for it: the
 * committed Cloudflare and tls schema snapshots, and `terraform providers schema -json`
 * of the offline AWS provider.
 */

type TerraformJson = Record<string, any>;

/** One sensitive attribute of a resource or data source type: its path and whether the provider fills it in. */
export interface SensitiveAttribute {
  /** `private_key`, or a nested path such as `saas_app.client_secret`. */
  readonly path: string;
  /** The provider sets it (computed or optional-computed): it is in state whatever the configuration says. */
  readonly computed: boolean;
}

/** Sensitive attributes by block kind and type: `resource` -> `tls_private_key` -> [...]. */
export type SensitiveSchema = Record<'resource' | 'data', Map<string, SensitiveAttribute[]>>;

export interface CustodyFinding {
  readonly stack: string;
  /** `tls_private_key.Root`, `data.x.y`, `output.z`, or `terraform.backend`. */
  readonly address: string;
  readonly message: string;
}

/**
 * Types allowed in a public stack although a computed attribute is sensitive, each with
 * why holding it there is no custody breach. Checked by exact condition, not by name alone.
 */
const PUBLIC_DESPITE_SCHEMA: Record<string, { readonly why: string; readonly holds: (block: TerraformJson) => boolean }> = {
  'data.aws_ssm_parameter': {
    why: 'read without decryption: `value` then repeats `insecure_value` of a String parameter, or is ciphertext',
    holds: (block) => block.with_decryption === false,
  },
  cloudflare_authenticated_origin_pulls: {
    why: 'the per-hostname switch; its response model repeats the upload\'s fields, but Cloudflare never returns a stored private key, and none is configured here',
    holds: (block) => block.private_key === undefined && block.certificate === undefined,
  },
  cloudflare_zero_trust_access_application: {
    why: 'a self-hosted application; client secrets exist only under saas_app and scim_config, which are not set',
    holds: (block) => block.saas_app === undefined && block.scim_config === undefined,
  },
};

/** Every sensitive attribute of `attributes` (snapshot form), nested ones by dotted path. */
function fromSnapshotAttributes(attributes: Record<string, any>, prefix = ''): SensitiveAttribute[] {
  const out: SensitiveAttribute[] = [];
  for (const [name, attr] of Object.entries(attributes ?? {})) {
    const path = `${prefix}${name}`;
    if (attr.sensitive) out.push({ path, computed: attr.mode === 'computed' || attr.mode === 'optional-computed' });
    if (attr.attributes) out.push(...fromSnapshotAttributes(attr.attributes, `${path}.`));
  }
  return out;
}

/** Every sensitive attribute of a Terraform schema block (`providers schema -json` form). */
function fromTerraformBlock(block: any, prefix = ''): SensitiveAttribute[] {
  const out: SensitiveAttribute[] = [];
  for (const [name, attr] of Object.entries<any>(block?.attributes ?? {})) {
    if (attr.sensitive) out.push({ path: `${prefix}${name}`, computed: attr.computed === true });
  }
  for (const [name, nested] of Object.entries<any>(block?.block_types ?? {})) out.push(...fromTerraformBlock(nested.block, `${prefix}${name}.`));
  return out;
}

function addTypes(into: SensitiveSchema, kind: 'resource' | 'data', types: Record<string, any>, extract: (schema: any) => SensitiveAttribute[]): void {
  for (const [type, schema] of Object.entries(types ?? {})) {
    const attrs = extract(schema);
    if (attrs.length > 0) into[kind].set(type, attrs);
  }
}

/** The sensitive attributes the committed Cloudflare and tls snapshots record. */
export function snapshotSensitiveSchema(): SensitiveSchema {
  const schema: SensitiveSchema = { resource: new Map(), data: new Map() };
  for (const file of ['cloudflare-5.22.0.json', 'tls-4.2.1.json']) {
    const snapshot = JSON.parse(readFileSync(fromRoot('conformance', 'snapshots', file), 'utf8'));
    addTypes(schema, 'resource', snapshot.resources, (s) => fromSnapshotAttributes(s.attributes));
    addTypes(schema, 'data', snapshot.dataSources, (s) => fromSnapshotAttributes(s.attributes));
  }
  return schema;
}

/** Sensitive attributes of the AWS provider from its `providers schema -json` output. */
export function awsSensitiveSchemaFrom(providersSchema: any): SensitiveSchema {
  const aws = providersSchema?.provider_schemas?.[`registry.terraform.io/${AWS_PROVIDER.source}`];
  if (!aws) throw new Error(`terraform providers schema -json has no registry.terraform.io/${AWS_PROVIDER.source}`);
  const schema: SensitiveSchema = { resource: new Map(), data: new Map() };
  addTypes(schema, 'resource', aws.resource_schemas, (s) => fromTerraformBlock(s.block));
  addTypes(schema, 'data', aws.data_source_schemas, (s) => fromTerraformBlock(s.block));
  return schema;
}

/**
 * The AWS provider's sensitive attributes, read with `terraform providers schema -json`
 * from the offline mirror (a few seconds) and kept under `.cache/` per provider version.
 */
export async function awsSensitiveSchema(): Promise<SensitiveSchema> {
  const dir = fromRoot('.cache', 'aws-schema', AWS_PROVIDER.version);
  const cache = join(dir, 'sensitive.json');
  if (!existsSync(cache)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: { aws: { source: AWS_PROVIDER.source, version: AWS_PROVIDER.version } } } }));
    const init = await terraform(['init', '-input=false', '-no-color', '-backend=false'], dir);
    if (init.code !== 0) throw new Error(`terraform init for the AWS schema failed: ${init.stderr.trim() || init.stdout.trim()}`);
    const show = await terraform(['providers', 'schema', '-json'], dir);
    if (show.code !== 0) throw new Error(`terraform providers schema failed: ${show.stderr.trim()}`);
    const extracted = awsSensitiveSchemaFrom(JSON.parse(show.stdout));
    const tmp = `${cache}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ resource: [...extracted.resource], data: [...extracted.data] }));
    renameSync(tmp, cache);
  }
  const raw = JSON.parse(readFileSync(cache, 'utf8'));
  return { resource: new Map(raw.resource), data: new Map(raw.data) };
}

/** Both schemas in one. */
export function mergeSchemas(...schemas: SensitiveSchema[]): SensitiveSchema {
  const merged: SensitiveSchema = { resource: new Map(), data: new Map() };
  for (const s of schemas) for (const kind of ['resource', 'data'] as const) for (const [t, a] of s[kind]) merged[kind].set(t, a);
  return merged;
}

/** The value at a dotted path of a block (lists and one-element block lists walked). */
function valuesAt(block: unknown, path: string[]): unknown[] {
  if (path.length === 0) return [block];
  if (Array.isArray(block)) return block.flatMap((b) => valuesAt(b, path));
  if (block === null || typeof block !== 'object') return [];
  const next = (block as Record<string, unknown>)[path[0]];
  return next === undefined || next === null ? [] : valuesAt(next, path.slice(1));
}

/** Every string inside a value, with nothing skipped. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (k !== '//') strings(v, out);
  return out;
}

/** References in expressions: `type.name.attr...` and `data.type.name.attr...`, `var.name`. */
const REFERENCE = /\b(data\.)?([a-z][a-z0-9_]*)\.([\w-]+)((?:\.[a-z_][\w]*|\[[^\]]*\])*)/g;

/** Why `expression` reads a sensitive value of this stack, or undefined. */
function sensitiveReference(expression: string, stack: TerraformJson, schema: SensitiveSchema): string | undefined {
  for (const expr of expression.match(/\$\{[\s\S]*?\}/g) ?? []) {
    for (const m of expr.matchAll(REFERENCE)) {
      const [, data, type, name, rest] = m;
      if (!data && type === 'var') {
        if (stack.variable?.[name]?.sensitive) return `var.${name} (a sensitive variable)`;
        continue;
      }
      const kind = data ? 'data' : 'resource';
      if (stack[kind]?.[type]?.[name] === undefined) continue;
      const attrPath = rest.split('.').filter((p) => p && !p.startsWith('[')).map((p) => p.replace(/\[.*$/, ''));
      const refPath = attrPath.join('.');
      for (const attr of schema[kind].get(type) ?? []) {
        if (refPath === attr.path || refPath.startsWith(`${attr.path}.`) || attr.path.startsWith(`${refPath}.`) || refPath === '') {
          return `${data ?? ''}${type}.${name}.${attr.path} (sensitive in the provider schema)`;
        }
      }
    }
  }
  return undefined;
}

/** Where a stack's state is, for comparing custody with public stacks. */
interface StateLocation {
  readonly kind: 's3' | 'local';
  readonly bucket?: string;
  /** Folder of the key (S3) or of the state file (local). */
  readonly folder: string;
  readonly kmsKeyId?: string;
}

function stateLocation(stack: TerraformJson): StateLocation | undefined {
  const backend = stack.terraform?.backend ?? {};
  if (backend.s3) return { kind: 's3', bucket: backend.s3.bucket, folder: String(backend.s3.key).replace(/\/[^/]*$/, ''), kmsKeyId: backend.s3.kms_key_id };
  if (backend.local) return { kind: 'local', folder: String(backend.local.path).replace(/\/[^/]*$/, '').replace(/^(\.\.\/)+/, '') };
  return undefined;
}

/** The stack whose state a `terraform_remote_state` block reads, by matching its backend config. */
function remoteStateTarget(block: TerraformJson, stacks: ReadonlyMap<string, TerraformJson>): string | undefined {
  const config = block.config ?? {};
  for (const [name, stack] of stacks) {
    const backend = stack.terraform?.backend ?? {};
    if (block.backend === 's3' && backend.s3 && backend.s3.bucket === config.bucket && backend.s3.key === config.key) return name;
    if (block.backend === 'local' && backend.local && typeof config.path === 'string' && config.path.replace(/^(\.\.\/)+/, '') === String(backend.local.path).replace(/^(\.\.\/)+/, '')) return name;
  }
  return undefined;
}

/**
 * Everything that breaks key custody in a set of synthesized stacks (all stacks of one
 * or more environments, keyed by name):
 * - a public stack that sets a sensitive attribute, references one, declares a type
 *   whose provider stores a sensitive value it computes, or has a sensitive output or variable;
 * - any stack reading a custody stack's state through `terraform_remote_state`;
 * - a custody stack whose state shares its folder or its KMS key with a public stack;
 * - a custody stack publishing a sensitive value through an SSM parameter.
 */
export function custodyFindings(stacks: ReadonlyMap<string, TerraformJson>, schema: SensitiveSchema): CustodyFinding[] {
  const findings: CustodyFinding[] = [];
  for (const [stackName, stack] of stacks) {
    const custody = isCustodyStack(stackName);
    for (const [type, blocks] of Object.entries<any>(stack.data?.terraform_remote_state ? { terraform_remote_state: stack.data.terraform_remote_state } : {})) {
      for (const [name, block] of Object.entries<any>(blocks)) {
        const target = remoteStateTarget(block, stacks);
        if (target && isCustodyStack(target)) findings.push({ stack: stackName, address: `data.${type}.${name}`, message: `reads the state of custody stack ${target}; reading a state file reads all of it, private keys included. Read what it publishes under ${publicParameterPrefix(parseStackName(target)!.environment)}/ instead` });
      }
    }
    if (custody) {
      for (const [name, block] of Object.entries<any>(stack.resource?.aws_ssm_parameter ?? {})) {
        for (const text of strings([block.value, block.insecure_value])) {
          const hit = sensitiveReference(text, stack, schema);
          if (hit) findings.push({ stack: stackName, address: `aws_ssm_parameter.${name}`, message: `publishes ${hit}; only public material may leave the custody stack` });
        }
        if (block.type !== 'String') findings.push({ stack: stackName, address: `aws_ssm_parameter.${name}`, message: `is a ${block.type} parameter; the custody stack publishes public material only, as String` });
      }
      continue;
    }
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, blocks] of Object.entries<any>(stack[kind] ?? {})) {
        const sensitive = schema[kind].get(type) ?? [];
        for (const [name, block] of Object.entries<any>(blocks)) {
          const address = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
          const exempt = PUBLIC_DESPITE_SCHEMA[`${kind === 'data' ? 'data.' : ''}${type}`];
          for (const attr of sensitive) {
            if (valuesAt(block, attr.path.split('.')).length > 0) findings.push({ stack: stackName, address, message: `sets ${attr.path}, which the provider marks sensitive and keeps in state; move it to the custody stack` });
            else if (attr.computed && !(exempt && exempt.holds(block))) findings.push({ stack: stackName, address, message: `the provider computes ${attr.path} (sensitive) and keeps it in state; this type belongs in the custody stack` });
          }
          for (const text of strings(block)) {
            const hit = sensitiveReference(text, stack, schema);
            if (hit) findings.push({ stack: stackName, address, message: `references ${hit}; a public stack may only hold public material` });
          }
        }
      }
    }
    // CDKTF marks every cross-stack output sensitive; what matters is what it carries.
    for (const [name, output] of Object.entries<any>(stack.output ?? {})) {
      for (const text of strings(output.value)) {
        const hit = sensitiveReference(text, stack, schema);
        if (hit) findings.push({ stack: stackName, address: `output.${name}`, message: `outputs ${hit}` });
      }
    }
    for (const [name, variable] of Object.entries<any>(stack.variable ?? {})) {
      if (variable.sensitive) findings.push({ stack: stackName, address: `var.${name}`, message: 'is a sensitive variable of a public stack; it would be stored in its plan files' });
    }
  }
  findings.push(...stateSeparationFindings(stacks));
  return findings;
}

/** A custody stack whose state folder or KMS key a public stack of the same backend shares. */
function stateSeparationFindings(stacks: ReadonlyMap<string, TerraformJson>): CustodyFinding[] {
  const findings: CustodyFinding[] = [];
  const located = [...stacks].map(([name, json]) => ({ name, custody: isCustodyStack(name), at: stateLocation(json) }));
  for (const c of located.filter((l) => l.custody && l.at)) {
    const at = c.at!;
    if (at.kind === 's3' && !at.kmsKeyId) findings.push({ stack: c.name, address: 'terraform.backend', message: 'custody state has no KMS key of its own (kms_key_id); the bucket default key is shared with public state' });
    for (const p of located.filter((l) => !l.custody && l.at && l.at.kind === at.kind && l.at.bucket === at.bucket)) {
      const pub = p.at!;
      const nested = (a: string, b: string) => a === b || a.startsWith(`${b}/`);
      if (nested(at.folder, pub.folder) || nested(pub.folder, at.folder)) {
        findings.push({ stack: c.name, address: 'terraform.backend', message: `custody state folder "${at.folder}" is shared with public stack ${p.name} ("${pub.folder}"); a role allowed one would read the other` });
      }
      if (at.kind === 's3' && at.kmsKeyId && at.kmsKeyId === pub.kmsKeyId) {
        findings.push({ stack: c.name, address: 'terraform.backend', message: `custody KMS key ${at.kmsKeyId} also encrypts public stack ${p.name}` });
      }
    }
  }
  return findings;
}

/** One line per finding, for test failures and reports. */
export const renderCustodyFinding = (f: CustodyFinding): string => `${f.stack}: ${f.address} ${f.message}`;
