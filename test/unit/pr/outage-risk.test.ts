import { confirmation, keyServersAtOnce, outageRisks } from '../../../tools/plan/outage-risk';
import { buildReport, renderMarkdown, type TerraformPlanJson } from '../../../tools/plan/plan-report';
import { renderPrComment } from '../../../tools/pr/pr-comment';
import { EXAMPLE_TIME, exampleRemovalPlan, planFixture } from '../../support/report-examples';

/** Two key servers replaced because their launch template version moved (the shape Terraform records). */
const bothKeyServers: TerraformPlanJson = {
  terraform_version: '1.11.4',
  resource_changes: ['key-a', 'key-b'].map((name) => ({
    address: `aws_instance.KeyServer-${name}_Instance_0000000${name === 'key-a' ? 'A' : 'B'}`,
    type: 'aws_instance',
    mode: 'managed' as const,
    change: {
      actions: ['delete', 'create'],
      before: { launch_template: [{ version: '1' }], tags: { Name: `prod-keyless-${name}` } },
      after: { launch_template: [{ version: '2' }], tags: { Name: `prod-keyless-${name}` } },
      after_unknown: {},
      replace_paths: [['launch_template', 0, 'version']],
    },
  })),
};

const report = (stack: string, plan: TerraformPlanJson, constructPaths: Record<string, string> = {}) =>
  buildReport({ mode: 'plan', env: 'dev', awsOnly: false, generatedAt: EXAMPLE_TIME, results: [{ stack, exitCode: 2, plan, constructPaths }] });

describe('outage risk marks, rendered from recorded plans', () => {
  it('a replaced API domain says why and which hostname (replace-delete-sensitive.json); a secret update or a rule deletion is no outage risk', () => {
    const r = report('dev-origin', planFixture('replace-delete-sensitive.json'), { 'aws_api_gateway_domain_name.Api': 'dev-origin/Domain-api.example.test/Domain' });
    expect(outageRisks(r).map((x) => `${x.address}: ${x.what}, ${x.why}; serves ${x.serves}`)).toEqual([
      'aws_api_gateway_domain_name.Api: API custom domain, replaced because `domain_name` changed; serves api.example.test',
    ]);
    const md = renderMarkdown(r);
    expect(md).toContain('**1 outage risk**: replacements and deletions of resources that serve traffic.');
    expect(md).toContain('- `dev-origin` `aws_api_gateway_domain_name.Api`: **outage risk**: API custom domain, replaced because `domain_name` changed; serves api.example.test');
    expect(md).toMatch(/\| \*\*outage risk\*\* `aws_api_gateway_domain_name\.Api`/);
    expect(md).not.toMatch(/\*\*outage risk\*\* `aws_(secretsmanager|security_group_rule)/);
  });

  it('a hostname removal recorded on moto marks only the removed hostname\'s serving resources, each naming it', () => {
    const plan = exampleRemovalPlan();
    const risks = outageRisks(plan);
    expect(risks.length).toBeGreaterThan(0);
    expect(new Set(risks.map((x) => x.serves))).toEqual(new Set(['api.example.test']));
    expect(risks.every((x) => x.action === 'delete' && x.why === 'deleted: no longer in the code')).toBe(true);
    expect(plan.stacks.flatMap((s) => s.changes).filter((c) => c.action === 'replace')).toEqual([]);
    const comment = renderPrComment({ plan });
    expect(comment.match(/\*\*outage risk\*\*: /g)!.length).toBe(risks.length); // the risk list, with why and the hostname
    expect(comment.match(/🛑 \*\*outage risk\*\* `/g)!.length).toBe(risks.length); // the attribute details
    expect(comment).toContain(`🛑 ${risks.length} **outage risks**`);
    expect(comment).not.toMatch(/partners\.example\.test|status\.example\.test/);
  });

  it('two key servers at once: both marked, and apply refuses the round', () => {
    const r = report('prod-keyless', bothKeyServers, {
      'aws_instance.KeyServer-key-a_Instance_0000000A': 'prod-keyless/KeyServer-key-a/Instance',
      'aws_instance.KeyServer-key-b_Instance_0000000B': 'prod-keyless/KeyServer-key-b/Instance',
    });
    expect(outageRisks(r).map((x) => `${x.what}: ${x.why}; ${x.serves}`)).toEqual([
      'key server: replaced because `launch_template[0]` changed; key server key-a',
      'key server: replaced because `launch_template[0]` changed; key server key-b',
    ]);
    expect(keyServersAtOnce(r)).toHaveLength(2);
    // Deleted hosts have no construct path: the address and the Name tag still tell them.
    const deleted = report('prod-keyless', { resource_changes: bothKeyServers.resource_changes!.map((c) => ({ ...c, change: { ...c.change, actions: ['delete'], after: null } })) });
    expect(outageRisks(deleted).map((x) => x.serves)).toEqual(['host prod-keyless-key-a', 'host prod-keyless-key-b']);
  });

  it('a zone-wide certificate names every hostname it serves', () => {
    const r = report('dev-edge', {
      resource_changes: [
        {
          address: 'cloudflare_authenticated_origin_pulls_hostname_certificate.OriginPulls_OriginPullHostnameCertificate_1',
          type: 'cloudflare_authenticated_origin_pulls_hostname_certificate',
          mode: 'managed',
          change: { actions: ['create', 'delete'], before: { certificate: 'old' }, after: { certificate: 'new' }, after_unknown: {}, replace_paths: [['certificate']] },
        },
      ],
    });
    expect(outageRisks(r).map((x) => `${x.what}, ${x.why}; ${x.serves}`)).toEqual(['AOP certificate, replaced because `certificate` changed; every hostname with per-hostname origin pulls']);
  });

  it('apply asks for "yes without outage risk, and for the count typed back with some', () => {
    const none = confirmation(report('dev-origin', { resource_changes: [] }));
    expect([none.accepts('yes'), none.accepts('0'), none.accepts('y')]).toEqual([true, false, false]);
    const two = confirmation(report('prod-keyless', bothKeyServers, { 'aws_instance.KeyServer-key-a_Instance_0000000A': 'prod-keyless/KeyServer-key-a/Instance' }));
    expect(two.question).toContain('These plans carry 2 outage risks');
    expect([two.accepts('2'), two.accepts(' 2\n'), two.accepts('yes'), two.accepts('1')]).toEqual([true, true, false, false]);
  });
});
