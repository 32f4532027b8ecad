import { dependable, Lazy, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Ruleset, rulesetRulesToTerraform, type RulesetRules } from '@cdktf/provider-cloudflare/lib/ruleset';
import type { FirewallRuleAction } from '../../lib/vocabulary';

/** One custom WAF rule. */
export interface FirewallRule {
  /** Stable reference, unique in the zone. */
  readonly ref: string;
  readonly description: string;
  readonly expression: string;
  readonly action: FirewallRuleAction;
  /** @default true */
  readonly enabled?: boolean;
}

export interface ZoneFirewallProps {
  readonly zoneId: string;
  /** Name of the ruleset in the dashboard. */
  readonly name: string;
  /** Rules the zone already has and that must be kept; they run after every added rule. @default none */
  readonly keepRules?: readonly FirewallRule[];
}

/**
 * The zone's `http_request_firewall_custom` entry-point ruleset. A zone has exactly one
 * per phase and every apply replaces its whole rule list, so one construct owns it and
 * features contribute rules with `addRule`: nothing else may create that ruleset. Added
 * rules come first, in the order added; the env file's kept rules follow, so a kept
 * `skip` cannot bypass an mTLS block rule.
 */
export class ZoneFirewall extends Construct {
  private readonly zoneId: string;
  private readonly name: string;
  private managed?: Ruleset;
  private readonly added: Array<FirewallRule & { readonly owner: string }> = [];
  private readonly kept: readonly FirewallRule[];

  constructor(scope: Construct, id: string, props: ZoneFirewallProps) {
    super(scope, id);
    this.kept = props.keepRules ?? [];
    this.zoneId = props.zoneId;
    this.name = props.name;
    this.checkRefs(this.kept.map((r) => r.ref));
    if (this.kept.length > 0) void this.ruleset;
  }

  /**
   * The ruleset, created with the first rule: a zone where the project adds no rule and
   * keeps none is left alone rather than having its custom rules replaced by an empty list.
   */
  get ruleset(): Ruleset {
    this.managed ??= new Ruleset(this, 'CustomRules', {
      zoneId: this.zoneId,
      kind: 'zone',
      phase: 'http_request_firewall_custom',
      name: this.name,
      description: 'Custom WAF rules of the zone (managed by cdktf: rules added outside it are removed unless listed in edge.firewall.keepRules)',
      rules: Lazy.anyValue({ produce: () => this.rules().map((r) => rulesetRulesToTerraform(r)) }) as unknown as RulesetRules[],
    });
    return this.managed;
  }

  /** Whether the zone's ruleset is managed at all (some rule was added or kept). */
  get managesRuleset(): boolean {
    return this.managed !== undefined;
  }

  /**
   * Adds a rule on behalf of `owner` (a feature's name, for errors). `after`: what must
   * exist before the rule may (a CA association before a block rule that relies on it).
   */
  addRule(owner: string, rule: FirewallRule, after: readonly ITerraformDependable[] = []): void {
    this.checkRefs([rule.ref], owner);
    if (rule.expression.trim() === '') throw new Error(`ZoneFirewall ${this.node.id}: ${owner} added rule ${JSON.stringify(rule.ref)} with an empty expression`);
    this.added.push({ ...rule, owner });
    const ruleset = this.ruleset;
    for (const d of after) ruleset.dependsOn = [...new Set([...(ruleset.dependsOn ?? []), dependable(d)])];
  }

  /** The rules in the order Cloudflare evaluates them. */
  rules(): RulesetRules[] {
    return [...this.added, ...this.kept].map((r) => ({ ref: r.ref, description: r.description, expression: r.expression, action: r.action, enabled: r.enabled ?? true }));
  }

  private checkRefs(refs: readonly string[], owner = 'edge.firewall.keepRules'): void {
    const taken = new Set([...this.added, ...(this.kept ?? [])].map((r) => r.ref));
    const seen = new Set<string>();
    for (const ref of refs) {
      if (taken.has(ref) && owner !== 'edge.firewall.keepRules') throw new Error(`ZoneFirewall ${this.node.id}: ${owner} adds rule ref ${JSON.stringify(ref)}, which the zone's ruleset already has`);
      if (seen.has(ref)) throw new Error(`ZoneFirewall ${this.node.id}: rule ref ${JSON.stringify(ref)} appears twice in ${owner}`);
      seen.add(ref);
    }
  }
}
