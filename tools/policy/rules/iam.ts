import { blocks, PolicyStack, Rule, TfResource } from '../engine';
import { documentStatements, jsonStatements, Statement } from '../statements';
import { formatValue } from '../../tf-json/format';

/**
 * Actions that AWS only authorizes on `Resource: "*"`, each with the reason it is
 * allowed. Anything else with `*` resources is a finding.
 */
export const STAR_RESOURCE_ALLOWED: ReadonlyMap<string, string> = new Map([
  ['ec2:DescribeInstances', 'EC2 Describe* calls do not support resource-level permissions'],
  ['ec2:DescribeTags', 'EC2 Describe* calls do not support resource-level permissions'],
  ['cloudwatch:PutMetricData', 'PutMetricData has no resource type; it is narrowed with the cloudwatch:namespace condition instead'],
  ['ssm:UpdateInstanceInformation', 'the SSM agent registration call has no resource type'],
  ['sts:GetCallerIdentity', 'GetCallerIdentity has no resource type (the AWS provider calls it to check allowed_account_ids)'],
  ['ssm:DescribeParameters', 'DescribeParameters has no resource type; the provider calls it to read a parameter it manages'],
  ['acm:RequestCertificate', 'a certificate being requested has no ARN yet'],
  ['acm:ImportCertificate', 'a certificate being imported for the first time has no ARN yet'],
  ['ec2:Describe*', 'EC2 Describe* calls do not support resource-level permissions'],
  ['ec2:DescribeSecurityGroups', 'EC2 Describe* calls do not support resource-level permissions'],
  ['ec2:DescribeVpcs', 'EC2 Describe* calls do not support resource-level permissions'],
]);

const POLICY_TYPES = ['aws_iam_policy', 'aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'];

/**
 * `keyPolicy`: the document is the policy of a KMS key, where Resource "*" can only mean
 * that key (a key policy governs nothing else), so only the actions are judged.
 */
function statementProblems(statements: readonly Statement[], keyPolicy = false): string[] {
  const problems: string[] = [];
  statements.forEach((s, i) => {
    if (s.effect !== 'Allow') return; // a Deny with wildcards only narrows access
    const where = `statement[${i}]`;
    for (const a of s.actions) if (a === '*' || a.endsWith(':*')) problems.push(`${where} allows action "${a}"; list the actions the principal needs`);
    if (s.notActions.length > 0) problems.push(`${where} allows everything except ${formatValue(s.notActions)} (NotAction with Allow)`);
    if (s.resources.includes('*') && !keyPolicy) {
      const unexplained = s.actions.filter((a) => !STAR_RESOURCE_ALLOWED.has(a));
      if (unexplained.length > 0 || s.actions.length === 0)
        problems.push(`${where} allows ${formatValue(unexplained)} on resource "*"; name the ARNs (only ${[...STAR_RESOURCE_ALLOWED.keys()].join(', ')} may use "*")`);
    }
  });
  return problems;
}

// Overlaps Trivy AVD-AWS-0057; kept: it judges KMS key policies as key policies, allows "*" only with a listed reason, and fails `npm test`.
export const iamNoWildcards: Rule = {
  id: 'IAM-NO-WILDCARDS',
  description: 'IAM policies allow no "*" actions and no "*" resources, except actions listed with a reason in STAR_RESOURCE_ALLOWED.',
  fix: 'Grant exact actions on exact ARNs in InstanceRole (modules/keyless/instance-role.ts); an action that AWS only authorizes on "*" goes into STAR_RESOURCE_ALLOWED with its reason.',
  resourceTypes: ['data.aws_iam_policy_document', ...POLICY_TYPES, 'aws_iam_role'],
  check(resource, stack) {
    if (resource.type === 'data.aws_iam_policy_document') {
      const users = ['aws_kms_key', ...POLICY_TYPES, 'aws_s3_bucket_policy', 'aws_secretsmanager_secret_policy'].flatMap((t) => stack.referencing(resource, t, 'policy'));
      const keyPolicy = users.length > 0 && users.every((u) => u.type === 'aws_kms_key');
      return statementProblems(documentStatements(resource.body), keyPolicy);
    }
    if (resource.type === 'aws_iam_role') {
      return blocks(resource.body.inline_policy).flatMap((p, i) => policyProblems(p.policy, stack).map((m) => `inline_policy[${i}]: ${m}`));
    }
    return policyProblems(resource.body.policy, stack);
  },
};

function policyProblems(policy: unknown, stack: PolicyStack): string[] {
  // References to policy documents are checked on the document itself.
  if (stack.resolve(policy)?.type === 'data.aws_iam_policy_document') return [];
  if (typeof policy !== 'string') return [];
  const statements = jsonStatements(policy);
  // A policy computed by a Terraform function (`${jsonencode(...)}`) cannot be read before apply.
  if (statements === undefined) return policy.includes('${') ? [] : ['policy is not valid JSON'];
  return statementProblems(statements);
}

/** Resources of `type` whose `field` names `role`, by reference or by its literal name. */
function naming(role: TfResource, stack: PolicyStack, type: string, field: string): TfResource[] {
  const name = role.body.name;
  const byName = typeof name === 'string' && !name.includes('${') ? stack.ofType(type).filter((r) => r.body[field] === name) : [];
  return [...new Set([...stack.referencing(role, type, field), ...byName])];
}

const EXCLUSIVE_COMPANIONS = [
  ['aws_iam_role_policy_attachments_exclusive', 'managed policies attached out of band (AdministratorAccess)'],
  ['aws_iam_role_policies_exclusive', 'inline policies added out of band'],
] as const;

export const iamRoleExclusive: Rule = {
  id: 'IAM-ROLE-EXCLUSIVE',
  description: 'Every IAM role declares exclusive management of its managed-policy attachments and inline policies, so a permission added out of band is drift.',
  fix: 'Build roles with modules/keyless/instance-role.ts, or add aws_iam_role_policy_attachments_exclusive and aws_iam_role_policies_exclusive naming the role.',
  resourceTypes: ['aws_iam_role'],
  check(role, stack) {
    return EXCLUSIVE_COMPANIONS.filter(([type]) => naming(role, stack, type, 'role_name').length === 0).map(
      ([type, blind]) => `no ${type} names this role, so drift cannot see ${blind}`,
    );
  },
};

export const iamRules: readonly Rule[] = [iamNoWildcards, iamRoleExclusive];
