import Cloudflare from 'cloudflare';
import type { ResolvedEnvironment } from '../../envs/resolve';
import { synthesizeJson } from '../synth/synth-json';
import { ofType, readStates, type StateRead } from '../drift/state';
import { type AwsClients, awsClients, enabledRegions, httpApis, httpDomains, pemBlocks, publicAddresses, restApis, restDomains, securityGroupsInScope, truststoreCas } from './aws';
import { dnsRecords } from './cloudflare';
import { apiFindings, type BypassContext, dnsFindings, type DomainInput, domainFindings, type Finding, type GroupScope, type IngressRuleInput, securityGroupFindings } from './findings';
import type { BypassGap, BypassReport } from './report';

/** The token variable; its API token needs Zone DNS Read on the environment's zone. */
export const CLOUDFLARE_TOKEN_VARIABLE = 'CLOUDFLARE_API_TOKEN';

/** The clients a bypass check talks through; tests inject fakes or emulator-bound ones. */
export interface BypassClients {
  /** AWS clients of one region. */
  readonly aws: (region: string) => AwsClients;
  /** Undefined in an emulated environment without a Cloudflare API to talk to: a gap, not an error. */
  readonly cloudflare?: Cloudflare;
}

/** A problem that stops the check before any finding: printed as one line, exit 1. */
export class BypassUnavailable extends Error {}

const emulated = (env: ResolvedEnvironment) => env.capabilities.awsEmulator;

/**
 * Real clients from the environment: AWS (on `$AWS_ENDPOINT_URL`, else `aws.endpoint`
 * when it names an emulator), Cloudflare with `$CLOUDFLARE_API_TOKEN` (on
 * `$CLOUDFLARE_BASE_URL` when set, the SDK's own variable). An emulated environment
 * without a token has no Cloudflare to read: that part is a gap.
 */
export function clientsFor(env: ResolvedEnvironment, vars: NodeJS.ProcessEnv = process.env): BypassClients {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const token = vars[CLOUDFLARE_TOKEN_VARIABLE];
  if (!token && !emulated(env)) throw new BypassUnavailable(`${CLOUDFLARE_TOKEN_VARIABLE} is not set; the bypass check needs a Cloudflare API token with Zone DNS Read on zone ${env.config.cloudflare.zoneId}`);
  const endpoint = vars.AWS_ENDPOINT_URL || env.config.aws.endpoint;
  // Explicit credentials only for an emulator: the ones given, else moto's fake ones. Real runs use the SDK's chain.
  const credentials = !emulated(env) ? undefined : vars.AWS_ACCESS_KEY_ID && vars.AWS_SECRET_ACCESS_KEY ? { accessKeyId: vars.AWS_ACCESS_KEY_ID, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY } : { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const byRegion = new Map<string, AwsClients>();
  return {
    aws: (region) => byRegion.get(region) ?? byRegion.set(region, awsClients(region, endpoint, credentials)).get(region)!,
    cloudflare: token ? new Cloudflare({ apiToken: token, baseURL: vars.CLOUDFLARE_BASE_URL || undefined, maxRetries: 1, timeout: 30_000 }) : undefined,
  };
}

/** What the state says is ours: ids of APIs, domains, DNS records and groups, and the truststore object. */
export function identityFromState(states: StateRead): Pick<BypassContext, 'declaredIds' | 'truststore'> {
  const ids = new Set<string>();
  for (const type of ['aws_api_gateway_rest_api', 'aws_apigatewayv2_api', 'cloudflare_dns_record', 'aws_security_group']) for (const [, a] of ofType(states.values, type)) if (typeof a.id === 'string') ids.add(a.id);
  for (const type of ['aws_api_gateway_domain_name', 'aws_apigatewayv2_domain_name']) for (const [, a] of ofType(states.values, type)) if (typeof a.domain_name === 'string') ids.add(a.domain_name);
  const objects = ofType(states.values, 'aws_s3_object').map(([, a]) => a);
  // The truststore is the object a domain's mutual TLS names; in an emulator that drops it, the one object of the origin's bucket.
  const named = ofType(states.values, 'aws_api_gateway_domain_name').flatMap(([, a]) => (a.mutual_tls_authentication as Array<{ truststore_uri?: string }> | undefined) ?? []).map((m) => m.truststore_uri);
  const object = objects.find((o) => named.includes(`s3://${o.bucket}/${o.key}`)) ?? (objects.length === 1 ? objects[0] : undefined);
  return {
    declaredIds: ids,
    truststore: object ? { uri: `s3://${object.bucket}/${object.key}`, version: (object.version_id as string) || undefined, cas: pemBlocks(String(object.content ?? '')) } : undefined,
  };
}

export function contextFor(env: ResolvedEnvironment, states?: StateRead): BypassContext {
  const c = env.config;
  const keyless = c.keyless.enabled ? c.keyless : undefined;
  return {
    environment: c.name,
    region: c.aws.region,
    vpcCidr: keyless?.vpc.cidr,
    declaredHostnames: [...c.hostnames.map((h) => h.name), ...(keyless?.originHost ? [keyless.originHost.hostname] : [])],
    ...(states ? identityFromState(states) : {}),
  };
}

export interface BypassOptions {
  /** Regions to sweep besides the environment's own. @default every region enabled for the account */
  readonly regions?: readonly string[];
  /** The environment's state (what is ours). @default read from the stacks' backends */
  readonly states?: StateRead;
  /** Where local backend paths resolve. @default the repository root */
  readonly stateRoot?: string;
  /** Env files folder, for synthesizing the stacks whose backends hold the state. @default EDGE_ENVS_DIR or envs */
  readonly envsDir?: string;
}

/** The emulator gaps of the env file that explain a finding of a resource of ours. */
function gapFor(env: ResolvedEnvironment, f: Finding): string | undefined {
  if (!emulated(env) || !f.declared || f.kind !== 'domain-without-mtls') return undefined;
  return env.config.drift.knownEmulatorGaps.find((g) => g.resourceType === 'aws_api_gateway_domain_name' && g.attribute === 'mutual_tls_authentication')?.reason;
}

/** Collects every live input in every region swept, then judges it. Collector errors propagate (exit 1). */
export async function checkBypass(env: ResolvedEnvironment, clients: BypassClients, options: BypassOptions = {}): Promise<BypassReport> {
  const c = env.config;
  const states = options.states ?? (await readStates(synthesizeJson(c.name, options.envsDir).stacks, { stateRoot: options.stateRoot }));
  const ctxBase = contextFor(env, states);
  const keyless = c.keyless.enabled ? c.keyless : undefined;
  const home = clients.aws(c.aws.region);
  const regions = [...new Set([c.aws.region, ...(c.backend.type === 's3' ? [c.backend.region] : []), ...(options.regions ?? (await enabledRegions(home.ec2)))])].sort();

  const apis: Awaited<ReturnType<typeof restApis>> = [];
  const domains: DomainInput[] = [];
  const addresses: string[] = [];
  const scopes = new Map<string, GroupScope>();
  const rules: IngressRuleInput[] = [];
  for (const region of regions) {
    const aws = clients.aws(region);
    const [rest, http, restDoms, httpDoms, ips, groups] = await Promise.all([
      restApis(aws.apiGateway),
      httpApis(aws.apiGatewayV2),
      restDomains(aws.apiGateway),
      httpDomains(aws.apiGatewayV2),
      publicAddresses(aws.ec2),
      securityGroupsInScope(aws.ec2, region === c.aws.region ? { vpcId: keyless?.vpc.existingVpcId, cidr: keyless?.vpc.cidr } : {}),
    ]);
    apis.push(...rest.map((a) => ({ ...a, region })), ...http.map((a) => ({ ...a, region })));
    for (const d of [...restDoms, ...httpDoms]) {
      const foreign = d.truststoreUri && ctxBase.truststore && !(d.truststoreUri === ctxBase.truststore.uri && d.truststoreVersion === ctxBase.truststore.version);
      domains.push({ ...d, region, ...(foreign ? { truststoreCas: await truststoreCas(aws.s3, d.truststoreUri!, d.truststoreVersion) } : {}) });
    }
    addresses.push(...ips);
    for (const [id, scope] of groups.scopes) scopes.set(id, scope);
    rules.push(...groups.rules);
  }
  const ctx: BypassContext = { ...ctxBase, accountAddresses: addresses };
  const gaps: BypassGap[] = [];
  let records: Awaited<ReturnType<typeof dnsRecords>> = [];
  if (clients.cloudflare) records = await dnsRecords(clients.cloudflare, c.cloudflare.zoneId);
  else gaps.push({ what: `DNS records of zone ${c.cloudflare.zoneId}`, reason: `${c.name} runs on an emulator and has no Cloudflare API (set ${CLOUDFLARE_TOKEN_VARIABLE} and CLOUDFLARE_BASE_URL to read a fake one)` });
  const regionalNames = domains.flatMap((d) => (d.regionalDomainName ? [d.regionalDomainName] : []));
  const all = [...dnsFindings(records, ctx, regionalNames), ...apiFindings(apis, ctx), ...domainFindings(domains, ctx), ...securityGroupFindings(rules, scopes)];
  const findings: Finding[] = [];
  for (const f of all) {
    const reason = gapFor(env, f);
    if (reason) gaps.push({ what: `${f.kind}: ${f.resource}`, reason: `known emulator gap: ${reason}` });
    else findings.push(f);
  }
  return {
    environment: c.name,
    findings,
    gaps,
    inspected: { regions: regions.length, 'dns records': records.length, APIs: apis.length, 'custom domains': domains.length, 'security groups': scopes.size, 'public addresses': addresses.length },
  };
}
