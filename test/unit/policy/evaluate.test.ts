import { evaluate, wildcardMatch, type IamRequest } from '../../../tools/policy/evaluate';
import { jsonStatements, statementsToJson, type Statement } from '../../../tools/policy/statements';

const policy = (doc: unknown): Statement[] => jsonStatements(JSON.stringify(doc))!;
const get = (resource: string, extra: Partial<IamRequest> = {}): IamRequest => ({ action: 's3:GetObject', resource, ...extra });

describe('the IAM policy evaluator (tools/policy/evaluate.ts)', () => {
  it('matches * and ? wildcards, actions case-insensitively and resources case-sensitively', () => {
    expect(wildcardMatch('arn:aws:s3:::b/edge/*', 'arn:aws:s3:::b/edge/dev/x.tfstate')).toBe(true);
    expect(wildcardMatch('arn:aws:s3:::b/edge/*', 'arn:aws:s3:::b/edge-custody/x')).toBe(false);
    expect(wildcardMatch('a?c', 'abc')).toBe(true);
    expect(wildcardMatch('a?c', 'ac')).toBe(false);
    expect(wildcardMatch('a.c', 'abc')).toBe(false); // regex characters are literal
    const p = policy({ Statement: [{ Effect: 'Allow', Action: 'S3:get*', Resource: 'arn:aws:s3:::b/Key' }] });
    expect(evaluate([p], get('arn:aws:s3:::b/Key'))).toBe('allow');
    expect(evaluate([p], get('arn:aws:s3:::b/key'))).toBe('implicit-deny');
  });

  it('lets an explicit deny win over any allow, in any policy', () => {
    const allow = policy({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    const deny = policy({ Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/secret/*' }] });
    expect(evaluate([allow, deny], get('arn:aws:s3:::b/secret/k'))).toBe('explicit-deny');
    expect(evaluate([allow, deny], get('arn:aws:s3:::b/public/k'))).toBe('allow');
    expect(evaluate([], get('arn:aws:s3:::b/public/k'))).toBe('implicit-deny');
  });

  it('reads NotAction and NotResource as "everything except"', () => {
    const p = policy({ Statement: [{ Effect: 'Allow', NotAction: 's3:Delete*', NotResource: 'arn:aws:s3:::b/custody/*' }] });
    expect(evaluate([p], get('arn:aws:s3:::b/public/k'))).toBe('allow');
    expect(evaluate([p], get('arn:aws:s3:::b/custody/k'))).toBe('implicit-deny');
    expect(evaluate([p], get('arn:aws:s3:::b/public/k', { action: 's3:DeleteObject' }))).toBe('implicit-deny');
  });

  it('evaluates conditions: absent keys fail positive operators and pass negated ones, IfExists passes', () => {
    const p = policy({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::1:role/plan'] } } }] });
    expect(evaluate([p], get('r', { context: { 'aws:PrincipalArn': 'arn:aws:iam::1:role/plan' } }))).toBe('explicit-deny');
    expect(evaluate([p], get('r', { context: { 'aws:PrincipalArn': 'arn:aws:iam::1:role/deploy' } }))).toBe('implicit-deny');
    expect(evaluate([p], get('r'))).toBe('implicit-deny');
    const notEquals = policy({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringNotEquals: { 'aws:x': 'a' } } }] });
    expect(evaluate([notEquals], get('r'))).toBe('allow');
    const ifExists = policy({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEqualsIfExists: { 'aws:x': 'a' } } }] });
    expect(evaluate([ifExists], get('r'))).toBe('allow');
    expect(evaluate([ifExists], get('r', { context: { 'aws:x': 'b' } }))).toBe('implicit-deny');
    const tls = policy({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] });
    expect(evaluate([tls], get('r', { context: { 'aws:SecureTransport': 'false' } }))).toBe('explicit-deny');
    expect(evaluate([tls], get('r', { context: { 'aws:SecureTransport': 'true' } }))).toBe('implicit-deny');
  });

  it('matches principals of resource policies: exact ARN, the account root, "*"', () => {
    const byRoot = policy({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:Decrypt', Resource: '*' }] });
    const decrypt = (principalArn: string): IamRequest => ({ action: 'kms:Decrypt', resource: 'arn:aws:kms:eu-west-1:111111111111:key/k', principalArn });
    expect(evaluate([byRoot], decrypt('arn:aws:iam::111111111111:role/any'))).toBe('allow');
    expect(evaluate([byRoot], decrypt('arn:aws:iam::222222222222:role/any'))).toBe('implicit-deny');
    const byRole = policy({ Statement: [{ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111111111111:role/a'] }, Action: 'kms:Decrypt', Resource: '*' }] });
    expect(evaluate([byRole], decrypt('arn:aws:iam::111111111111:role/b'))).toBe('implicit-deny');
  });

  it('refuses what it cannot decide instead of guessing', () => {
    const numeric = policy({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { NumericLessThan: { 's3:max-keys': '10' } } }] });
    expect(() => evaluate([numeric], get('r'))).toThrow(/unsupported condition operator "NumericLessThan"/);
    const unresolved = policy({ Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '${aws_kms_key.k.arn}' }] });
    expect(() => evaluate([unresolved], get('r'))).toThrow(/unresolved reference/);
  });

  it('writes statements back as the policy JSON they were read from', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Principal: '*', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::b/*', Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::1:role/x' } } },
        { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::1:oidc-provider/x' }, Action: 'sts:AssumeRoleWithWebIdentity' },
      ],
    };
    expect(JSON.parse(statementsToJson(policy(doc)))).toEqual(doc);
  });
});
