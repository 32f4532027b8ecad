import { APIGatewayClient, GetDomainNamesCommand, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, GetApisCommand, GetDomainNamesCommand as GetDomainNamesV2Command } from '@aws-sdk/client-apigatewayv2';
import { DescribeAddressesCommand, DescribeInstancesCommand, DescribeRegionsCommand, DescribeSecurityGroupsCommand, DescribeVpcsCommand, EC2Client, type Filter } from '@aws-sdk/client-ec2';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { HOST_ROLES } from '../../lib/naming';
import type { ApiInput, DomainInput, GroupScope, IngressRuleInput } from './findings';
import { forEachPage } from '../../lib/paging';

/**
 * Thin collectors: one AWS API each, paginated to the end, mapped to the typed inputs
 * of findings.ts. Clients are passed in, so tests point them at moto.
 */

export interface AwsClients {
  readonly apiGateway: APIGatewayClient;
  readonly apiGatewayV2: ApiGatewayV2Client;
  readonly ec2: EC2Client;
  readonly s3: S3Client;
}

/** Static credentials, for an emulator; real runs use the SDK's default chain. */
export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Clients for `region`, on `endpoint` when the environment names an emulator. */
export function awsClients(region: string, endpoint?: string, credentials?: StaticCredentials): AwsClients {
  const config = { region, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}), maxAttempts: 2 };
  return { apiGateway: new APIGatewayClient(config), apiGatewayV2: new ApiGatewayV2Client(config), ec2: new EC2Client(config), s3: new S3Client({ ...config, forcePathStyle: endpoint !== undefined }) };
}

export async function restApis(client: APIGatewayClient): Promise<ApiInput[]> {
  const out: ApiInput[] = [];
  await forEachPage('GetRestApis', (position) => client.send(new GetRestApisCommand({ position, limit: 500 })), (page) => page.position, (page) => {
    for (const a of page.items ?? []) out.push({ protocol: 'REST', id: a.id!, name: a.name ?? '', disableExecuteApiEndpoint: a.disableExecuteApiEndpoint });
  });
  return out;
}

export async function httpApis(client: ApiGatewayV2Client): Promise<ApiInput[]> {
  const out: ApiInput[] = [];
  await forEachPage('GetApis', (NextToken) => client.send(new GetApisCommand({ NextToken })), (page) => page.NextToken, (page) => {
    for (const a of page.Items ?? []) out.push({ protocol: 'HTTP', id: a.ApiId!, name: a.Name ?? '', disableExecuteApiEndpoint: a.DisableExecuteApiEndpoint });
  });
  return out;
}

export async function restDomains(client: APIGatewayClient): Promise<DomainInput[]> {
  const out: DomainInput[] = [];
  await forEachPage('GetDomainNames', (position) => client.send(new GetDomainNamesCommand({ position, limit: 500 })), (page) => page.position, (page) => {
    for (const d of page.items ?? []) {
      out.push({ protocol: 'REST', domainName: d.domainName!, truststoreUri: d.mutualTlsAuthentication?.truststoreUri, truststoreVersion: d.mutualTlsAuthentication?.truststoreVersion, securityPolicy: d.securityPolicy, regionalDomainName: d.regionalDomainName });
    }
  });
  return out;
}

export async function httpDomains(client: ApiGatewayV2Client): Promise<DomainInput[]> {
  const out: DomainInput[] = [];
  await forEachPage('GetDomainNames (v2)', (NextToken) => client.send(new GetDomainNamesV2Command({ NextToken })), (page) => page.NextToken, (page) => {
    for (const d of page.Items ?? []) {
      const conf = d.DomainNameConfigurations?.[0];
      out.push({ protocol: 'HTTP', domainName: d.DomainName!, truststoreUri: d.MutualTlsAuthentication?.TruststoreUri, truststoreVersion: d.MutualTlsAuthentication?.TruststoreVersion, securityPolicy: conf?.SecurityPolicy, regionalDomainName: conf?.ApiGatewayDomainName });
    }
  });
  return out;
}

/** Where to look for security groups: the keyless VPC (by id or CIDR). */
export interface VpcSelector {
  readonly vpcId?: string;
  readonly cidr?: string;
}

/**
 * The groups in scope and every inbound rule of them: groups attached to running or
 * stopped instances tagged Role=keyless-key-server anywhere in the region, and every
 * group of the keyless VPC.
 */
export async function securityGroupsInScope(client: EC2Client, vpc: VpcSelector): Promise<{ scopes: Map<string, GroupScope>; rules: IngressRuleInput[] }> {
  const scopes = new Map<string, GroupScope>();
  const keyServers = (NextToken?: string) => client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Role', Values: [HOST_ROLES.keyServer] }], NextToken }));
  await forEachPage('DescribeInstances (key servers)', keyServers, (page) => page.NextToken, (page) => {
    for (const i of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      if (i.State?.Name === 'terminated') continue;
      for (const g of [...(i.SecurityGroups ?? []), ...(i.NetworkInterfaces ?? []).flatMap((n) => n.Groups ?? [])]) if (g.GroupId) scopes.set(g.GroupId, 'key-server');
    }
  });

  const vpcIds = new Set<string>(vpc.vpcId ? [vpc.vpcId] : []);
  if (!vpc.vpcId && vpc.cidr) {
    const found = await client.send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr-block-association.cidr-block', Values: [vpc.cidr] }] }));
    for (const v of found.Vpcs ?? []) if (v.VpcId) vpcIds.add(v.VpcId);
  }

  const rules: IngressRuleInput[] = [];
  const seen = new Set<string>();
  const describe = async (filters: Filter[] | undefined, ids: string[] | undefined, scope: GroupScope) => {
    const groups = (NextToken?: string) => client.send(new DescribeSecurityGroupsCommand({ Filters: filters, GroupIds: ids, NextToken }));
    await forEachPage('DescribeSecurityGroups', groups, (page) => page.NextToken, (page) => {
      for (const g of page.SecurityGroups ?? []) {
        if (!g.GroupId) continue;
        if (!scopes.has(g.GroupId)) scopes.set(g.GroupId, scope);
        if (seen.has(g.GroupId)) continue;
        seen.add(g.GroupId);
        for (const p of g.IpPermissions ?? []) {
          rules.push({
            groupId: g.GroupId,
            protocol: p.IpProtocol ?? '-1',
            fromPort: p.FromPort,
            toPort: p.ToPort,
            cidrIpv4: (p.IpRanges ?? []).flatMap((r) => (r.CidrIp ? [r.CidrIp] : [])),
            cidrIpv6: (p.Ipv6Ranges ?? []).flatMap((r) => (r.CidrIpv6 ? [r.CidrIpv6] : [])),
          });
        }
      }
    });
  };
  const keyServerGroups = [...scopes.keys()];
  if (keyServerGroups.length > 0) await describe(undefined, keyServerGroups, 'key-server');
  if (vpcIds.size > 0) await describe([{ Name: 'vpc-id', Values: [...vpcIds] }], undefined, 'keyless-vpc');
  return { scopes, rules };
}

/** The regions enabled for the account (opt-in regions the account has not enabled are left out). */
export async function enabledRegions(client: EC2Client): Promise<string[]> {
  const out = await client.send(new DescribeRegionsCommand({ AllRegions: false }));
  return (out.Regions ?? []).flatMap((r) => (r.RegionName ? [r.RegionName] : [])).sort();
}

/** Every public address of the account in the client's region: Elastic IPs, instances' public IPv4 and IPv6 addresses. */
export async function publicAddresses(client: EC2Client): Promise<string[]> {
  const out = new Set<string>();
  for (const a of (await client.send(new DescribeAddressesCommand({}))).Addresses ?? []) if (a.PublicIp) out.add(a.PublicIp);
  await forEachPage('DescribeInstances', (NextToken) => client.send(new DescribeInstancesCommand({ NextToken })), (page) => page.NextToken, (page) => {
    for (const i of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      if (i.State?.Name === 'terminated') continue;
      if (i.PublicIpAddress) out.add(i.PublicIpAddress);
      for (const n of i.NetworkInterfaces ?? []) {
        if (n.Association?.PublicIp) out.add(n.Association.PublicIp);
        for (const v6 of n.Ipv6Addresses ?? []) if (v6.Ipv6Address) out.add(v6.Ipv6Address);
      }
    }
  });
  return [...out];
}

/** The PEM certificate blocks of a text. */
export function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/** The CA certificates of the trust store `s3://bucket/key` (that version), or undefined when it cannot be read. */
export async function truststoreCas(client: S3Client, uri: string, version?: string): Promise<string[] | undefined> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) return undefined;
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: m[1], Key: m[2], ...(version ? { VersionId: version } : {}) }));
    return pemBlocks((await out.Body?.transformToString('utf8')) ?? '');
  } catch {
    return undefined;
  }
}
