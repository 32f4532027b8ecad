import type { Environment } from '../../envs/schema';
import { parseStackName } from '../../lib/naming';

/** Synthesized Terraform JSON of one stack (`cdk.tf.json`). */
export type StackJson = Record<string, any>;

/** One resource or data source of a stack, with its Terraform address. */
export interface TfResource {
  /** `aws_s3_bucket`, or `data.aws_iam_policy_document` for data sources. */
  readonly type: string;
  readonly name: string;
  /** `aws_s3_bucket.TruststoreBucket_5584D550`, as Terraform prints it. */
  readonly address: string;
  readonly body: Record<string, any>;
}

const WHOLE_REFERENCE = /^\$\{((?:data\.)?[a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\.[^}]*)?\}$/;
const ANY_REFERENCE = /\$\{((?:data\.)?[a-z0-9_]+)\.([A-Za-z0-9_-]+)[^}]*\}/g;

/**
 * A stack as the rules see it: the JSON plus the environment it was built from, with
 * helpers to follow `${type.name.attr}` references between resources.
 */
export class PolicyStack {
  readonly resources: readonly TfResource[];
  private readonly byAddress: Map<string, TfResource>;

  constructor(
    /** `dev-origin` */
    readonly name: string,
    readonly json: StackJson,
    /** The environment the stack belongs to; rules that check "required" resources need it. */
    readonly env?: Environment,
  ) {
    const all: TfResource[] = [];
    for (const [prefix, section] of [['', json.resource], ['data.', json.data]] as const) {
      for (const [type, byName] of Object.entries<Record<string, any>>(section ?? {})) {
        for (const [name, body] of Object.entries(byName)) {
          all.push({ type: `${prefix}${type}`, name, address: `${prefix}${type}.${name}`, body });
        }
      }
    }
    this.resources = all;
    this.byAddress = new Map(all.map((r) => [r.address, r]));
  }

  /** `origin` for `dev-origin`. */
  get concern(): string {
    return parseStackName(this.name)?.concern ?? this.name;
  }

  ofType(type: string): TfResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The resource a whole-value reference such as `${aws_s3_bucket.b.id}` points at; undefined for literals. */
  resolve(value: unknown): TfResource | undefined {
    if (typeof value !== 'string') return undefined;
    const m = value.match(WHOLE_REFERENCE);
    return m ? this.byAddress.get(`${m[1]}.${m[2]}`) : undefined;
  }

  /** Resources of `type` whose `field` refers to `target` (the public access block of a bucket...). */
  referencing(target: TfResource, type: string, field: string): TfResource[] {
    return this.ofType(type).filter((r) => referencedAddresses(r.body[field]).includes(target.address));
  }
}

/** Every resource address mentioned in a value (strings, lists, nested blocks). */
export function referencedAddresses(value: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') for (const m of v.matchAll(ANY_REFERENCE)) out.push(`${m[1]}.${m[2]}`);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(value);
  return out;
}

/** Nested blocks appear in CDKTF JSON as an object or a one-element list; rules read both the same way. */
export function blocks(value: unknown): Record<string, any>[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((b) => b && typeof b === 'object');
}

/** A violation of a rule, before it is tied to a stack. */
export interface Violation {
  /** Address of the offending resource, or `missing:<type>[:<what>]` when a required resource is absent. */
  readonly address: string;
  readonly message: string;
}

/**
 * A policy rule. `check` is a pure function over one resource (of `resourceTypes`) and
 * its stack returning what is wrong; `require` looks at the stack as a whole and
 * reports resources that the environment says must exist but are absent.
 */
export interface Rule {
  /** Stable id used in findings and suppressions: `S3-VERSIONING`. */
  readonly id: string;
  readonly description: string;
  /** How to fix a finding, printed with it. */
  readonly fix: string;
  /** Terraform types `check` runs on (`data.` prefix for data sources). */
  readonly resourceTypes: readonly string[];
  readonly check?: (resource: TfResource, stack: PolicyStack) => readonly string[];
  readonly require?: (stack: PolicyStack) => readonly Violation[];
}

export interface Finding {
  readonly stack: string;
  readonly address: string;
  readonly ruleId: string;
  readonly message: string;
  readonly fix: string;
  /** Set when a suppression covers the finding: its reason and expiry. */
  readonly suppressedBy?: { readonly reason: string; readonly expires: string };
}

/** Runs every rule over every stack; findings are sorted by stack, address and rule. */
export function evaluate(rules: readonly Rule[], stacks: readonly PolicyStack[]): Finding[] {
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.id)) throw new Error(`policy rule id ${rule.id} is defined twice`);
    ids.add(rule.id);
  }
  const findings: Finding[] = [];
  for (const stack of stacks) {
    for (const rule of rules) {
      const add = (address: string, message: string) =>
        findings.push({ stack: stack.name, address, ruleId: rule.id, message, fix: rule.fix });
      if (rule.check) {
        for (const type of rule.resourceTypes) {
          for (const resource of stack.ofType(type)) for (const message of rule.check(resource, stack)) add(resource.address, message);
        }
      }
      for (const v of rule.require?.(stack) ?? []) add(v.address, v.message);
    }
  }
  return findings.sort((a, b) => `${a.stack} ${a.address} ${a.ruleId}`.localeCompare(`${b.stack} ${b.address} ${b.ruleId}`));
}

/** The value of a field for messages: short and JSON-quoted. */
export function shown(value: unknown): string {
  if (value === undefined) return 'unset';
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
