import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { loadEnvironment } from '../../../envs/load';
import { resolveEnvironment } from '../../../envs/resolve';
import { ConfigError } from '../../../lib/errors';
import { AccessMtls } from '../../../modules/edge/access-mtls';
import { AccessServiceTokens } from '../../../modules/edge/access-service-tokens';
import { ZoneFirewall } from '../../../modules/edge/zone-firewall';
import { ApiShieldMtls } from '../../../modules/edge/api-shield';
import { CertificateExpiryAlerts } from '../../../modules/edge/expiry-alerts';
import { OriginPullCertificate } from '../../../modules/edge/origin-pull-certificate';
import { AuthenticatedOriginPulls } from '../../../modules/edge/origin-pulls';
import { ZoneBaseline, type TlsVersion } from '../../../modules/edge/zone-baseline';
import { EdgeStack } from '../../../stacks/edge-stack';
import { generateTestPki, testCustodyStack, testOriginDomains, type TestPki } from '../../support/edge-fixtures';
import { opensslUnavailableReason } from '../../support/openssl';
import { describeUnless } from '../../support/skip';

const describeWithOpenssl = describeUnless(opensslUnavailableReason(), 'edge module invariant tests');

const ZONE = 'fedcba9876543210fedcba9876543210';
const ACCOUNT = '0123456789abcdef0123456789abcdef';

function scope(): { stack: TerraformStack; secretKey: string } {
  const stack = new TerraformStack(new App(), 'invariants');
  return { stack, secretKey: new TerraformVariable(stack, 'key', { type: 'string', sensitive: true }).stringValue };
}

describeWithOpenssl('edge modules refuse insecure or meaningless input at construction', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = generateTestPki();
  });

  describe('Authenticated Origin Pulls', () => {
    // The upload with its key (custody stack) checks the certificate; the switch (edge stack) takes the upload's id.
    const originPulls = (certificatePem: string, privateKeyPem?: string) => () => {
      const { stack, secretKey } = scope();
      new OriginPullCertificate(stack, 'OriginPulls', { zoneId: ZONE, clientCertificate: { certificatePem, privateKeyPem: privateKeyPem ?? secretKey } });
    };

    it('accepts our own client certificate with a sensitive key reference, in both scopes', () => {
      expect(originPulls(pki.originPullPem)).not.toThrow();
      const { stack, secretKey } = scope();
      const zone = new OriginPullCertificate(stack, 'Zone', { zoneId: ZONE, scope: 'zone', clientCertificate: { certificatePem: pki.originPullPem, privateKeyPem: secretKey } });
      expect(zone.scope).toBe('zone');
    });

    it('switches origin pulls on with the id of the upload, per hostname or zone-wide', () => {
      const { stack, secretKey } = scope();
      const upload = new OriginPullCertificate(stack, 'Upload', { zoneId: ZONE, clientCertificate: { certificatePem: pki.originPullPem, privateKeyPem: secretKey } });
      const perHostname = new AuthenticatedOriginPulls(stack, 'OriginPulls', { zoneId: ZONE, hostnames: ['a.example.com', 'b.example.com'], certificateId: upload.certificateId });
      expect([...perHostname.hostnameAssociations.keys()]).toEqual(['a.example.com', 'b.example.com']);
      expect(perHostname.settings).toBeUndefined();
      const zoneWide = new AuthenticatedOriginPulls(scope().stack, 'OriginPulls', { zoneId: ZONE, scope: 'zone', hostnames: [], certificateId: 'id' });
      expect(zoneWide.settings).toBeDefined();
      expect(zoneWide.hostnameAssociations.size).toBe(0);
    });

    it('refuses per-hostname origin pulls without hostnames, or with one listed twice', () => {
      const aop = (hostnames: string[]) => () => new AuthenticatedOriginPulls(scope().stack, 'OriginPulls', { zoneId: ZONE, hostnames, certificateId: 'id' });
      expect(aop([])).toThrow(/per-hostname origin pulls need at least one hostname, got none/);
      expect(aop(['a.example.com', 'a.example.com'])).toThrow(/hostname "a.example.com" is listed twice/);
    });

    it('refuses a literal private key, without repeating it in the message', () => {
      const literal = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIK0t5yKx8fZ8cGZ3m6Q0cB1r4pP0pU3r6Yt0m1Vt2Yx2\n-----END PRIVATE KEY-----\n';
      let message = '';
      try {
        originPulls(pki.originPullPem, literal)();
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/got a literal PEM private key; expected a reference to a sensitive value/);
      expect(message).not.toContain('MC4CAQAw');
    });

    it("refuses a certificate issued by Cloudflare's shared origin-pull CA", () => {
      expect(originPulls(pki.sharedCaLeafPem)).toThrow(/comes from Cloudflare's shared origin-pull CA, which every Cloudflare customer can present/);
    });

    it("refuses the shared origin-pull CA certificate itself", () => {
      expect(originPulls(pki.sharedCaPem)).toThrow(/shared origin-pull CA/);
    });

    it('refuses a CA certificate in place of the client certificate', () => {
      expect(originPulls(pki.caPem)).toThrow(/is a CA; expected the client \(leaf\) certificate first/);
    });

    it('refuses text that is not a certificate', () => {
      expect(originPulls('not a pem')).toThrow(/expected PEM text with at least one "-----BEGIN CERTIFICATE-----" block/);
      expect(originPulls('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow(/certificate 1 of the bundle is not a valid X.509 certificate/);
    });
  });

  describe('API Shield', () => {
    const apiShield = (clientCaPem: string, hosts = [{ hostname: 'api.example.com' }]) => () => {
      const { stack } = scope();
      const firewall = new ZoneFirewall(stack, 'Firewall', { zoneId: ZONE, name: 'test' });
      return new ApiShieldMtls(stack, 'ApiShield', { accountId: ACCOUNT, zoneId: ZONE, firewall, name: 'test', clientCaPem, hosts });
    };

    it('refuses to run without a CA, since nothing could verify', () => {
      expect(apiShield('')).toThrow(/the client CA is empty; expected the PEM of the CA that issues client certificates/);
    });

    it('refuses a leaf certificate as the client CA', () => {
      expect(apiShield(pki.notACaPem)).toThrow(/is not a CA \(basic constraints CA:TRUE is required\)/);
    });

    it("refuses Cloudflare's shared origin-pull CA as the client CA", () => {
      expect(apiShield(pki.sharedCaPem)).toThrow(/is refused as a client CA: its subject "origin-pull\.cloudflare\.net" is named like Cloudflare's shared origin-pull CA/);
    });

    it("refuses a publicly trusted root (copied from Node's store) as the client CA, and a bundle holding one", () => {
      const publicRoot = rootCertificates.find((pem) => new X509Certificate(pem).subject.includes('CN=ISRG Root X1'))!;
      expect(apiShield(publicRoot)).toThrow(/"C=US, O=Internet Security Research Group, CN=ISRG Root X1" is refused as a client CA: it is the publicly trusted root "ISRG Root X1"/);
      expect(apiShield(`${pki.caPem}\n${publicRoot}`)).toThrow(/ISRG Root X1" is refused as a client CA/);
    });

    it('refuses an empty host list and a host listed twice', () => {
      expect(apiShield(pki.caPem, [])).toThrow(/at least one host/);
      expect(apiShield(pki.caPem, [{ hostname: 'a.example.com' }, { hostname: 'a.example.com' }])).toThrow(/"a.example.com" is listed twice/);
    });
  });

  describe('Access', () => {
    const access = (hosts: ConstructorParameters<typeof AccessMtls>[2]['hosts']) => () =>
      new AccessMtls(scope().stack, 'Access', { accountId: ACCOUNT, name: 'test', clientCaPem: pki.caPem, hosts });

    it("refuses a publicly trusted root as the Access client CA", () => {
      const publicRoot = rootCertificates.find((pem) => new X509Certificate(pem).subject.includes('CN=ISRG Root X1'))!;
      const build = () => new AccessMtls(scope().stack, 'Access', { accountId: ACCOUNT, name: 'test', clientCaPem: publicRoot, hosts: [{ hostname: 'a.example.com', anyValidCertificate: true }] });
      expect(build).toThrow(/is refused as a client CA: it is the publicly trusted root "ISRG Root X1" \(in Node's built-in root store/);
    });

    it("refuses Cloudflare's shared origin-pull CA as the Access client CA", () => {
      const build = () => new AccessMtls(scope().stack, 'Access', { accountId: ACCOUNT, name: 'test', clientCaPem: pki.sharedCaPem, hosts: [{ hostname: 'a.example.com', anyValidCertificate: true }] });
      expect(build).toThrow(/is refused as a client CA: its subject "origin-pull\.cloudflare\.net" is named like Cloudflare's shared origin-pull CA/);
    });

    it('refuses a hostname with no certificate policy, even with service tokens', () => {
      expect(access([{ hostname: 'a.example.com', serviceTokens: ['ci'] }])).toThrow(/a\.example\.com: no certificate policy/);
    });

    it('refuses an empty common-name list and an ambiguous choice', () => {
      expect(access([{ hostname: 'a.example.com', commonNames: [] }])).toThrow(/a\.example\.com: an empty commonNames list would admit nobody/);
      expect(access([{ hostname: 'a.example.com', anyValidCertificate: true, commonNames: ['x'] }])).toThrow(/choose one/);
    });

    it('refuses a service token without an id (the custody stack makes tokens, Access only admits them)', () => {
      const build = () =>
        new AccessMtls(scope().stack, 'Access', { accountId: ACCOUNT, name: 'test', clientCaPem: pki.caPem, serviceTokenIds: new Map([['other', 'id']]), hosts: [{ hostname: 'a.example.com', anyValidCertificate: true, serviceTokens: ['ci'] }] });
      expect(build).toThrow(/a\.example\.com: service token "ci" has no id/);
    });

    it('shares one policy between hostnames with the same rule, and one token between hostnames', () => {
      const { stack } = scope();
      const tokens = new AccessServiceTokens(stack, 'Tokens', { accountId: ACCOUNT, name: 'test', tokens: ['ci', 'ci'] });
      expect([...tokens.ids.keys()]).toEqual(['ci']);
      const a = new AccessMtls(stack, 'Access', {
        accountId: ACCOUNT,
        name: 'test',
        clientCaPem: pki.caPem,
        serviceTokenIds: tokens.ids,
        hosts: [
          { hostname: 'a.example.com', anyValidCertificate: true, serviceTokens: ['ci'] },
          { hostname: 'b.example.com', anyValidCertificate: true, serviceTokens: ['ci'] },
          { hostname: 'c.example.com', commonNames: ['y', 'x', 'y'] },
        ],
      });
      expect([...a.policies.keys()].sort()).toEqual(['cn:x,y', 'token:ci', 'valid-certificate']);
      expect(a.policies.get('token:ci')!.includeInput).toEqual([{ serviceToken: { tokenId: tokens.ids.get('ci') } }]);
    });
  });

  describe('zone baseline and alerts', () => {
    const zone = (hostname: string, minTlsVersion?: string) => () =>
      new ZoneBaseline(scope().stack, 'Zone', {
        zoneId: ZONE,
        zoneName: 'example.com',
        minTlsVersion: minTlsVersion as TlsVersion | undefined,
        hostnames: [{ hostname, target: 'd-1.execute-api.eu-west-1.amazonaws.com' }],
      });

    it('refuses a hostname outside the zone, including a look-alike suffix', () => {
      expect(zone('api.example.net')).toThrow(/"api.example.net" is outside the zone "example.com"/);
      expect(zone('api.badexample.com')).toThrow(/outside the zone/);
    });

    it('refuses TLS versions older than 1.2', () => {
      expect(zone('api.example.com', '1.1')).toThrow(/minTlsVersion "1.1" is not allowed; expected "1.2" or "1.3"/);
    });

    it('refuses alerts that go nowhere, or over plain http', () => {
      const alerts = (props: { email?: string; webhook?: { name: string; url: string } }) => () =>
        new CertificateExpiryAlerts(scope().stack, 'Alerts', { accountId: ACCOUNT, name: 't', watch: ['originPullCertificate'], ...props });
      expect(alerts({})).toThrow(/expected an email, a webhook or both/);
      expect(alerts({ webhook: { name: 'w', url: 'http://hooks.example.com' } })).toThrow(/must start with https:\/\//);
    });
  });

  it('the edge stack treats an origin without a domain for a hostname as a wiring mistake, not a config problem', () => {
    const env = resolveEnvironment(loadEnvironment('prod'));
    // A fresh app each time, so the second call fails for the same reason as the first.
    const build = () => {
      const app = new App();
      return new EdgeStack(app, { env, custody: testCustodyStack(app, env, pki), originDomains: new Map([...testOriginDomains(env)].slice(0, 1)) });
    };
    expect(build).toThrow(/EdgeStack: no origin domain for "partners\.example\.org"/);
    expect(build).not.toThrow(ConfigError);
  });
});
