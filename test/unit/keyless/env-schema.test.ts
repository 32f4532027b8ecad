import { rmSync } from 'node:fs';
import { loadEnvironment } from '../../../envs/load';
import { ConfigError } from '../../../lib/errors';
import { baseEnvironment, envDir, prodWithKeyless, TEST_SIGNING_KEY_FINGERPRINT, withField } from '../../support/env-files';
import { synthStacks } from '../../support/synth';

function problemsOf(doc: Record<string, unknown>): string[] {
  const dir = envDir({ local: doc });
  try {
    loadEnvironment('local', dir);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.field}: ${p.message}`);
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error('expected a ConfigError, got success');
}

describe('the keyless section of an environment file', () => {
  const base = baseEnvironment('local');

  it('is off when absent, off in prod until the package signing key is pinned, and on in local', () => {
    expect(loadEnvironment('dev').config.keyless).toEqual({ enabled: false });
    expect(loadEnvironment('staging').config.keyless.enabled).toBe(false);
    expect(loadEnvironment('prod').config.keyless.enabled).toBe(false);
    expect(loadEnvironment('local').config.keyless).toMatchObject({ enabled: true, port: 2407, bundleMethod: 'ubiquitous', keyName: 'keyless', instanceType: 't3.small' });
  });

  describe('the package signing key fingerprint', () => {
    const prodDir = (fingerprint?: string) => envDir({ prod: withField(prodWithKeyless(), 'keyless.packageSigningKeyFingerprint', fingerprint) });
    const problems = (dir: string) => {
      try {
        loadEnvironment('prod', dir);
      } catch (e) {
        return (e as ConfigError).problems.map((p) => `${p.field}: ${p.message}`);
      }
      return [];
    };

    it('is refused as the all-zero placeholder outside local, naming the field and what to do', () => {
      expect(problems(prodDir('0000000000000000000000000000000000000000'))).toEqual([
        expect.stringMatching(/^keyless\.packageSigningKeyFingerprint: is the all-zero placeholder; expected the fingerprint of https:\/\/pkg\.cloudflare\.com\/cloudflare-main\.gpg verified out of band/),
      ]);
    });

    it('is refused when missing', () => {
      expect(problems(prodDir(undefined))).toEqual([expect.stringMatching(/^keyless\.packageSigningKeyFingerprint: missing required field/)]);
    });

    it('is accepted when it looks like a real fingerprint, and the placeholder only in local', () => {
      expect(problems(prodDir(TEST_SIGNING_KEY_FINGERPRINT))).toEqual([]);
      expect(loadEnvironment('local').config.keyless).toMatchObject({ packageSigningKeyFingerprint: '0'.repeat(40) });
    });
  });

  // Each case: the broken section, the field its error names, and the words it must say.
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['a key server IP outside its subnet', withField(base, 'keyless.keyServers[0].privateIp', '10.40.2.20'), 'keyless.keyServers[0].privateIp', /"10.40.2.20" is outside subnet "private-a" \(10.40.1.0\/24\)/],
    ['the subnet network address', withField(base, 'keyless.keyServers[0].privateIp', '10.40.1.0'), 'keyless.keyServers[0].privateIp', /reserved by AWS in 10.40.1.0\/24; expected 10.40.1.4 to 10.40.1.254/],
    ['the VPC router address', withField(base, 'keyless.keyServers[0].privateIp', '10.40.1.1'), 'keyless.keyServers[0].privateIp', /reserved by AWS/],
    ['the broadcast address', withField(base, 'keyless.keyServers[0].privateIp', '10.40.1.255'), 'keyless.keyServers[0].privateIp', /reserved by AWS/],
    ['a duplicated private IP', withField(withField(base, 'keyless.keyServers[1].subnet', 'private-a'), 'keyless.keyServers[1].privateIp', '10.40.1.10'), 'keyless.keyServers[1].privateIp', /already used by keyServers\[0\]/],
    ['a malformed IP', withField(base, 'keyless.keyServers[0].privateIp', '10.40.1.300'), 'keyless.keyServers[0].privateIp', /expected an IPv4 address/],
    ['an empty key server list', withField(base, 'keyless.keyServers', []), 'keyless.keyServers', /at least one key server while keyless is enabled/],
    ['a key server in an unknown subnet', withField(base, 'keyless.keyServers[0].subnet', 'private-z'), 'keyless.keyServers[0].subnet', /not one of the private subnets; expected one of: private-a, private-b/],
    ['a key server in the NAT subnet', withField(base, 'keyless.keyServers[0].subnet', 'public-a'), 'keyless.keyServers[0].subnet', /not one of the private subnets/],
    ['one subnet only', withField(base, 'keyless.subnets', [base.keyless.subnets[0]]), 'keyless.subnets', /at least two private subnets/],
    ['two subnets in one zone', withField(base, 'keyless.subnets[1].availabilityZone', 'us-east-1a'), 'keyless.subnets', /expected at least two availability zones/],
    ['a subnet outside the VPC', withField(base, 'keyless.subnets[1].cidr', '10.41.2.0/24'), 'keyless.subnets[1].cidr', /outside the VPC CIDR "10.40.0.0\/16"/],
    ['overlapping subnets', withField(base, 'keyless.subnets[1].cidr', '10.40.1.128/25'), 'keyless.subnets[1].cidr', /overlaps subnet "private-a"/],
    ['a public VPC range', withField(base, 'keyless.vpc.cidr', '8.8.0.0/16'), 'keyless.vpc.cidr', /private \(RFC 1918: 10\/8, 172\.16\/12, 192\.168\/16\) or shared \(RFC 6598: 100\.64\.0\.0\/10\) block/],
    ['a CIDR with host bits', withField(base, 'keyless.vpc.cidr', '10.40.0.1/16'), 'keyless.vpc.cidr', /no host bits set/],
    ['a NAT gateway made in an adopted VPC', withField(base, 'keyless.vpc.existingVpcId', 'vpc-0123456789abcdef0'), 'keyless.egress.via', /needs a new VPC; with existingVpcId "vpc-0123456789abcdef0" use "existingNatGateway"/],
    ['both certificate forms', withField(base, 'keyless.certificate.file', 'edge.pem'), 'keyless.certificate', /exactly one of file .* or ssmParameter/],
    ['a certificate file that is not PEM', withField(base, 'keyless.certificate', { file: 'edge.key' }), 'keyless.certificate.file', /PEM file ending in .pem, .crt or .cer/],
    ['a fingerprint with spaces', withField(base, 'keyless.packageSigningKeyFingerprint', 'AAAA BBBB'), 'keyless.packageSigningKeyFingerprint', /40-character uppercase hexadecimal/],
    ['a bundle method typo', withField(base, 'keyless.bundleMethod', 'ubiquitus'), 'keyless.bundleMethod', /"ubiquitous", "optimal" or "force"/],
    ['a demo origin on a key server\'s IP', withField(base, 'keyless.originHost.privateIp', '10.40.1.10'), 'keyless.originHost.privateIp', /"10.40.1.10" is already used by keyServers\[0\]/],
    ['a demo origin outside its subnet', withField(base, 'keyless.originHost.privateIp', '10.40.2.20'), 'keyless.originHost.privateIp', /outside subnet "private-a"/],
    ['enabled without anything else', withField(base, 'keyless', { enabled: true }), 'keyless.vpc', /missing required field/],
  ];

  it.each(cases)('rejects %s, naming the field and what is accepted', (_what, doc, field, message) => {
    const problems = problemsOf(doc);
    const hit = problems.find((p) => p.startsWith(`${field}: `));
    expect({ problems, hit: hit !== undefined && message.test(hit) }).toEqual({ problems, hit: true });
  });

  it('accepts an existing VPC with an existing NAT gateway', () => {
    const doc = withField(withField(base, 'keyless.vpc.existingVpcId', 'vpc-0123456789abcdef0'), 'keyless.egress', { via: 'existingNatGateway', natGatewayId: 'nat-0123456789abcdef0' });
    const dir = envDir({ local: doc });
    try {
      expect(loadEnvironment('local', dir).config.keyless).toMatchObject({ vpc: { existingVpcId: 'vpc-0123456789abcdef0' }, egress: { via: 'existingNatGateway' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the demo origin hostname', () => {
  it('must be inside the zone, checked before any Terraform is written', () => {
    const dir = envDir({ local: withField(baseEnvironment('local'), 'keyless.originHost.hostname', 'www.example.net') });
    try {
      expect(() => synthStacks('local', dir)).toThrow(/local\.yaml: keyless\.originHost\.hostname: "www\.example\.net" is outside the zone "example\.test"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
