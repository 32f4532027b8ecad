import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APIGatewayClient, CreateDomainNameCommand, CreateRestApiCommand, DeleteDomainNameCommand, DeleteRestApiCommand, GetDomainNameCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, CreateApiCommand, CreateDomainNameCommand as CreateDomainNameV2Command, DeleteApiCommand } from '@aws-sdk/client-apigatewayv2';
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeVpcsCommand, EC2Client, RevokeSecurityGroupIngressCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { awsClients, httpApis, httpDomains, restApis, restDomains, securityGroupsInScope } from '../../tools/bypass/aws';
import { apiFindings, domainFindings, securityGroupFindings } from '../../tools/bypass/findings';
import { HOST_ROLES } from '../../lib/naming';
import { budgetFor } from '../support/budget';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { aRecord, cnameRecord, type FakeCloudflare, startFakeCloudflare } from '../support/fake-cloudflare';
import { type Moto, motoEnv, motoUnavailableReason, startMoto } from '../support/moto';
import { runToEnd } from '../support/processes';
import { scratchDir } from '../support/scratch';
import { fromRoot } from '../../lib/paths';
import { withoutHeartbeats } from '../support/heartbeat';

const unavailable = motoUnavailableReason();
if (unavailable) console.warn(`SKIPPED bypass detection against moto: ${unavailable}`);
const describeMoto = unavailable ? describe.skip : describe;

/** envs/local.yaml: region, zone and keyless VPC the checks read. */
const REGION = 'us-east-1';
const ZONE = '0123456789abcdef0123456789abcdef';
const VPC_CIDR = '10.40.0.0/16';
const ctx = { environment: 'local', region: REGION, vpcCidr: VPC_CIDR, declaredHostnames: ['api.example.test'] };
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';

/**
 * moto 5.2.1's REST CreateDomainName drops mutualTlsAuthentication (GetDomainName never
 * returns it), so a compliant REST custom domain cannot exist on the emulator; the HTTP
 * (v2) API keeps it and stands in for the compliant case. disableExecuteApiEndpoint is
 * implemented for both APIs.
 */
const REST_MTLS_GAP = 'moto 5.2.1 REST CreateDomainName drops mutualTlsAuthentication, so a compliant REST domain cannot be created on the emulator';

if (!unavailable) console.warn(`SKIPPED one sub-case of bypass detection: ${REST_MTLS_GAP}`);

describeMoto('bypass detection against moto (AWS) and the Cloudflare fake', () => {
  let moto: Moto;
  let ids: { rogueRest: string; rogueHttp: string; openGroup: string; keyGroup: string; vpcId: string };
  const clients = () => awsClients(REGION, moto.endpoint, { accessKeyId: 'testing', secretAccessKey: 'testing' });

  beforeAll(async () => {
    moto = await startMoto();
    const config = { region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    const ag = new APIGatewayClient(config);
    const v2 = new ApiGatewayV2Client(config);
    const ec2 = new EC2Client(config);
    const rogueRest = (await ag.send(new CreateRestApiCommand({ name: 'rogue-rest', endpointConfiguration: { types: ['REGIONAL'] } }))).id!;
    await ag.send(new CreateRestApiCommand({ name: 'local-mtls-demo', disableExecuteApiEndpoint: true, endpointConfiguration: { types: ['REGIONAL'] } }));
    await ag.send(new CreateDomainNameCommand({ domainName: 'shadow.example.test', regionalCertificateArn: CERT, endpointConfiguration: { types: ['REGIONAL'] }, securityPolicy: 'TLS_1_2' }));
    const rogueHttp = (await v2.send(new CreateApiCommand({ Name: 'rogue-http', ProtocolType: 'HTTP' }))).ApiId!;
    await v2.send(new CreateApiCommand({ Name: 'closed-http', ProtocolType: 'HTTP', DisableExecuteApiEndpoint: true }));
    await v2.send(new CreateDomainNameV2Command({ DomainName: 'good.example.test', DomainNameConfigurations: [{ CertificateArn: CERT, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }], MutualTlsAuthentication: { TruststoreUri: 's3://truststore/bundle.pem' } }));

    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: VPC_CIDR }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.40.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const openGroup = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'open', Description: 'open', VpcId: vpcId }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: openGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    const innerGroup = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'inner', Description: 'inner', VpcId: vpcId }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: innerGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 2407, ToPort: 2407, IpRanges: [{ CidrIp: VPC_CIDR }] }] }));
    // A key server outside the keyless VPC (the default VPC) still counts by its Role tag.
    const defaultVpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs![0].VpcId!;
    const keyGroup = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'keys', Description: 'keys', VpcId: defaultVpc }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: keyGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] }));
    await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, SecurityGroupIds: [keyGroup], TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Role', Value: HOST_ROLES.keyServer }] }] }));
    // An instance in the VPC subnet with the inner (compliant) group: no finding for it.
    await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, SubnetId: subnet, SecurityGroupIds: [innerGroup] }));
    ids = { rogueRest, rogueHttp, openGroup, keyGroup, vpcId };
  }, budgetFor('motoStart', 'test'));
  afterAll(() => moto?.stop());

  it('finds the REST and HTTP APIs whose execute-api endpoint is on, and not the ones that turned it off', async () => {
    const c = clients();
    const apis = [...(await restApis(c.apiGateway)), ...(await httpApis(c.apiGatewayV2))];
    expect(apis).toHaveLength(4);
    expect(apiFindings(apis, ctx).map((f) => [f.kind, f.resource])).toEqual([
      ['rest-api-execute-api', `REST API ${ids.rogueRest} (rogue-rest)`],
      ['http-api-execute-api', `HTTP API ${ids.rogueHttp} (rogue-http)`],
    ]);
  });

  it('finds the REST domain without mTLS; the HTTP domain with a trust store and TLS_1_2 is clean', async () => {
    const c = clients();
    const domains = [...(await restDomains(c.apiGateway)), ...(await httpDomains(c.apiGatewayV2))];
    expect(domains.map((d) => d.domainName).sort()).toEqual(['good.example.test', 'shadow.example.test']);
    expect(domains.find((d) => d.domainName === 'shadow.example.test')!.regionalDomainName).toMatch(/^d-[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com$/);
    expect(domainFindings(domains, ctx).map((f) => [f.kind, f.resource])).toEqual([['domain-without-mtls', 'REST custom domain shadow.example.test']]);
  });

  it(`pins the emulator gap: ${REST_MTLS_GAP} (when this fails, moto fixed it: add a compliant REST domain above)`, async () => {
    const ag = clients().apiGateway;
    await ag.send(new CreateDomainNameCommand({ domainName: 'gap.example.test', regionalCertificateArn: CERT, endpointConfiguration: { types: ['REGIONAL'] }, securityPolicy: 'TLS_1_2', mutualTlsAuthentication: { truststoreUri: 's3://truststore/bundle.pem' } }));
    try {
      expect((await ag.send(new GetDomainNameCommand({ domainName: 'gap.example.test' }))).mutualTlsAuthentication).toBeUndefined();
    } finally {
      await ag.send(new DeleteDomainNameCommand({ domainName: 'gap.example.test' }));
    }
  });
  it.skip(`a compliant REST custom domain (mTLS + TLS_1_2) produces no finding: SKIPPED, ${REST_MTLS_GAP}; the unit tests and the HTTP domain cover the rule`, () => undefined);

  it('finds internet ingress on the key server (IPv6) and in the keyless VPC, not the VPC-internal rule', async () => {
    const { scopes, rules } = await securityGroupsInScope(clients().ec2, { cidr: VPC_CIDR });
    expect(scopes.get(ids.keyGroup)).toBe('key-server');
    expect(scopes.get(ids.openGroup)).toBe('keyless-vpc');
    expect(securityGroupFindings(rules, scopes).map((f) => f.resource).sort()).toEqual([
      `${ids.keyGroup} ingress tcp 22-22 from ::/0`,
      `${ids.openGroup} ingress tcp 443-443 from 0.0.0.0/0`,
    ].sort());
  });

  describe('the CLI: npm run drift -- --env local --bypass', () => {
    let cloudflare: FakeCloudflare;
    afterEach(() => cloudflare?.stop());
    // No state of `local` (an empty state root): nothing counts as ours, no truststore is ours.
    const stateRoot = scratchDir('bypass-state-');
    // `local` pointed at this file's own moto (EDGE_ENVS_DIR), not at the running local environment.
    let envsDir: string | undefined;
    const drift = (vars: NodeJS.ProcessEnv, extra: string[] = []) =>
      runToEnd(process.execPath, [fromRoot('node_modules/tsx/dist/cli.mjs'), fromRoot('scripts/drift.ts'), '--env', 'local', '--bypass', '--regions', REGION, '--state-root', stateRoot, ...extra], {
        env: { ...process.env, ...motoEnv(REGION), AWS_ENDPOINT_URL: moto.endpoint, EDGE_ENVS_DIR: (envsDir ??= envDir({ local: withField(baseEnvironment('local'), 'aws.endpoint', moto.endpoint) })), ...vars },
        cwd: fromRoot('.'),
      });

    it('exits 2 and names every bypassing resource, in Markdown and in the JSON report', async () => {
      cloudflare = await startFakeCloudflare(ZONE, [
        cnameRecord('rec-cname', 'shadow.example.test', 'd-abc123.execute-api.us-east-1.amazonaws.com', false),
        aRecord('rec-a', 'keys.example.test', '10.40.1.10', false),
        cnameRecord('rec-ok', 'api.example.test', 'd-def456.execute-api.us-east-1.amazonaws.com', true),
      ]);
      const json = join(scratchDir('bypass-'), 'bypass.json');
      const r = await drift({ CLOUDFLARE_API_TOKEN: 'test-token', CLOUDFLARE_BASE_URL: cloudflare.baseURL }, ['--json', json]);
      expect({ code: r.code, stderr: withoutHeartbeats(r.stderr) }).toEqual({ code: 2, stderr: '' });
      for (const name of ['rec-cname', 'rec-a', ids.rogueRest, ids.rogueHttp, 'shadow.example.test', ids.openGroup, ids.keyGroup]) expect(r.stdout).toContain(name);
      expect(r.stdout).not.toContain('rec-ok');
      const report = JSON.parse(readFileSync(json, 'utf8'));
      expect(report.bypass.map((f: { kind: string }) => f.kind).sort()).toEqual(
        ['dns-unproxied-origin', 'dns-unproxied-origin', 'domain-without-mtls', 'http-api-execute-api', 'rest-api-execute-api', 'security-group-internet', 'security-group-internet'].sort(),
      );
    }, budgetFor('test'));

    it('without CLOUDFLARE_API_TOKEN an emulated environment lists the DNS records as a gap, not an error (a real one exits 1: unit test)', async () => {
      const json = join(scratchDir('bypass-'), 'bypass.json');
      const r = await drift({ CLOUDFLARE_API_TOKEN: '' }, ['--json', json]);
      expect({ code: r.code, stderr: withoutHeartbeats(r.stderr) }).toEqual({ code: 2, stderr: '' });
      expect(JSON.parse(readFileSync(json, 'utf8')).gaps.map((g: { what: string }) => g.what)).toEqual([`DNS records of zone ${ZONE}`]);
    }, budgetFor('test'));

    it('exits 0 once every bypass is closed', async () => {
      const c = clients();
      await c.apiGateway.send(new DeleteRestApiCommand({ restApiId: ids.rogueRest }));
      await c.apiGatewayV2.send(new DeleteApiCommand({ ApiId: ids.rogueHttp }));
      // The REST domain goes too: on moto it can never carry mTLS (the gap above).
      await c.apiGateway.send(new DeleteDomainNameCommand({ domainName: 'shadow.example.test' }));
      await c.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: ids.openGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
      await c.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: ids.keyGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] }));
      cloudflare = await startFakeCloudflare(ZONE, [cnameRecord('rec-ok', 'api.example.test', 'd-def456.execute-api.us-east-1.amazonaws.com', true)]);
      const r = await drift({ CLOUDFLARE_API_TOKEN: 'test-token', CLOUDFLARE_BASE_URL: cloudflare.baseURL });
      expect({ code: r.code, stderr: withoutHeartbeats(r.stderr) }).toEqual({ code: 0, stderr: '' });
      expect(r.stdout).toContain('No resource reaches the origin around mTLS');
    }, budgetFor('test'));
  });
});
