import Cloudflare from 'cloudflare';
import type { ResolvedEnvironment } from '../../envs/resolve';
import { type AwsClients, awsClients, httpApis, httpDomains, restApis, restDomains, securityGroupsInScope } from './aws';
import { dnsRecords } from './cloudflare';
import { apiFindings, type BypassContext, dnsFindings, domainFindings, securityGroupFindings } from './findings';
import type { BypassReport } from './report';

/** The token variable; its API token needs Zone DNS Read on the environment's zone. */
export const CLOUDFLARE_TOKEN_VARIABLE = 'CLOUDFLARE_API_TOKEN';

/** The clients a bypass check talks through; tests inject fakes or emulator-bound ones. */
export interface BypassClients {
  readonly aws: AwsClients;
  readonly cloudflare: Cloudflare;
}

/** A problem that stops the check before any finding: printed as one line, exit 1. */
export class BypassUnavailable extends Error {}

/**
 * Real clients from the environment: AWS in `aws.region` (on `$AWS_ENDPOINT_URL`, else
 * `aws.endpoint` when it names an emulator), Cloudflare with `$CLOUDFLARE_API_TOKEN`
 * (on `$CLOUDFLARE_BASE_URL` when set, the SDK's own variable).
 */
export function clientsFor(env: ResolvedEnvironment, vars: NodeJS.ProcessEnv = process.env): BypassClients {
  const token = vars[CLOUDFLARE_TOKEN_VARIABLE];
  if (!token) throw new BypassUnavailable(`${CLOUDFLARE_TOKEN_VARIABLE} is not set; the bypass check needs a Cloudflare API token with Zone DNS Read on zone ${env.config.cloudflare.zoneId}`);
  const endpoint = vars.AWS_ENDPOINT_URL || env.config.aws.endpoint;
  return {
    aws: awsClients(env.config.aws.region, endpoint),
    cloudflare: new Cloudflare({ apiToken: token, baseURL: vars.CLOUDFLARE_BASE_URL || undefined, maxRetries: 1, timeout: 30_000 }),
  };
}

export function contextFor(env: ResolvedEnvironment): BypassContext {
  const c = env.config;
  const keyless = c.keyless.enabled ? c.keyless : undefined;
  return {
    environment: c.name,
    region: c.aws.region,
    vpcCidr: keyless?.vpc.cidr,
    declaredHostnames: [...c.hostnames.map((h) => h.name), ...(keyless?.originHost ? [keyless.originHost.hostname] : [])],
  };
}

/** Collects every live input, then judges it. Collector errors propagate (exit 1). */
export async function checkBypass(env: ResolvedEnvironment, clients: BypassClients): Promise<BypassReport> {
  const ctx = contextFor(env);
  const keyless = env.config.keyless.enabled ? env.config.keyless : undefined;
  const [records, rest, http, restDoms, httpDoms, groups] = await Promise.all([
    dnsRecords(clients.cloudflare, env.config.cloudflare.zoneId),
    restApis(clients.aws.apiGateway),
    httpApis(clients.aws.apiGatewayV2),
    restDomains(clients.aws.apiGateway),
    httpDomains(clients.aws.apiGatewayV2),
    securityGroupsInScope(clients.aws.ec2, { vpcId: keyless?.vpc.existingVpcId, cidr: keyless?.vpc.cidr }),
  ]);
  const domains = [...restDoms, ...httpDoms];
  const regionalNames = domains.flatMap((d) => (d.regionalDomainName ? [d.regionalDomainName] : []));
  return {
    environment: env.config.name,
    findings: [...dnsFindings(records, ctx, regionalNames), ...apiFindings([...rest, ...http], ctx), ...domainFindings(domains, ctx), ...securityGroupFindings(groups.rules, groups.scopes)],
    inspected: { 'dns records': records.length, 'APIs': rest.length + http.length, 'custom domains': domains.length, 'security groups': groups.scopes.size },
  };
}
