import { blocks, type TfStack } from '../tf-json/stack';

/** An IAM policy statement, whether written as policy JSON or as an `aws_iam_policy_document` block. */
export interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
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
    conditions: blocks(s.condition).map((c) => ({ test: String(c.test), variable: String(c.variable), values: list(c.values) })),
  }));
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
