import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { capabilitiesOf, type TargetCapabilities } from '../../envs/capabilities';
import { fieldLines, type FieldLine } from '../../envs/field-lines';
import type { ResolvedEnvironment } from '../../envs/resolve';
import type { Environment } from '../../envs/schema';
import { fromRoot } from '../../lib/paths';
import { parseStackName } from '../../lib/naming';
import type { Finding, PolicyStack } from './engine';
import { s3TlsOnly } from './rules/s3';
import { cloudflareAccessNonIdentity, cloudflareApiShieldBlock } from './rules/cloudflare';

/**
 * Where a policy finding points in the repository. Findings are about synthesized JSON,
 * which is not committed; what a person edits is the env file, so a finding points at
 * the line of the env-file value that caused it (a hostname, a key server, the emulator
 * endpoint), with the line numbers the YAML parser keeps. A finding no env-file value
 * caused (the construct builds it so in every environment) points at line 1 of its
 * environment's file and says why.
 */
export interface FindingOrigin {
  /** Repository-relative env file. */
  readonly uri: string;
  /** 1-based line. */
  readonly line: number;
  /** The env-file field at `line`, when a field caused the finding. */
  readonly field?: string;
  /** Why the finding sits on line 1: no env-file field caused it. */
  readonly reason?: string;
}

/** Rules a target without a capability fails: the target is the env file's `aws.endpoint`. */
const CAPABILITY_OF_RULE: Readonly<Record<string, keyof TargetCapabilities>> = { [s3TlsOnly.id]: 'tlsOnlyBucketPolicy' };

/** The section of a hostname entry a rule is about (`hostnames[i].<section>`), when the entry has it. */
const HOSTNAME_SECTION_OF_RULE: Readonly<Record<string, 'apiShield' | 'access'>> = { [cloudflareApiShieldBlock.id]: 'apiShield', [cloudflareAccessNonIdentity.id]: 'access' };

/**
 * Env-file values a resource carries as they are written, each with the field it comes
 * from, most specific first. Only values that name one thing (a hostname, an address, a
 * CIDR, a bucket): a region or an account id is in every resource and explains none.
 */
function identifyingValues(env: Environment, ruleId: string): [field: string, value: string][] {
  const out: [string, string][] = env.hostnames.map((h, i) => {
    const section = HOSTNAME_SECTION_OF_RULE[ruleId];
    return [section && h[section] !== undefined ? `hostnames[${i}].${section}` : `hostnames[${i}].name`, h.name];
  });
  const k = env.keyless;
  if (k.enabled) {
    k.keyServers.forEach((ks, i) => out.push([`keyless.keyServers[${i}]`, ks.privateIp]));
    if (k.originHost) out.push(['keyless.originHost', k.originHost.privateIp], ['keyless.originHost.hostname', k.originHost.hostname]);
    k.subnets.forEach((s, i) => out.push([`keyless.subnets[${i}]`, s.cidr]));
    if (k.egress.via === 'nat') out.push(['keyless.egress.publicSubnet', k.egress.publicSubnet.cidr]);
    out.push(['keyless.vpc.cidr', k.vpc.cidr]);
  }
  if (env.backend.type === 's3') out.push(['backend.bucket', env.backend.bucket]);
  return out;
}

/** Every string a finding's resource holds (its body, CDKTF metadata left out), and the name in a `missing:<type>:<name>` address. */
function valuesOf(finding: Finding, stack: PolicyStack | undefined): Set<string> {
  const values = new Set<string>();
  const missing = /^missing:[^:]+:(.+)$/.exec(finding.address);
  if (missing) values.add(missing[1]);
  const visit = (v: unknown): void => {
    if (typeof v === 'string') values.add(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') for (const [key, inner] of Object.entries(v)) if (key !== '//') visit(inner);
  };
  visit(stack?.get(finding.address)?.body);
  return values;
}

/** The env-file field that caused `finding` in `env`, if one did. */
export function originField(finding: Finding, stack: PolicyStack | undefined, env: Environment): string | undefined {
  const capability = CAPABILITY_OF_RULE[finding.ruleId];
  if (capability && !capabilitiesOf(env)[capability]) return 'aws.endpoint';
  const values = valuesOf(finding, stack);
  return identifyingValues(env, finding.ruleId).find(([, value]) => values.has(value))?.[0];
}

/**
 * The environments a stack is built from: its own for `<env>-<concern>`; for an account
 * stack (`aws-bootstrap-<account>`, `cloudflare-account-<id>`) every environment of that
 * account, in name order.
 */
function environmentsOf(stack: string, environments: readonly ResolvedEnvironment[]): ResolvedEnvironment[] {
  const own = parseStackName(stack)?.environment;
  const account = /^(aws-bootstrap|cloudflare-account)-(.+)$/.exec(stack);
  const members = environments.filter((e) =>
    own !== undefined ? e.config.name === own : account?.[1] === 'aws-bootstrap' ? e.config.aws.accountId === account[2] : e.config.cloudflare.accountId === account?.[2],
  );
  return [...members].sort((a, b) => a.config.name.localeCompare(b.config.name));
}

const NO_FIELD = 'no env-file value caused this finding: the construct the fix names builds it so; it is shown at line 1 of the env file its stack is built from';

/** A finding's origin for each finding of `stacks`, built from `environments` (their files are read once, for their lines). */
export function findingOrigins(stacks: readonly PolicyStack[], environments: readonly ResolvedEnvironment[], root: string = fromRoot()): (finding: Finding) => FindingOrigin {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const lines = new Map<ResolvedEnvironment, (field: string) => FieldLine | undefined>();
  const linesOf = (env: ResolvedEnvironment) => {
    if (!lines.has(env)) lines.set(env, fieldLines(readFileSync(resolve(env.file), 'utf8')));
    return lines.get(env)!;
  };
  const uriOf = (env: ResolvedEnvironment) => relative(root, resolve(env.file)).split(sep).join('/');
  return (finding) => {
    const stack = byName.get(finding.stack);
    const envs = environmentsOf(finding.stack, environments);
    for (const env of envs) {
      const field = originField(finding, stack, env.config);
      const at = field === undefined ? undefined : linesOf(env)(field);
      if (at) return { uri: uriOf(env), line: at.line, field: at.field };
    }
    if (envs.length === 0) return { uri: `envs/${parseStackName(finding.stack)?.environment ?? finding.stack}.yaml`, line: 1, reason: `${NO_FIELD} (no environment of this stack was checked)` };
    return { uri: uriOf(envs[0]), line: 1, reason: NO_FIELD };
  };
}
