import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listEnvironments } from '../../../envs/load';
import { ConfigError } from '../../../lib/errors';
import { checkPolicy, formatReport, policyStacks } from '../../../tools/policy/run';
import { ALL_RULES } from '../../../tools/policy/rules';
import { loadSuppressions } from '../../../tools/policy/suppressions';
import { synthesizeJson } from '../../../tools/synth/synth-json';
import { fixtureStack, secureBucket } from './fixtures';
import { scratchDir } from '../../support/scratch';

describe('npm run policy over every real environment', () => {
  const { stacks, environments } = synthesizeJson();
  const report = checkPolicy(policyStacks(stacks, environments));

  it('checks a stack of every environment', () => {
    for (const env of listEnvironments()) expect(report.stacks.some((s) => s.startsWith(`${env}-`))).toBe(true);
  });

  it('passes: no unsuppressed finding, no stale suppression', () => {
    expect(formatReport(report)).toMatch(/^PASS: .* 0 finding\(s\), \d+ suppressed, 0 unused/m);
    expect(report.findings.filter((f) => !f.suppressedBy)).toEqual([]);
  });
});

describe('tools/policy/suppressions.yaml', () => {
  let dir: string;
  beforeEach(() => (dir = scratchDir('edge-suppressions-')));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const ruleIds = ALL_RULES.map((r) => r.id);
  const today = new Date('2026-06-01T12:00:00Z');
  const write = (entries: Record<string, unknown>[]) => {
    const file = join(dir, 'suppressions.yaml');
    writeFileSync(file, JSON.stringify({ suppressions: entries }));
    return file;
  };
  const entry = (over: Record<string, unknown> = {}) => ({ rule: 'S3-TLS-ONLY', target: 'dev-fixture/aws_s3_bucket.*', reason: 'an explained, accepted and temporary risk', expires: '2026-09-30', ...over });
  const problems = (file: string) => {
    try {
      loadSuppressions({ file, ruleIds, today });
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.map((p) => `${p.file.endsWith('suppressions.yaml') ? 'suppressions.yaml' : p.file}: ${p.field}: ${p.message}`);
      throw e;
    }
    return [];
  };

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an expired suppression', entry({ expires: '2026-05-31' }), /suppressions\.yaml: suppressions\[0\]\.expires: expired on 2026-05-31/],
    ['an impossible date', entry({ expires: '2026-02-30' }), /suppressions\[0\]\.expires: "2026-02-30" is not a calendar date/],
    ['a date that is not YYYY-MM-DD', entry({ expires: '30/09/2026' }), /suppressions\[0\]\.expires: expected a date written YYYY-MM-DD/],
    ['a suppression for more than a year', entry({ expires: '2027-12-31' }), /more than 366 days away/],
    ['an unknown rule', entry({ rule: 'S3-TLS-ONYL' }), /suppressions\[0\]\.rule: unknown rule "S3-TLS-ONYL"; expected one of S3-VERSIONING/],
    ['a missing reason', entry({ reason: 'ok' }), /suppressions\[0\]\.reason: expected a reason of at least 20 characters/],
    ['a target without a stack', entry({ target: 'aws_s3_bucket.*' }), /suppressions\[0\]\.target: expected "<stack>\/<resource address>"/],
    ['an unknown field', entry({ owner: 'me' }), /suppressions\[0\]: Unrecognized key: "owner"/],
  ])('rejects %s, naming the file and field', (_what, e, message) => {
    expect(problems(write([e])).join('\n')).toMatch(message);
  });

  it('accepts a valid one and marks the finding it covers as suppressed with its reason', () => {
    // A managed policy without the TLS deny (what local has): only S3-TLS-ONLY fires.
    const aclOnly = { statement: [{ effect: 'Deny', actions: ['s3:PutBucketAcl'], principals: [{ type: '*', identifiers: ['*'] }], resources: ['${aws_s3_bucket.b.arn}'] }] };
    const stack = fixtureStack('dev-fixture', secureBucket({ 'data.aws_iam_policy_document.tls': aclOnly }));
    const report = checkPolicy([stack], { suppressionsFile: write([entry()]), today });
    expect(report.passed).toBe(true);
    expect(report.findings).toEqual([expect.objectContaining({ ruleId: 'S3-TLS-ONLY', suppressedBy: { reason: entry().reason, expires: '2026-09-30' } })]);
  });

  it('an expired suppression makes the whole check fail before anything is judged', () => {
    const stack = fixtureStack('dev-fixture', secureBucket());
    expect(() => checkPolicy([stack], { suppressionsFile: write([entry({ expires: '2026-01-01' })]), today })).toThrow(/expired on 2026-01-01/);
  });

  it('reports a suppression that matches nothing in a checked stack as unused', () => {
    const report = checkPolicy([fixtureStack('dev-fixture', secureBucket())], { suppressionsFile: write([entry()]), today });
    expect(report.unusedSuppressions).toHaveLength(1);
    expect(formatReport(report)).toMatch(/warning: suppression S3-TLS-ONLY dev-fixture\/aws_s3_bucket\.\* matches no finding/);
  });
});
