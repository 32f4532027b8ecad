import { z } from 'zod';
import { cidrsOverlap, formatIpv4, ipInCidr, isAwsReserved, isNonPublicBlock, parseCidr, parseIpv4, type Ipv4Cidr } from '../../lib/cidr';
import { availabilityZonesProblem, natInAdoptedVpcProblem, subnetOutsideVpcProblem } from '../../lib/rules';
import { hostname, pemPath } from './common';

const NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const name = (what: string) =>
  z.string().regex(NAME, `expected a ${what} name of 2-32 lowercase letters, digits or hyphens, starting with a letter`);

const cidr = z
  .string()
  .refine((c) => parseCidr(c) !== undefined, 'expected an IPv4 CIDR block such as "10.40.0.0/16" with no host bits set')
  .refine((c) => {
    const p = parseCidr(c);
    return p === undefined || (isNonPublicBlock(p) && p.prefix >= 16 && p.prefix <= 28);
  }, 'expected a private (RFC 1918: 10/8, 172.16/12, 192.168/16) or shared (RFC 6598: 100.64.0.0/10) block between /16 and /28, as AWS allows for VPCs and subnets');

const ipv4 = z.string().refine((ip) => parseIpv4(ip) !== undefined, 'expected an IPv4 address such as "10.40.1.10"');

/** Where the key servers live: a VPC made here, or an existing one adopted by id. */
const vpcSchema = z
  .object({
    /** The VPC's primary CIDR (of the new VPC, or of the existing one, to check subnets against). */
    cidr,
    /**
     * Adopt an existing VPC instead of creating one; the key server subnets are still created here.
     * @default none: a new VPC
     */
    existingVpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'expected a VPC id such as "vpc-0123456789abcdef0"').optional(),
  })
  .strict();

/** A private subnet for key servers, in one availability zone. */
const subnetSchema = z
  .object({
    name: name('subnet'),
    availabilityZone: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, 'expected an availability zone such as "eu-west-1a"'),
    cidr,
  })
  .strict();

/**
 * How the private subnets reach Cloudflare (tunnel, packages) and AWS APIs.
 * `nat`: a NAT gateway in a public subnet made here (needs a new VPC).
 * `existingNatGateway`: a route to a NAT gateway the existing VPC already has.
 */
const egressSchema = z.discriminatedUnion(
  'via',
  [
    z
      .object({
        via: z.literal('nat'),
        /** Public subnet for the NAT gateway, inside the VPC CIDR. */
        publicSubnet: subnetSchema,
      })
      .strict(),
    z
      .object({
        via: z.literal('existingNatGateway'),
        natGatewayId: z.string().regex(/^nat-[0-9a-f]{8,17}$/, 'expected a NAT gateway id such as "nat-0123456789abcdef0"'),
      })
      .strict(),
  ],
  { error: 'expected egress.via to be "nat" or "existingNatGateway"' },
);

/** One key server: a host with a fixed private IP that Cloudflare reaches through the tunnel. */
const keyServerSchema = z
  .object({
    name: name('key server'),
    /** Name of one of `keyless.subnets`. */
    subnet: name('subnet'),
    /** Fixed private address: the tunnel route and the keyless certificate's host both use it. */
    privateIp: ipv4,
    /**
     * The key server launch template version this host runs (docs/keyless.md, "Rolling
     * key servers"). A template or AMI edit makes a new version and replaces no host;
     * advance one host per apply. @default 1
     */
    launchTemplateVersion: z.number().int().min(1, 'expected a launch template version, 1 or more').default(1),
    /**
     * Keep the boot configuration (user-data) this host was launched with while another
     * host rolls to a changed one; lift it in the next apply. @default false
     */
    holdBootConfig: z.boolean().default(false),
  })
  .strict();

/** The optional demo origin (nginx), reached only through the tunnel. */
const originHostSchema = z
  .object({
    subnet: name('subnet'),
    privateIp: ipv4,
    /** Public name served through the tunnel; inside the zone. */
    hostname,
  })
  .strict();

/**
 * The edge certificate served with Keyless SSL: the leaf only (no chain).
 * `file`: a PEM file beside the env file, checked at synth time.
 * `ssmParameter`: an SSM String parameter holding the PEM, checked at plan time.
 */
const certificateSchema = z
  .object({
    file: pemPath.optional(),
    ssmParameter: z
      .string()
      .regex(/^\/[\w.\-/]{1,1010}$/, 'expected an SSM parameter name starting with "/", such as "/edge/prod/keyless-certificate"')
      .optional(),
  })
  .strict()
  .refine((c) => (c.file === undefined) !== (c.ssmParameter === undefined), 'expected exactly one of file (a PEM file path) or ssmParameter (an SSM parameter name)');

const enabledObject = z
  .object({
    enabled: z.literal(true),
    /** @default "keyless" */
    keyName: name('key file').default('keyless'),
    vpc: vpcSchema,
    /** Private subnets for the key servers, in at least two availability zones. */
    subnets: z.array(subnetSchema).min(2, 'expected at least two private subnets (in different availability zones)'),
    egress: egressSchema,
    keyServers: z.array(keyServerSchema).min(1, 'expected at least one key server while keyless is enabled'),
    /** @default "t3.small" */
    instanceType: z.string().regex(/^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$/, 'expected an EC2 instance type such as "t3.small"').default('t3.small'),
    /**
     * A pinned AMI id. @default Amazon Linux 2023 resolved by EC2 at launch from the
     * public SSM parameter (no data source, so offline plans work).
     */
    amiId: z.string().regex(/^ami-[0-9a-f]{8,17}$/, 'expected an AMI id such as "ami-0123456789abcdef0"').optional(),
    /** TCP port gokeyless listens on. @default 2407 */
    port: z.number().int().min(1).max(65535).default(2407),
    /** How Cloudflare builds the chain it serves in front of the leaf. @default "ubiquitous" */
    bundleMethod: z.enum(['ubiquitous', 'optimal', 'force'], { error: 'expected "ubiquitous", "optimal" or "force"' }).default('ubiquitous'),
    certificate: certificateSchema,
    /** A demo origin host running nginx, served only through the tunnel. @default none */
    originHost: originHostSchema.optional(),
    /**
     * Fingerprint of Cloudflare's package signing key (pkg.cloudflare.com), checked on the
     * host before the key is trusted: 40 hexadecimal characters.
     */
    packageSigningKeyFingerprint: z
      .string()
      .regex(/^[0-9A-F]{40}$/, 'expected the 40-character uppercase hexadecimal OpenPGP fingerprint (no spaces)'),
  })
  .strict();
const enabledSchema = enabledObject.superRefine((k, ctx) => checkAddressing(k, ctx));

/** Keyless SSL key servers. An Enterprise add-on, so off unless an environment turns it on. */
export const keylessSchema = z.discriminatedUnion('enabled', [z.object({ enabled: z.literal(false) }).strict(), enabledSchema], {
  error: 'expected keyless.enabled to be true or false',
});

type EnabledKeyless = z.infer<typeof enabledObject>;

/** Subnets inside the VPC, not overlapping, in two zones; key server IPs usable and unique. */
function checkAddressing(k: EnabledKeyless, ctx: z.RefinementCtx): void {
  const vpc = parseCidr(k.vpc.cidr);
  if (!vpc) return;
  const all: Array<{ s: z.infer<typeof subnetSchema>; path: PropertyKey[] }> = k.subnets.map((s, i) => ({ s, path: ['subnets', i] }));
  if (k.egress.via === 'nat') all.push({ s: k.egress.publicSubnet, path: ['egress', 'publicSubnet'] });
  const nat = natInAdoptedVpcProblem(k.egress.via, k.vpc.existingVpcId);
  if (nat) ctx.addIssue({ code: 'custom', path: ['egress', 'via'], message: nat });
  const parsed = new Map<string, Ipv4Cidr>();
  const names = new Map<string, number>();
  all.forEach(({ s, path }, i) => {
    const c = parseCidr(s.cidr);
    if (!c) return;
    const outside = subnetOutsideVpcProblem(s.cidr, k.vpc.cidr);
    if (outside) ctx.addIssue({ code: 'custom', path: [...path, 'cidr'], message: outside });
    all.slice(0, i).forEach((o) => {
      const oc = parseCidr(o.s.cidr);
      if (oc && cidrsOverlap(c, oc)) {
        ctx.addIssue({ code: 'custom', path: [...path, 'cidr'], message: `"${s.cidr}" overlaps subnet "${o.s.name}" (${o.s.cidr}); expected disjoint blocks` });
      }
    });
    if (names.has(s.name)) ctx.addIssue({ code: 'custom', path: [...path, 'name'], message: `subnet name "${s.name}" is used twice; expected unique names` });
    names.set(s.name, i);
    parsed.set(s.name, c);
  });
  const zones = availabilityZonesProblem(k.subnets.map((s) => s.availabilityZone));
  if (zones) ctx.addIssue({ code: 'custom', path: ['subnets'], message: zones });
  const privateSubnets = new Set(k.subnets.map((s) => s.name));
  const ips = new Map<string, string>();
  const serverNames = new Map<string, number>();
  k.keyServers.forEach((ks, i) => {
    const first = serverNames.get(ks.name);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['keyServers', i, 'name'], message: `"${ks.name}" is used by keyServers[${first}] too; expected unique names` });
    else serverNames.set(ks.name, i);
  });
  const hosts: Array<{ path: PropertyKey[]; label: string; subnet: string; privateIp: string }> = k.keyServers.map((ks, i) => ({ path: ['keyServers', i], label: `keyServers[${i}]`, ...ks }));
  if (k.originHost) hosts.push({ path: ['originHost'], label: 'originHost', ...k.originHost });
  hosts.forEach((ks) => {
    const path = ks.path;
    const subnet = parsed.get(ks.subnet);
    if (!subnet || !privateSubnets.has(ks.subnet)) {
      ctx.addIssue({ code: 'custom', path: [...path, 'subnet'], message: `"${ks.subnet}" is not one of the private subnets; expected one of: ${[...privateSubnets].join(', ')}` });
      return;
    }
    const ip = parseIpv4(ks.privateIp);
    if (ip === undefined) return;
    const subnetCidr = k.subnets.find((s) => s.name === ks.subnet)!.cidr;
    if (!ipInCidr(ip, subnet)) {
      ctx.addIssue({ code: 'custom', path: [...path, 'privateIp'], message: `"${ks.privateIp}" is outside subnet "${ks.subnet}" (${subnetCidr}); expected an address inside it` });
    } else if (isAwsReserved(ip, subnet)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'privateIp'],
        message: `"${ks.privateIp}" is reserved by AWS in ${subnetCidr}; expected ${formatIpv4(subnet.network + 4)} to ${formatIpv4(subnet.network + subnet.size - 2)}`,
      });
    }
    const dup = ips.get(ks.privateIp);
    if (dup !== undefined) ctx.addIssue({ code: 'custom', path: [...path, 'privateIp'], message: `"${ks.privateIp}" is already used by ${dup}; expected unique addresses` });
    else ips.set(ks.privateIp, ks.label);
  });
}

export type KeylessConfig = z.infer<typeof keylessSchema>;
export type EnabledKeylessConfig = Extract<KeylessConfig, { enabled: true }>;
