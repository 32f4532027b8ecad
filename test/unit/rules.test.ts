import { App, TerraformStack } from 'cdktf';
import { loadEnvironment } from '../../envs/load';
import { ConfigError } from '../../lib/errors';
import { outsideZoneProblem } from '../../lib/rules';
import { CertificateExpiryAlerts } from '../../modules/edge/expiry-alerts';
import { ZoneBaseline } from '../../modules/edge/zone-baseline';
import { CertificateAuthority } from '../../modules/pki/certificate-authority';
import { PrivateNetwork } from '../../modules/keyless/network';
import { baseEnvironment, envDir, prodWithKeyless, withField } from '../support/env-files';

/**
 * A rule enforced by the env schema and by a construct is one function (lib/rules.ts):
 * the env file's problem and the construct's error say the same thing, word for word.
 */
function schemaMessage(doc: Record<string, unknown>, name = 'dev'): string {
  try {
    loadEnvironment(name, envDir({ [name]: doc }));
  } catch (e) {
    if (e instanceof ConfigError) return e.problems[0].message;
    throw e;
  }
  throw new Error('the env file was accepted');
}

function constructMessage(build: (stack: TerraformStack) => unknown): string {
  try {
    build(new TerraformStack(new App(), 'rules'));
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the construct was accepted');
}

const settings = (validityDays: number) => ({ keyAlgorithm: 'RSA_2048' as const, validityDays, earlyRenewalDays: 1, generation: 1 });

describe('rules shared by the env schema and the constructs', () => {
  it.each<[string, () => string, () => string]>([
    [
      'a hostname outside the zone',
      () => schemaMessage(withField(baseEnvironment('dev'), 'hostnames[0].name', 'api.example.net')),
      () => constructMessage((s) => new ZoneBaseline(s, 'Zone', { zoneId: 'z', zoneName: 'example.com', hostnames: [{ hostname: 'api.example.net', target: 't.example.com' }] })),
    ],
    [
      'alerts with nowhere to go',
      () => schemaMessage(withField(baseEnvironment('dev'), 'edge.alerts', {})),
      () => constructMessage((s) => new CertificateExpiryAlerts(s, 'Alerts', { accountId: 'a', name: 'n', watch: ['originPullCertificate'] })),
    ],
    [
      'an intermediate CA that outlives its root',
      () => schemaMessage(withField(baseEnvironment('dev'), 'pki', { mode: 'generated', rootCa: { validityDays: 365, earlyRenewalDays: 30 } })),
      () => constructMessage((s) => new CertificateAuthority(s, 'Ca', { organization: 'o', generation: 1, root: settings(365), intermediate: settings(1095) })),
    ],
    [
      'key server subnets in one availability zone',
      () => schemaMessage(withField(prodWithKeyless(), 'keyless.subnets[1].availabilityZone', 'eu-west-1a'), 'prod'),
      () =>
        constructMessage((s) =>
          new PrivateNetwork(s, 'Net', {
            namePrefix: 'p',
            vpcCidr: '10.60.0.0/16',
            privateSubnets: [
              { name: 'a', availabilityZone: 'eu-west-1a', cidr: '10.60.1.0/24' },
              { name: 'b', availabilityZone: 'eu-west-1a', cidr: '10.60.2.0/24' },
            ],
            egress: { via: 'existingNatGateway', natGatewayId: 'nat-0123456789abcdef0' },
          }),
        ),
    ],
  ])('%s: the schema and the construct give the same reason', (_rule, fromSchema, fromConstruct) => {
    const reason = fromSchema();
    expect(reason.length).toBeGreaterThan(20);
    expect(fromConstruct()).toContain(reason);
  });

  it('quotes the bad value and says what is accepted', () => {
    expect(outsideZoneProblem('api.notexample.com', 'example.com')).toBe('"api.notexample.com" is outside the zone "example.com"; expected the zone apex or a name ending in ".example.com"');
    expect(outsideZoneProblem('example.com', 'example.com')).toBeUndefined();
  });
});
