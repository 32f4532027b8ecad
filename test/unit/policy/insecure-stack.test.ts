import { generateKeyPairSync } from 'node:crypto';
import { App, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ApiGatewayDomainName } from '@cdktf/provider-aws/lib/api-gateway-domain-name';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { Ruleset } from '@cdktf/provider-cloudflare/lib/ruleset';
import { ZeroTrustAccessPolicy } from '@cdktf/provider-cloudflare/lib/zero-trust-access-policy';
import { ZoneSetting } from '@cdktf/provider-cloudflare/lib/zone-setting';
import { PolicyStack } from '../../../tools/policy/engine';
import { checkPolicy, formatReport } from '../../../tools/policy/run';
import { devEnv } from './fixtures';
import { scratchDir } from '../../support/scratch';

/**
 * A deliberately insecure environment written with the real provider bindings, so the
 * rules see exactly the JSON shape CDKTF produces. Every rule must catch its mistake.
 */
function insecureStacks(): PolicyStack[] {
  const app = Testing.app({ outdir: scratchDir('cdktf-out-') }) as App;
  const origin = new TerraformStack(app, 'bad-origin');
  new AwsProvider(origin, 'aws', { region: 'eu-west-1' });
  new S3Bucket(origin, 'Truststore', { bucket: 'bad-truststore' });
  new ApiGatewayDomainName(origin, 'Domain', { domainName: 'api.dev.example.com', securityPolicy: 'TLS_1_0', regionalCertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/x', endpointConfiguration: { types: ['REGIONAL'] } });
  new ApiGatewayRestApi(origin, 'Api', { name: 'api' });

  const keyless = new TerraformStack(app, 'bad-keyless');
  new AwsProvider(keyless, 'aws', { region: 'eu-west-1' });
  const group = new SecurityGroup(keyless, 'KeyServerGroup', { ingress: [{ fromPort: 2407, toPort: 2407, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'] }] });
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  new Instance(keyless, 'KeyServer', {
    ami: 'ami-12345678',
    instanceType: 't3.micro',
    associatePublicIpAddress: true,
    vpcSecurityGroupIds: [group.id],
    userDataBase64: Buffer.from(`#cloud-config\nwrite_files:\n  - path: /etc/keyless/keys/edge.key\n    content: |\n${privateKey.replace(/^/gm, '      ')}`).toString('base64'),
  });
  new IamPolicy(keyless, 'KeyServerPolicy', { policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) });

  const edge = new TerraformStack(app, 'bad-edge');
  new CloudflareProvider(edge, 'cloudflare', {});
  new ZoneSetting(edge, 'Ssl', { zoneId: 'z', settingId: 'ssl', value: 'flexible' as unknown as Record<string, string> });
  new Ruleset(edge, 'Firewall', { zoneId: 'z', name: 'fw', kind: 'zone', phase: 'http_request_firewall_custom', rules: [{ action: 'log', expression: 'not cf.tls_client_auth.cert_verified' }] });
  new ZeroTrustAccessPolicy(edge, 'Policy', { accountId: 'a', name: 'open', decision: 'allow', include: [{ everyone: {} }] });

  // A custody stack that never uploads the origin-pull certificate.
  const pki = new TerraformStack(app, 'bad-pki');
  new CloudflareProvider(pki, 'cloudflare', {});

  return [origin, keyless, edge, pki].map((s) => new PolicyStack(s.node.id, JSON.parse(Testing.synth(s)), devEnv));
}

describe('a deliberately insecure environment', () => {
  const report = checkPolicy(insecureStacks(), { suppressionsFile: '/nonexistent/suppressions.yaml' });
  const open = report.findings.filter((f) => !f.suppressedBy);

  it('fails the policy', () => {
    expect(report.passed).toBe(false);
  });

  it.each([
    ['bad-origin', 'aws_s3_bucket.Truststore', 'S3-VERSIONING'],
    ['bad-origin', 'aws_s3_bucket.Truststore', 'S3-PUBLIC-ACCESS-BLOCK'],
    ['bad-origin', 'aws_s3_bucket.Truststore', 'S3-TLS-ONLY'],
    ['bad-origin', 'aws_api_gateway_domain_name.Domain', 'APIGW-DOMAIN-MTLS'],
    ['bad-origin', 'aws_api_gateway_domain_name.Domain', 'APIGW-DOMAIN-TLS12'],
    ['bad-origin', 'aws_api_gateway_rest_api.Api', 'APIGW-DEFAULT-ENDPOINT-DISABLED'],
    ['bad-keyless', 'aws_instance.KeyServer', 'EC2-IMDSV2'],
    ['bad-keyless', 'aws_instance.KeyServer', 'EC2-ENCRYPTED-VOLUMES'],
    ['bad-keyless', 'aws_instance.KeyServer', 'EC2-KEYSERVER-NO-PUBLIC-IP'],
    ['bad-keyless', 'aws_security_group.KeyServerGroup', 'SG-NO-WORLD-INGRESS'],
    ['bad-keyless', 'aws_iam_policy.KeyServerPolicy', 'IAM-NO-WILDCARDS'],
    ['bad-keyless', 'aws_instance.KeyServer', 'NO-SECRET-MATERIAL'],
    ['bad-edge', 'cloudflare_zone_setting.Ssl', 'CF-SSL-STRICT'],
    ['bad-edge', 'missing:cloudflare_zone_setting:min_tls_version', 'CF-SSL-STRICT'],
    ['bad-edge', 'missing:cloudflare_authenticated_origin_pulls_settings', 'CF-AOP-OWN-CERT'],
    ['bad-pki', 'missing:cloudflare_authenticated_origin_pulls_certificate', 'CF-AOP-OWN-CERT'],
    ['bad-edge', 'missing:cloudflare_ruleset:api.dev.example.com', 'CF-API-SHIELD-BLOCK'],
    ['bad-edge', 'cloudflare_zero_trust_access_policy.Policy', 'CF-ACCESS-NON-IDENTITY'],
  ])('%s %s breaks %s', (stack, address, ruleId) => {
    expect(open.filter((f) => f.stack === stack && f.address === address && f.ruleId === ruleId)).not.toHaveLength(0);
  });

  it('prints readable findings: stack, rule, resource, problem and fix, and never the secret itself', () => {
    const text = formatReport(report);
    expect(text).toMatch(/bad-keyless\s+NO-SECRET-MATERIAL\s+aws_instance\.KeyServer\n\s+problem: pem-private-key at resource\.aws_instance\.KeyServer\.user_data_base64\(base64\)/);
    expect(text).toMatch(/fix: {5}Launch hosts through PrivateHost \/ HardenedLaunchTemplate \(modules\/keyless\/private-host\.ts\), which require IMDSv2\./);
    expect(text).not.toMatch(/MII[A-Za-z0-9+/]{20}/);
    expect(text).toMatch(/^FAIL: 4 stacks, \d+ finding\(s\)/m);
  });
});
