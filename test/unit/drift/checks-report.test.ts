import { renderDriftIssue } from '../../../tools/drift/notify';
import { bypassSection, edgeSection, errorSection, liveSection } from '../../../tools/drift/sections';
import { buildReport, renderMarkdown, withChecks } from '../../../tools/plan/plan-report';

const clean = buildReport({ mode: 'drift', env: 'dev', awsOnly: false, results: [], generatedAt: new Date('2026-01-01T00:00:00Z') });

describe('live checks and bypass in the drift report and the one issue per environment', () => {
  const live = liveSection({
    findings: [{ check: 'secret-current-version', resource: 'dev-pki/aws_secretsmanager_secret_version.Token (dev/keyless/tunnel-token)', attribute: 'AWSCURRENT version', expected: 'v1', actual: 'v2', fix: 'terraform apply -replace=...' }],
    checked: { 'instance-security-groups': 2, 'instance-user-data': 2, 'secret-current-version': 1, 'operator-secret-versions': 2, 'api-stages-deployments': 1 },
    notes: [],
  });
  const edge = edgeSection({ environment: 'dev', findings: [{ resource: 'dev-edge/cloudflare_authenticated_origin_pulls.H', zone: 'z1', hostname: 'api.example.com', field: 'config[0].enabled', expected: true, actual: false, fix: 'terraform apply -replace=...' }], checked: ['x'], notes: [] });
  const bypass = bypassSection({ bypass: [{ kind: 'security-group-internet', resource: 'sg-1 ingress tcp 22-22 from 0.0.0.0/1 + 128.0.0.0/1', why: 'open', fix: 'revoke the rule' }], gaps: [], inspected: { regions: 17 } });

  it('a finding of any check makes the report drift (exit 2); a check that could not run makes it an error (exit 1)', () => {
    expect(withChecks(clean, [liveSection({ findings: [], checked: { 'instance-security-groups': 0, 'instance-user-data': 0, 'secret-current-version': 0, 'operator-secret-versions': 0, 'api-stages-deployments': 0 }, notes: [] })]).exitCode).toBe(0);
    expect(withChecks(clean, [live]).exitCode).toBe(2);
    expect(withChecks(clean, [edge]).exitCode).toBe(2);
    expect(withChecks(clean, [bypass]).exitCode).toBe(2);
    expect(withChecks(clean, [live, errorSection('edge-audit', new Error('token missing'))]).exitCode).toBe(1);
    // A gap is listed, not counted.
    expect(withChecks(clean, [edgeSection({ environment: 'local', findings: [], checked: [], notes: [], gap: 'no Cloudflare' })]).exitCode).toBe(0);
  });

  it('the issue lists each finding with the resource, what differs and what to do', () => {
    const report = withChecks(clean, [live, edge, bypass]);
    const body = renderDriftIssue(report);
    expect(body).toContain('live checks found 1 live-aws, 1 edge-audit, 1 bypass');
    for (const text of ['dev/keyless/tunnel-token', 'AWSCURRENT version', 'zone z1 hostname api.example.com', '`config[0].enabled`', '0.0.0.0/1 + 128.0.0.0/1', 'revoke the rule']) expect(body).toContain(text);
    expect(renderMarkdown(report)).toContain('DRIFT DETECTED');
  });
});
