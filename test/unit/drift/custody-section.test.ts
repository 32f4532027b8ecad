import { buildReport } from '../../../tools/plan/plan-report';
import { custodySection, renderSections } from '../../../tools/drift/sections';

/**
 * The nightly drift job runs with a role that cannot read the custody stack's state; the
 * custody-drift job plans `<env>-pki` and its report joins the environment's one issue as
 * a section (drift-notify --custody).
 */
const changed = (address: string) => ({
  address,
  type: address.split('.')[0],
  name: address.split('.')[1],
  change: { actions: ['update'], before: { enabled: true }, after: { enabled: false }, before_sensitive: {}, after_sensitive: {}, after_unknown: {} },
});

describe('custody drift as a section of the environment drift report', () => {
  it('names every custody resource that changed outside Terraform, exit 2', () => {
    const report = buildReport({ mode: 'drift', env: 'dev', awsOnly: false, results: [{ stack: 'dev-pki', exitCode: 2, plan: { resource_changes: [changed('cloudflare_authenticated_origin_pulls_hostname_certificate.OriginPulls_Upload')] } }] });
    const section = custodySection(report);
    expect(section).toMatchObject({ check: 'custody-drift', exitCode: 2, inspected: 'dev-pki' });
    expect(section.findings).toEqual([expect.objectContaining({ resource: 'dev-pki/cloudflare_authenticated_origin_pulls_hostname_certificate.OriginPulls_Upload', what: 'update' })]);
    expect(renderSections([section]).join('\n')).toMatch(/### Custody stack drift: 1 finding/);
  });

  it('is clean when the custody stack has no changes, and an error (exit 1) when it could not be planned', () => {
    const clean = buildReport({ mode: 'drift', env: 'dev', awsOnly: false, results: [{ stack: 'dev-pki', exitCode: 0, plan: { resource_changes: [] } }] });
    expect(custodySection(clean)).toMatchObject({ exitCode: 0, findings: [] });
    const failed = buildReport({ mode: 'drift', env: 'dev', awsOnly: false, results: [{ stack: 'dev-pki', exitCode: 1, error: 'AccessDenied: kms:Decrypt\nmore' }] });
    expect(custodySection(failed)).toMatchObject({ exitCode: 1, error: 'dev-pki: AccessDenied: kms:Decrypt' });
  });

  it('renders what it quotes as text: a hostile address cannot open markup in the issue', () => {
    const report = buildReport({ mode: 'drift', env: 'dev', awsOnly: false, results: [{ stack: 'dev-pki', exitCode: 2, plan: { resource_changes: [changed('aws_ssm_parameter.x`</details>@org/team|y')] } }] });
    const text = renderSections([custodySection(report)]).join('\n');
    expect(text).not.toContain('</details>');
    expect(text).not.toMatch(/(^|[^\u200b])@org\/team/);
    expect(text).not.toMatch(/[^\\]\|y/);
  });
});

describe('state read for the live checks', () => {
  it('keeps data sources as data.<type>.<name>, so an id the custody stack published is found in the public stack', async () => {
    const { parseState } = await import('../../../tools/drift/state');
    const { resolveRef } = await import('../../../tools/drift/state-ref');
    const values = parseState(JSON.stringify({
      version: 4,
      resources: [
        { mode: 'data', type: 'aws_ssm_parameter', name: 'Custody-origin-pull-certificate-id', instances: [{ attributes: { insecure_value: 'aop-1' } }] },
        { mode: 'managed', type: 'cloudflare_dns_record', name: 'R', instances: [{ attributes: { id: 'r-1' } }] },
      ],
    }));
    expect(resolveRef('${data.aws_ssm_parameter.Custody-origin-pull-certificate-id.insecure_value}', values)).toBe('aop-1');
    expect(resolveRef('${cloudflare_dns_record.R.id}', values)).toBe('r-1');
    expect(resolveRef('${aws_ssm_parameter.Custody-origin-pull-certificate-id.insecure_value}', values)).toBeUndefined();
  });
});
