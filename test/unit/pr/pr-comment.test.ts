import { buildReport } from '../../../tools/plan/plan-report';
import { commentMarker, renderPrComment, riskItems } from '../../../tools/pr/pr-comment';
import { buildReview } from '../../../tools/review/review';
import { isSecurityRelevant } from '../../../tools/review/security-relevance';
import { synthesizeJson } from '../../../tools/synth/synth-json';
import { expectDocsExample } from '../../support/docs-examples';
import { EXAMPLE_RUN, EXAMPLE_TIME, examplePlan, exampleReview, planFixture } from '../../support/report-examples';

describe('the pull-request comment of an environment', () => {
  const plan = examplePlan();
  const review = exampleReview();
  const body = renderPrComment({ plan, review, artifactUrl: EXAMPLE_RUN });
  const lines = body.split('\n');

  it('starts with its marker and a verdict line', () => {
    expect(lines[0]).toBe(commentMarker('plan', 'dev'));
    expect(lines[1]).toBe('**Plan `dev`**: changes: 1 to create, 1 to update, 1 to replace, 1 to delete — ⚠️ 3 to review first');
  });

  it('orders by risk: security-relevant replacements and deletions, then weakenings, then the rest', () => {
    expect(riskItems(plan, review).map((i) => `${i.tier} ${i.address} ${i.what}`)).toEqual([
      'security-removal aws_api_gateway_domain_name.Api replace',
      'security-removal aws_security_group_rule.Legacy delete',
      expect.stringMatching(/^weakening cloudflare_ruleset\.\w+ API Shield protects less$/),
      'other aws_s3_object.Truststore create',
      'other aws_secretsmanager_secret_version.KeylessToken update',
    ]);
    const at = (text: string) => body.indexOf(text);
    expect(at('**Replacements and deletions of security-relevant resources** (2)')).toBeLessThan(at('**Weakened against the base (found by the review)** (1)'));
    expect(at('**Weakened against the base (found by the review)** (1)')).toBeLessThan(at('**Other changes** (2)'));
    expect(at('**Other changes** (2)')).toBeLessThan(at('<details>'));
  });

  it('marks the security-relevant removals and the weakening, and nothing in "other changes"', () => {
    const section = (title: string) => body.slice(body.indexOf(title), body.indexOf('\n\n', body.indexOf('| --- |', body.indexOf(title))));
    expect(section('**Replacements and deletions').match(/⚠️/g)).toHaveLength(2);
    expect(section('**Weakened against the base').match(/⚠️/g)).toHaveLength(1);
    expect(section('**Other changes**')).not.toContain('⚠️');
    expect(body).toContain('| `dev-origin` | ⚠️ `aws_api_gateway_domain_name.Api`<br><sub>dev-origin/Domain0/Domain</sub> | replace | replaced because of `domain_name` |');
    expect(body).toMatch(/\| `dev-edge` \| ⚠️ `cloudflare_ruleset\.\S+` \| API Shield protects less \| path prefix "\/admin\/" of "api\.dev\.example\.com" is no longer protected \|/);
  });

  it('keeps attribute details and the security view in collapsed blocks, secrets masked', () => {
    expect(body).toMatch(/<details><summary><code>dev-origin<\/code>: 4 resource changes, attribute by attribute<\/summary>/);
    expect(body).toMatch(/<details><summary>Security view of the synthesized Terraform \(review against <code>origin\/main<\/code>\): ⚠️ 1 marked<\/summary>/);
    expect(body.match(/<details>/g)!.length).toBe(body.match(/<\/details>/g)!.length);
    expect(body).not.toMatch(/old-token-value|new-token-value/);
  });

  it('cuts a long comment at a line, keeps the verdict and the risk list, closes the open block and links the artifact', () => {
    const short = renderPrComment({ plan, review, artifactUrl: EXAMPLE_RUN, maxChars: 3000 });
    expect(short.length).toBeLessThanOrEqual(3000);
    expect(short).toContain('⚠️ 3 to review first');
    expect(short).toContain('**Other changes** (2)');
    expect(short.trimEnd().endsWith(`_Truncated to fit a comment; see [the full report](${EXAMPLE_RUN})._`)).toBe(true);
    expect(short.match(/<details>/g)?.length ?? 0).toBe(short.match(/<\/details>/g)?.length ?? 0);
  });

  it('derives "security-relevant" from the policy rules and the review, so a bucket is and a deployment is not', () => {
    expect(['aws_s3_bucket', 'aws_api_gateway_domain_name', 'cloudflare_ruleset', 'aws_security_group_rule'].filter((t) => !isSecurityRelevant(t))).toEqual([]);
    expect(isSecurityRelevant('aws_api_gateway_deployment')).toBe(false);
  });

  it('is the example in the docs', () => {
    expectDocsExample('pr-comment.md', body);
  });
});

describe('no false ⚠️ on the committed environments', () => {
  const all = synthesizeJson(undefined);
  const envs = all.environments.map((e) => e.config.name).sort();

  it.each(envs)('%s: a no-change plan and a plan of in-place updates carry no mark', (env) => {
    const stacks = new Map([...all.stacks].filter(([name]) => name.startsWith(`${env}-`)));
    const review = buildReview(stacks, undefined, { environments: all.environments });
    for (const recorded of [{ resource_changes: [] }, planFixture('moto-drift-versioning-and-tag.json')]) {
      const plan = buildReport({ mode: 'plan', env, awsOnly: false, generatedAt: EXAMPLE_TIME, results: [{ stack: `${env}-origin`, exitCode: recorded.resource_changes!.length ? 2 : 0, plan: recorded }] });
      const comment = renderPrComment({ plan, review });
      expect({ env, marks: comment.match(/⚠️/g) ?? [] }).toEqual({ env, marks: [] });
      expect(comment).toContain('nothing security-relevant removed or weakened');
    }
  });
});
