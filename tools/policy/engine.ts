import type { Environment } from '../../envs/schema';
import { parseStackName } from '../../lib/naming';
import { TfStack, type StackJson, type TfResource } from '../tf-json/stack';

export { blocks, referencedAddresses, type StackJson, type TfResource } from '../tf-json/stack';

/**
 * A stack as the rules see it: the shared Terraform-JSON reader (tools/tf-json/stack.ts)
 * plus the environment it was built from.
 */
export class PolicyStack extends TfStack {
  constructor(
    name: string,
    json: StackJson,
    /** The environment the stack belongs to; rules that check "required" resources need it. */
    readonly env?: Environment,
  ) {
    super(name, json);
  }

  /** `origin` for `dev-origin`. */
  get concern(): string {
    return parseStackName(this.name)?.concern ?? this.name;
  }
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
