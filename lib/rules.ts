import { cidrContains, parseCidr } from './cidr';
import { isInZone } from './hostnames';

/**
 * Rules that both the env schema and a module's constructor enforce. Each rule is one
 * function returning the problem (quoting the bad value) or undefined: the schema turns
 * it into a problem on the env-file field, the construct into an Error naming itself,
 * and the two can no longer say different things about the same mistake.
 */

/** A protected name must be the zone apex or below it (`api.notexample.com` is not in `example.com`). */
export function outsideZoneProblem(host: string, zone: string): string | undefined {
  return isInZone(host, zone) ? undefined : `"${host}" is outside the zone "${zone}"; expected the zone apex or a name ending in ".${zone}"`;
}

/** A hostname may only raise the zone's minimum TLS version. */
export function tlsBelowZoneProblem(hostMinimum: string, zoneMinimum: string): string | undefined {
  return hostMinimum < zoneMinimum ? `"${hostMinimum}" is below the zone's minimum TLS version "${zoneMinimum}"; a hostname may only raise it` : undefined;
}

/** The first value that appears twice in a list, with the index of its first appearance. */
export function firstDuplicate<T>(values: readonly T[]): { value: T; first: number; index: number } | undefined {
  const seen = new Map<T, number>();
  for (const [index, value] of values.entries()) {
    const first = seen.get(value);
    if (first !== undefined) return { value, first, index };
    seen.set(value, index);
  }
  return undefined;
}

/** An Access policy admits by certificate: any certificate of the CA, or listed common names; never neither, never both. */
export function accessCertificatePolicyProblem(policy: { readonly anyValidCertificate?: boolean; readonly commonNames?: readonly string[] }): string | undefined {
  if (policy.commonNames !== undefined && policy.commonNames.length === 0) {
    return 'an empty commonNames list would admit nobody; list names, or set anyValidCertificate: true to admit any certificate from the CA';
  }
  if (policy.anyValidCertificate && policy.commonNames !== undefined) {
    return 'choose one: anyValidCertificate: true admits every certificate from the CA, which makes a commonNames list meaningless';
  }
  if (!policy.anyValidCertificate && policy.commonNames === undefined) {
    return 'no certificate policy: set anyValidCertificate: true or list commonNames (service tokens alone are only an alternative for clients without a certificate)';
  }
  return undefined;
}

/** Expiry alerts need somewhere to go. */
export function alertDestinationProblem(alerts: { readonly email?: string; readonly webhook?: unknown }): string | undefined {
  return alerts.email === undefined && alerts.webhook === undefined ? 'expected an email, a webhook or both; alerts with no destination warn nobody' : undefined;
}

/** Query parameter names that carry a credential (`?token=`, `?api_key=`, `?sig=`...). */
const CREDENTIAL_PARAMETER = /token|key|secret|sig|signature|pass|pwd|auth|credential|jwt|session|code/i;

/**
 * A credential inside a webhook URL (`user:password@`, or a token in the query) ends up
 * in the synthesized JSON, the Terraform state, plans and reports. The message never
 * quotes the credential itself.
 */
export function webhookCredentialProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // the URL format check reports it
  }
  const fix = 'it would be written into the synthesized JSON, the Terraform state and every plan; use a URL without credentials and have the receiver check the cf-webhook-auth secret Cloudflare sends';
  if (parsed.username !== '' || parsed.password !== '') return `the URL carries a user name or password before "@"; ${fix}`;
  const names = [...parsed.searchParams.keys()].filter((k) => CREDENTIAL_PARAMETER.test(k));
  if (names.length > 0) return `the URL carries a credential in its query (${names.map((n) => JSON.stringify(n)).join(', ')}); ${fix}`;
  return undefined;
}

/** A certificate that outlives its issuer stops validating when the issuer expires. */
export function outlivesIssuerProblem(days: number, issuerDays: number, issuer: string): string | undefined {
  return days > issuerDays ? `${days} days outlives the ${issuer} (${issuerDays} days); expected at most the ${issuer}'s validity` : undefined;
}

/** A subnet's block must lie inside its VPC's. */
export function subnetOutsideVpcProblem(subnetCidr: string, vpcCidr: string): string | undefined {
  const subnet = parseCidr(subnetCidr);
  const vpc = parseCidr(vpcCidr);
  if (!subnet || !vpc) return `"${!subnet ? subnetCidr : vpcCidr}" is not an IPv4 CIDR block`;
  return cidrContains(vpc, subnet) ? undefined : `"${subnetCidr}" is outside the VPC CIDR "${vpcCidr}"; expected a block inside it`;
}

/** Key servers survive the loss of one availability zone only if their subnets span two. */
export function availabilityZonesProblem(zones: readonly string[]): string | undefined {
  return new Set(zones).size < 2 ? `the subnets span only ${[...new Set(zones)].join(', ') || 'no zone'}; expected at least two availability zones` : undefined;
}

/** A NAT gateway made here needs an internet gateway, so it cannot go into an adopted VPC. */
export function natInAdoptedVpcProblem(egress: 'nat' | 'existingNatGateway', existingVpcId: string | undefined): string | undefined {
  return egress === 'nat' && existingVpcId !== undefined
    ? `egress "nat" creates an internet gateway and needs a new VPC; with existingVpcId "${existingVpcId}" use "existingNatGateway"`
    : undefined;
}
