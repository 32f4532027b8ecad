import type { Statement } from './statements';

/**
 * A small IAM policy evaluator for the subset this project writes: Allow and Deny,
 * Action / NotAction and Resource / NotResource with `*` and `?` wildcards, Principal
 * (for resource and key policies), and the condition operators listed in OPERATORS.
 * Explicit deny wins over any allow; nothing allowed is an implicit deny. It answers
 * for one request against policies of one account; it does not model SCPs, permission
 * boundaries, session policies or cross-account rules. A condition operator it does not
 * know is an error, never a guess.
 */

/** What is asked: one action on one resource, by one principal, with request context. */
export interface IamRequest {
  /** `s3:GetObject` (service prefix case-insensitive, as in IAM). */
  readonly action: string;
  /** The resource ARN. */
  readonly resource: string;
  /** Who asks (role ARN): matched against Principal in resource policies. */
  readonly principalArn?: string;
  /** Condition keys (`aws:SecureTransport`: "true"); a key not given is absent. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

/** `*` matches any run of characters, `?` exactly one; everything else literally. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

type Matcher = (condition: string, actual: string) => boolean;

/** Supported operators (each also with `IfExists`); negated ones hold when no value matches. */
const OPERATORS: Readonly<Record<string, { match: Matcher; negated: boolean }>> = {
  StringEquals: { match: (c, a) => c === a, negated: false },
  StringNotEquals: { match: (c, a) => c === a, negated: true },
  StringEqualsIgnoreCase: { match: (c, a) => c.toLowerCase() === a.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { match: (c, a) => c.toLowerCase() === a.toLowerCase(), negated: true },
  StringLike: { match: (c, a) => wildcardMatch(c, a), negated: false },
  StringNotLike: { match: (c, a) => wildcardMatch(c, a), negated: true },
  // ArnEquals and ArnLike both take wildcards in IAM.
  ArnEquals: { match: (c, a) => wildcardMatch(c, a), negated: false },
  ArnLike: { match: (c, a) => wildcardMatch(c, a), negated: false },
  ArnNotEquals: { match: (c, a) => wildcardMatch(c, a), negated: true },
  ArnNotLike: { match: (c, a) => wildcardMatch(c, a), negated: true },
  Bool: { match: (c, a) => c.toLowerCase() === a.toLowerCase(), negated: false },
};

function conditionHolds(test: string, variable: string, values: readonly string[], context: IamRequest['context']): boolean {
  const ifExists = test.endsWith('IfExists');
  const name = ifExists ? test.slice(0, -'IfExists'.length) : test;
  const operator = OPERATORS[name];
  if (operator === undefined) throw new Error(`policy evaluator: unsupported condition operator "${test}" (on ${variable}); supported: ${Object.keys(OPERATORS).join(', ')} (and ...IfExists)`);
  const raw = context?.[variable];
  if (raw === undefined) return ifExists || operator.negated; // IAM: an absent key fails positive operators
  const actual = typeof raw === 'string' ? [raw] : raw;
  const anyMatch = actual.some((a) => values.some((c) => operator.match(c, a)));
  return operator.negated ? !anyMatch : anyMatch;
}

/** The account id in an ARN (`arn:aws:iam::111111111111:role/x` -> `111111111111`). */
const accountOf = (arn: string): string | undefined => arn.split(':')[4] || undefined;

function principalMatches(s: Statement, request: IamRequest): boolean {
  const principals = s.principals ?? [];
  if (principals.length === 0) return true; // identity policy: the principal is its owner
  return principals.some((p) => {
    if (p.type === '*' || p.identifiers.includes('*')) return true;
    if (request.principalArn === undefined) return false;
    // Federated and Service principals are named exactly (an OIDC provider's ARN).
    if (p.type !== 'AWS') return p.identifiers.includes(request.principalArn);
    return p.identifiers.some((id) => {
      if (id === request.principalArn) return true;
      // `arn:...:root` or a bare account id names the account: every principal in it.
      const account = /^\d{12}$/.test(id) ? id : /:root$/.test(id) ? accountOf(id) : undefined;
      return account !== undefined && account === accountOf(request.principalArn!);
    });
  });
}

/** Whether one statement applies to the request (its effect then counts). */
export function statementApplies(s: Statement, request: IamRequest): boolean {
  const action = s.notActions.length > 0 ? !s.notActions.some((a) => wildcardMatch(a, request.action, true)) : s.actions.some((a) => wildcardMatch(a, request.action, true));
  if (!action) return false;
  const notResources = s.notResources ?? [];
  if (notResources.length > 0) {
    if (notResources.some((r) => wildcardMatch(r, request.resource))) return false;
  } else if (s.resources.length > 0 && !s.resources.some((r) => wildcardMatch(r, request.resource))) return false;
  if (!principalMatches(s, request)) return false;
  return s.conditions.every((c) => conditionHolds(c.test, c.variable, c.values, request.context));
}

/**
 * The decision of all `policies` together (identity and resource policies of one
 * account): an applicable Deny anywhere wins, else an applicable Allow anywhere allows.
 * Refuses statements whose resources still hold unresolved `${...}` references, which
 * would otherwise never match and look like a deny.
 */
export function evaluate(policies: readonly (readonly Statement[])[], request: IamRequest): Decision {
  let allowed = false;
  for (const s of policies.flat()) {
    const unresolved = [...s.resources, ...(s.notResources ?? [])].find((r) => r.includes('${'));
    if (unresolved) throw new Error(`policy evaluator: resource "${unresolved}" is an unresolved reference; substitute it before evaluating`);
    if (!statementApplies(s, request)) continue;
    if (s.effect === 'Deny') return 'explicit-deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}
