import { blocks, type TfStack } from '../tf-json/stack';

/** An IAM policy statement, whether written as policy JSON or as an `aws_iam_policy_document` block. */
export interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  /** NotResource (JSON) / `not_resources` (document). @default none */
  readonly notResources?: readonly string[];
  /** Principal blocks of a resource or trust policy; none for an identity policy. */
  readonly principals?: readonly { type: string; identifiers: readonly string[] }[];
  readonly conditions: readonly { test: string; variable: string; values: readonly string[] }[];
}

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Statements of an `aws_iam_policy_document` data source body. */
export function documentStatements(body: Record<string, any>): Statement[] {
  return blocks(body.statement).map((s) => ({
    effect: s.effect === 'Deny' ? 'Deny' : 'Allow',
    actions: list(s.actions),
    notActions: list(s.not_actions),
    resources: list(s.resources),
    notResources: list(s.not_resources),
    principals: blocks(s.principals).map((p) => ({ type: String(p.type), identifiers: list(p.identifiers) })),
    conditions: blocks(s.condition).map((c) => ({ test: String(c.test), variable: String(c.variable), values: list(c.values) })),
  }));
}

/** Principal element of policy JSON -> principal blocks (`"*"` is `{type: "*"}`). */
function jsonPrincipals(p: unknown): { type: string; identifiers: string[] }[] {
  if (p === undefined || p === null) return [];
  if (p === '*') return [{ type: '*', identifiers: ['*'] }];
  return Object.entries(p as Record<string, unknown>).map(([type, ids]) => ({ type, identifiers: list(ids) }));
}

/**
 * Statements as IAM policy JSON, as `aws_iam_policy_document` renders them: what AWS
 * (or an emulator) is given. `${...}` references stay as they are.
 */
export function statementsToJson(statements: readonly Statement[]): string {
  const one = (v: readonly string[]): string | string[] => (v.length === 1 ? v[0] : [...v]);
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => {
      const condition: Record<string, Record<string, string | string[]>> = {};
      for (const c of s.conditions) condition[c.test] = { ...condition[c.test], [c.variable]: one(c.values) };
      const principals = s.principals ?? [];
      return {
        Effect: s.effect,
        ...(principals.length > 0
          ? { Principal: principals.some((p) => p.type === '*') ? '*' : Object.fromEntries(principals.map((p) => [p.type, one(p.identifiers)])) }
          : {}),
        ...(s.actions.length > 0 ? { Action: one(s.actions) } : {}),
        ...(s.notActions.length > 0 ? { NotAction: one(s.notActions) } : {}),
        ...(s.resources.length > 0 ? { Resource: one(s.resources) } : {}),
        ...((s.notResources ?? []).length > 0 ? { NotResource: one(s.notResources!) } : {}),
        ...(s.conditions.length > 0 ? { Condition: condition } : {}),
      };
    }),
  });
}

/** Statements of policy JSON text (`{"Statement": [...]}`). */
export function jsonStatements(text: string): Statement[] | undefined {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  return blocks(doc?.Statement).map((s) => ({
    effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
    actions: list(s.Action),
    notActions: list(s.NotAction),
    resources: list(s.Resource),
    notResources: list(s.NotResource),
    principals: jsonPrincipals(s.Principal),
    conditions: Object.entries<Record<string, unknown>>(s.Condition ?? {}).flatMap(([test, byVar]) =>
      Object.entries(byVar).map(([variable, values]) => ({ test, variable, values: list(values) })),
    ),
  }));
}

/**
 * The statements of a `policy` attribute: literal JSON, or a reference to an
 * `aws_iam_policy_document` data source in the same stack. Undefined when the
 * policy cannot be read statically (built by a function, from another stack).
 */
export function policyStatements(value: unknown, stack: TfStack): Statement[] | undefined {
  const target = stack.resolve(value);
  if (target?.type === 'data.aws_iam_policy_document') return documentStatements(target.body);
  if (typeof value === 'string' && !value.includes('${')) return jsonStatements(value);
  return undefined;
}
