import { documentStatements, type Statement } from '../../tools/policy/statements';
import { TfStack, type StackJson, type TfResource } from '../../tools/tf-json/stack';

/**
 * The policies of a synthesized `aws-bootstrap-<account>` stack, read back from its
 * Terraform JSON exactly as synthesized (the unit test evaluates them, the moto test
 * gives them to moto). References to resources that exist only after apply (`${aws_kms_key.X.arn}`)
 * stay in; `concrete` swaps them for ARNs.
 */
export interface BootstrapPolicies {
  /** Each pipeline role by its IAM name: its one inline policy and its trust policy. */
  readonly roles: ReadonlyMap<string, { readonly permissions: Statement[]; readonly trust: Statement[] }>;
  /** Each state bucket's policy by bucket name. */
  readonly buckets: ReadonlyMap<string, Statement[]>;
  /** Each state key by alias: its key policy and the reference standing for its ARN. */
  readonly keys: ReadonlyMap<string, { readonly policy: Statement[]; readonly arnReference: string }>;
}

const documentOf = (stack: TfStack, value: unknown): Statement[] => {
  const target = stack.resolve(value);
  if (target?.type !== 'data.aws_iam_policy_document') throw new Error(`expected a reference to an aws_iam_policy_document, got ${JSON.stringify(value)}`);
  return documentStatements(target.body);
};

export function bootstrapPolicies(json: StackJson): BootstrapPolicies {
  const stack = new TfStack('aws-bootstrap', json);
  const roles = new Map<string, { permissions: Statement[]; trust: Statement[] }>();
  for (const role of stack.ofType('aws_iam_role')) {
    const inline: TfResource[] = stack.referencing(role, 'aws_iam_role_policy', 'role');
    if (inline.length !== 1) throw new Error(`${role.address}: expected exactly one inline policy, found ${inline.length}`);
    roles.set(String(role.body.name), { permissions: documentOf(stack, inline[0].body.policy), trust: documentOf(stack, role.body.assume_role_policy) });
  }
  const buckets = new Map<string, Statement[]>();
  for (const bucket of stack.ofType('aws_s3_bucket')) {
    const policies = stack.referencing(bucket, 'aws_s3_bucket_policy', 'bucket');
    if (policies.length !== 1) throw new Error(`${bucket.address}: expected exactly one bucket policy, found ${policies.length}`);
    buckets.set(String(bucket.body.bucket), documentOf(stack, policies[0].body.policy));
  }
  const keys = new Map<string, { policy: Statement[]; arnReference: string }>();
  for (const alias of stack.ofType('aws_kms_alias')) {
    const key = stack.resolve(alias.body.target_key_id);
    if (key?.type !== 'aws_kms_key') throw new Error(`${alias.address}: target_key_id is not a reference to an aws_kms_key`);
    keys.set(String(alias.body.name), { policy: documentOf(stack, key.body.policy), arnReference: `\${${key.address}.arn}` });
  }
  return { roles, buckets, keys };
}

/** Statements with every `${type.name.arn}` reference replaced: from `arns`, else a stand-in `arn:test:<type>:<name>`. */
export function concrete(statements: readonly Statement[], arns: ReadonlyMap<string, string> = new Map()): Statement[] {
  const swap = (v: string): string => v.replace(/\$\{[^}]+\}/g, (ref) => arns.get(ref) ?? ref.replace(/^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.arn\}$/, 'arn:test:$1:$2'));
  return statements.map((s) => ({
    ...s,
    resources: s.resources.map(swap),
    notResources: s.notResources?.map(swap),
    principals: s.principals?.map((p) => ({ ...p, identifiers: p.identifiers.map(swap) })),
  }));
}
