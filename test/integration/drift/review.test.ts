import { spawnSync } from 'node:child_process';
import { buildReview, diffStack, renderReviewMarkdown, synthesizeRef } from '../../../tools/review/review';
import { fromRoot } from '../../../lib/paths';
import { describeIssuer, securitySettings } from '../../../tools/review/security-settings';
import { synthStacks } from '../../support/synth';

/** A stack with the shapes the other stacks will synthesize (written as CDKTF writes them). */
const edgeLike = {
  '//': { metadata: { version: '0.21.0', stackName: 'dev-edge' } },
  resource: {
    aws_api_gateway_domain_name: {
      Api: {
        '//': { metadata: { path: 'dev-origin/Api' } },
        domain_name: 'api.dev.example.com',
        security_policy: 'TLS_1_2',
        mutual_tls_authentication: { truststore_uri: 's3://b/truststore.pem', truststore_version: '${aws_s3_object.Truststore.version_id}' },
        endpoint_configuration: { types: ['REGIONAL'] },
      },
      Legacy: { domain_name: 'old.dev.example.com', security_policy: 'TLS_1_0' },
    },
    aws_api_gateway_rest_api: { Api: { name: 'api', disable_execute_api_endpoint: true } },
    aws_instance: { KeyServer: { metadata_options: { http_tokens: 'required' }, root_block_device: { encrypted: true } } },
    aws_security_group: { KeyServer: { egress: [{ protocol: 'tcp', from_port: 443, to_port: 443, cidr_blocks: ['0.0.0.0/0'] }] } },
    tls_self_signed_cert: { RootCa: { subject: [{ common_name: 'Example Origin Pull CA' }] } },
    tls_locally_signed_cert: { OriginPull: { ca_cert_pem: '${tls_self_signed_cert.RootCa.cert_pem}' } },
    cloudflare_authenticated_origin_pulls_certificate: { Aop: { certificate: '${tls_locally_signed_cert.OriginPull.cert_pem}', private_key: '${tls_private_key.OriginPull.private_key_pem}' } },
    cloudflare_ruleset: { Waf: { kind: 'zone', phase: 'http_request_firewall_custom', rules: [{ action: 'block', expression: 'not cf.tls_client_auth.cert_verified' }] } },
    cloudflare_zero_trust_access_policy: { Mtls: { decision: 'non_identity', include: [{ certificate: {} }] } },
    cloudflare_zone_setting: { MinTls: { setting_id: 'min_tls_version', value: '1.2' } },
    cloudflare_dns_record: { Api: { type: 'CNAME', name: 'api.dev.example.com', proxied: true }, Direct: { type: 'CNAME', name: 'direct.dev.example.com' } },
  },
};

describe('the security settings of a stack', () => {
  const settings = securitySettings(edgeLike);
  const find = (resource: string, setting: string) => settings.find((s) => s.resource === resource && s.setting === setting);

  it('pulls out mTLS with its truststore version, the TLS policy and the default endpoint', () => {
    expect(find('aws_api_gateway_domain_name.Api', 'mTLS')).toEqual({ resource: 'aws_api_gateway_domain_name.Api', constructPath: 'dev-origin/Api', setting: 'mTLS', value: 'on: truststore s3://b/truststore.pem' });
    expect(find('aws_api_gateway_domain_name.Api', 'truststore version')?.value).toBe('${aws_s3_object.Truststore.version_id}');
    expect(find('aws_api_gateway_rest_api.Api', 'default execute-api endpoint')?.value).toBe('disabled');
  });

  it('describes weak choices without judging them: mTLS off and TLS 1.0 on the legacy domain', () => {
    expect(find('aws_api_gateway_domain_name.Legacy', 'mTLS')).toMatchObject({ value: 'off' });
    expect(find('aws_api_gateway_domain_name.Legacy', 'TLS policy')).toMatchObject({ value: 'TLS_1_0' });
  });

  it('carries the construct path CDKTF recorded beside the address', () => {
    expect(find('aws_api_gateway_domain_name.Api', 'mTLS')?.constructPath).toBe('dev-origin/Api');
  });

  it('shows IMDSv2, encryption, a host without ingress, WAF expressions, Access policies and the AOP issuer', () => {
    expect(find('aws_instance.KeyServer', 'IMDS')?.value).toBe('IMDSv2 required');
    expect(find('aws_instance.KeyServer', 'root volume')?.value).toBe('encrypted');
    expect(find('aws_security_group.KeyServer', 'ingress')?.value).toBe('none (no inbound)');
    expect(find('cloudflare_ruleset.Waf', 'rule block')?.value).toBe('not cf.tls_client_auth.cert_verified');
    expect(find('cloudflare_zero_trust_access_policy.Mtls', 'include')?.value).toBe('[{"certificate":{}}]');
    expect(find('cloudflare_zone_setting.MinTls', 'zone setting min_tls_version')?.value).toBe('1.2');
    expect(find('cloudflare_authenticated_origin_pulls_certificate.Aop', 'origin pull client certificate')?.value).toBe(
      'issued by CN=Example Origin Pull CA (tls_self_signed_cert.RootCa)',
    );
  });

  it('counts resources and data sources by type', () => {
    const rows = buildReview(new Map([['dev-edge', edgeLike]])).stacks[0].inventory;
    expect(rows).toContainEqual({ type: 'aws_api_gateway_domain_name', count: 2 });
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(13);
  });

  it('shows whether each DNS record is proxied', () => {
    expect(find('cloudflare_dns_record.Api', 'CNAME api.dev.example.com')).toMatchObject({ value: 'proxied' });
    expect(find('cloudflare_dns_record.Direct', 'CNAME direct.dev.example.com')).toMatchObject({ value: 'not proxied' });
  });

  it('never shows a private key, and shows nothing for types it does not know', () => {
    expect(JSON.stringify(settings)).not.toContain('private_key');
    expect(settings.some((s) => s.resource.startsWith('tls_'))).toBe(false);
  });

  it('reads the issuer of a literal PEM with a real X.509 parser', () => {
    // A throwaway certificate from openssl (installed by .ci/run); its key goes to /dev/null.
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=Literal Test CA', '-days', '1'], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(describeIssuer(r.stdout, {})).toBe('issuer CN=Literal Test CA');
    expect(describeIssuer('-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----', {})).toBe('an unparseable PEM');
  });

  it('covers the truststore bucket of every environment', () => {
    const origins = [...synthStacks('dev,local')].filter(([name]) => name.endsWith('-origin'));
    expect(origins.map(([name]) => name)).toEqual(['dev-origin', 'local-origin']);
    for (const [name, json] of origins) {
      const s = securitySettings(json);
      expect({ name, versioning: s.find((x) => x.setting === 'versioning')?.value, public: s.find((x) => x.setting === 'public access')?.value }).toEqual({
        name,
        versioning: 'Enabled',
        public: 'all four blocks on',
      });
    }
  });
});

describe('the diff against a base', () => {
  const reordered = JSON.parse(JSON.stringify(edgeLike, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)));

  it('ignores key order and CDKTF metadata', () => {
    const noisy = structuredClone(reordered);
    noisy['//'].metadata.version = '9.9.9';
    noisy.resource.aws_api_gateway_domain_name.Api['//'].metadata.path = 'elsewhere';
    expect(diffStack(edgeLike, noisy)).toEqual({ status: 'unchanged', blocks: [] });
  });

  it('names added, removed and changed blocks and each changed attribute', () => {
    const head = structuredClone(edgeLike) as any;
    head.resource.aws_api_gateway_domain_name.Api.security_policy = 'TLS_1_0';
    delete head.resource.aws_instance;
    head.resource.aws_s3_bucket = { New: { bucket_prefix: 'x-' } };
    const diff = diffStack(edgeLike, head);
    expect(diff.status).toBe('changed');
    expect(diff.blocks).toEqual([
      { address: 'aws_api_gateway_domain_name.Api', constructPath: 'dev-origin/Api', status: 'changed', attributes: [{ path: 'security_policy', before: 'TLS_1_2', after: 'TLS_1_0' }] },
      { address: 'aws_instance.KeyServer', status: 'removed', attributes: [] },
      { address: 'aws_s3_bucket.New', status: 'added', attributes: [] },
    ]);
    const md = renderReviewMarkdown(buildReview(new Map([['dev-edge', head]]), { ref: 'main', stacks: new Map([['dev-edge', edgeLike]]) }));
    expect(md).toContain('| `aws_api_gateway_domain_name.Api`<br>dev-origin/Api | changed | `security_policy` | `"TLS_1_2"` | `"TLS_1_0"` |');
    expect(md).toContain('Against `main`: `dev-edge` changed.');
  });

  it('synthesizes a git ref in a temporary worktree and leaves no worktree behind', () => {
    // Only this process's worktrees: other checkouts of the repository share the list and
    // may be synthesizing a base of their own at the same moment.
    const ours = () =>
      spawnSync('git', ['worktree', 'list', '--porcelain'], { cwd: fromRoot(), encoding: 'utf8' })
        .stdout.split('\n')
        .filter((l) => l.startsWith('worktree ') && l.includes(`edge-review-base-${process.pid}-`));
    expect(ours()).toEqual([]);
    const base = synthesizeRef('HEAD', ['dev']);
    expect([...base.keys()]).toEqual([...synthStacks('dev').keys()]);
    expect(ours()).toEqual([]);
  });
});
