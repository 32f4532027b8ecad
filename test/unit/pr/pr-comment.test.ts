import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../../../lib/paths';
import { isPlanReportJson } from '../../../tools/cli';
import { buildReport, renderJson } from '../../../tools/plan/plan-report';
import { commentMarker, renderPrComment, renderPrCommentFromFiles, riskItems } from '../../../tools/pr/pr-comment';
import { buildReview } from '../../../tools/review/review';
import { isSecurityRelevant } from '../../../tools/review/security-relevance';
import { synthesizeJson } from '../../../tools/synth/synth-json';
import { expectDocsExample } from '../../support/docs-examples';
import { EXAMPLE_RUN, EXAMPLE_TIME, examplePlan, exampleRemovalPlan, exampleReview, planFixture } from '../../support/report-examples';

describe('the pull-request comment of an environment', () => {
  const plan = examplePlan();
  const review = exampleReview();
  const body = renderPrComment({ plan, review, artifactUrl: EXAMPLE_RUN });
  const lines = body.split('\n');

  it('starts with its marker and a verdict line', () => {
    expect(lines[0]).toBe(commentMarker('plan', 'dev'));
    expect(lines[1]).toBe('**Plan `dev`**: changes: 1 to create, 1 to update, 1 to replace, 1 to delete — 🛑 1 **outage risk** — ⚠️ 3 to review first');
  });

  it('orders by risk: outage risks, security-relevant replacements and deletions, then weakenings, then the rest', () => {
    expect(riskItems(plan, review).map((i) => `${i.tier} ${i.address} ${i.what}`)).toEqual([
      'outage-risk aws_api_gateway_domain_name.Api replace',
      'security-removal aws_security_group_rule.Legacy delete',
      expect.stringMatching(/^weakening cloudflare_ruleset\.\w+ API Shield protects less$/),
      'other aws_s3_object.Truststore create',
      'other aws_secretsmanager_secret_version.KeylessToken update',
    ]);
    const at = (text: string) => body.indexOf(text);
    expect(at('**Outage risk: replacements and deletions of resources that serve traffic** (1)')).toBeLessThan(at('**Replacements and deletions of security-relevant resources** (1)'));
    expect(at('**Replacements and deletions of security-relevant resources** (1)')).toBeLessThan(at('**Weakened against the base (found by the review)** (1)'));
    expect(at('**Weakened against the base (found by the review)** (1)')).toBeLessThan(at('**Other changes** (2)'));
    expect(at('**Other changes** (2)')).toBeLessThan(at('<details>'));
  });

  it('marks the security-relevant removals and the weakening, and nothing in "other changes"', () => {
    const section = (title: string) => body.slice(body.indexOf(title), body.indexOf('\n\n', body.indexOf('| --- |', body.indexOf(title))));
    expect(section('**Outage risk').match(/🛑/g)).toHaveLength(1);
    expect(section('**Replacements and deletions').match(/⚠️/g)).toHaveLength(1);
    expect(section('**Weakened against the base').match(/⚠️/g)).toHaveLength(1);
    expect(section('**Other changes**')).not.toContain('⚠️');
    expect(body).toContain(
      '| `dev-origin` | 🛑 `aws_api_gateway_domain_name.Api`<br><sub>dev-origin/Domain-api.example.test/Domain</sub> | replace | **outage risk**: API custom domain, replaced because `domain_name` changed; serves api.example.test |',
    );
    expect(body).toContain('| `dev-origin` | ⚠️ `aws_security_group_rule.Legacy` | delete | destroyed |');
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

  it('the example in the docs: a hostname removal recorded on moto, no replacement of the other hostnames', () => {
    const removal = renderPrComment({ plan: exampleRemovalPlan(), artifactUrl: EXAMPLE_RUN });
    expect(removal).not.toMatch(/\| replace \|/);
    expectDocsExample('pr-comment.md', removal);
    // Its input as `npm run plan -- --json` writes it, for the docs' command to read.
    expectDocsExample(EXAMPLE_PLAN_FILE, renderJson(exampleRemovalPlan()));
  });
});

/** The plan report the docs hand to `npm run pr-comment` (docs/examples/, written by the test above). */
const EXAMPLE_PLAN_FILE = 'plan-local-hostname-removal.json';

/** Every `npm run pr-comment -- ...` command line in the README and docs/, with the files it names. */
function documentedPrComments(): { doc: string; line: string; plan?: string; review?: string }[] {
  const docs = ['README.md', ...readdirSync(fromRoot('docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
  return docs.flatMap((doc) =>
    [...readFileSync(fromRoot(doc), 'utf8').matchAll(/npm run (?:--silent )?pr-comment -- ([^`\n|]*)/g)].map((m) => {
      const option = (name: string) => new RegExp(`--${name}[ =](\\S+)`).exec(m[1])?.[1];
      return { doc, line: m[0].trim(), plan: option('plan'), review: option('review') };
    }),
  );
}

describe('the pr-comment commands the docs show', () => {
  const commands = documentedPrComments();
  /** A file the docs name (relative to the repository root), or undefined for a placeholder such as <json> or FILE. */
  const concrete = (file: string | undefined) => (file && /^[\w./-]+\.json$/.test(file) ? file : undefined);
  const runnable = commands.filter((c) => concrete(c.plan));

  it('include one that runs on a committed file: the docs example', () => {
    expect(runnable.map((c) => c.plan)).toContain(`docs/examples/${EXAMPLE_PLAN_FILE}`);
  });

  it.each(runnable.map((c) => [`${c.doc}: ${c.line}`, c] as const))('%s: reads `npm run plan --json` output and renders the comment', (_, c) => {
    // The command's own reader: a file of another shape (Terraform's plan JSON, a review) fails here.
    const { plan, body } = renderPrCommentFromFiles({ plan: fromRoot(c.plan!), review: concrete(c.review) && fromRoot(c.review!) });
    expect(body.split('\n')[0]).toBe(commentMarker('plan', plan.env));
    if (c.plan === `docs/examples/${EXAMPLE_PLAN_FILE}`) expect(body).toBe(readFileSync(fromRoot('docs', 'examples', 'pr-comment.md'), 'utf8'));
  });

  it("refuses Terraform's own plan JSON, which is what the docs once pointed at, with one line naming --plan", () => {
    const terraformPlan = fromRoot('test', 'fixtures', 'plans', 'moto-hostname-removal.json');
    expect(() => renderPrCommentFromFiles({ plan: terraformPlan })).toThrow(/--plan: ".*moto-hostname-removal\.json": is JSON but not the JSON report of npm run plan -- --json/);
  });

  it('every file the docs give as --plan or --review exists and has the report\'s shape (placeholders aside)', () => {
    const named = commands.flatMap((c) => [c.plan, c.review]).filter((f): f is string => concrete(f) !== undefined);
    expect(named.filter((f) => !existsSync(fromRoot(f)))).toEqual([]);
    expect(named.filter((f) => !isPlanReportJson(JSON.parse(readFileSync(fromRoot(f), 'utf8'))) && !f.includes('review'))).toEqual([]);
  });
});

describe('a pull-request plan that leaves out the custody stack', () => {
  it('says which stack was not planned, why, and where its change is reviewed instead', () => {
    const report = buildReport({ mode: 'plan', env: 'dev', awsOnly: false, generatedAt: EXAMPLE_TIME, notPlanned: ['dev-pki'], results: [{ stack: 'dev-origin', exitCode: 0, plan: { resource_changes: [] } }] });
    expect(report.notPlanned).toEqual(['dev-pki']);
    const body = renderPrComment({ plan: report });
    expect(body).toContain('> **Not planned here: `dev-pki`** (custody: its state holds private keys, which this role cannot read). Review its change as the diff of the synthesized JSON below; it is planned, shown and approved in the deploy workflow before it is applied.');
    // A full plan (the deploy's) carries no such note.
    const full = buildReport({ mode: 'plan', env: 'dev', awsOnly: false, generatedAt: EXAMPLE_TIME, notPlanned: [], results: [{ stack: 'dev-pki', exitCode: 0, plan: { resource_changes: [] } }] });
    expect(full.notPlanned).toBeUndefined();
    expect(renderPrComment({ plan: full })).not.toContain('Not planned here');
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
