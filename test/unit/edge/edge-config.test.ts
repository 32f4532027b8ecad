import { loadEnvironment } from '../../../envs/load';
import { ConfigError } from '../../../lib/errors';
import { baseEnvironment, envDir, withField } from '../../support/env-files';

function problemsOf(doc: Record<string, unknown>): string[] {
  try {
    loadEnvironment('prod', envDir({ prod: doc }));
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.file.replace(/^.*\//, '')}: ${p.field}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a ConfigError, got success');
}

describe('edge choices in an environment file', () => {
  const base = baseEnvironment('prod');

  // Each case: the broken file, and the one problem it must produce (file, field, what is accepted).
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'Access without any certificate policy',
      withField(base, 'hostnames[1].access', { serviceTokens: ['ci'] }),
      /^prod\.yaml: hostnames\[1\]\.access: no certificate policy: set anyValidCertificate: true or list commonNames/,
    ],
    ['Access as an empty object', withField(base, 'hostnames[1].access', {}), /^prod\.yaml: hostnames\[1\]\.access: no certificate policy/],
    [
      'an empty common-name list',
      withField(base, 'hostnames[1].access.commonNames', []),
      /^prod\.yaml: hostnames\[1\]\.access\.commonNames: an empty commonNames list would admit nobody/,
    ],
    [
      'both any certificate and common names',
      withField(base, 'hostnames[1].access.anyValidCertificate', true),
      /^prod\.yaml: hostnames\[1\]\.access\.commonNames: choose one/,
    ],
    ['an empty service token list', withField(base, 'hostnames[1].access.serviceTokens', []), /hostnames\[1\]\.access\.serviceTokens: expected at least one service token name/],
    ['a bad service token name', withField(base, 'hostnames[1].access.serviceTokens', ['CI Token']), /hostnames\[1\]\.access\.serviceTokens\[0\]: expected a service token name .*\(got "CI Token"\)/],
    ['a relative API Shield path prefix', withField(base, 'hostnames[0].apiShield.pathPrefixes', ['v1/']), /hostnames\[0\]\.apiShield\.pathPrefixes\[0\]: expected a URI path prefix starting with "\/"/],
    ['a path prefix with a space', withField(base, 'hostnames[0].apiShield.pathPrefixes', ['/a b']), /pathPrefixes\[0\]: expected a URI path prefix/],
    ['an empty path prefix list', withField(base, 'hostnames[0].apiShield.pathPrefixes', []), /hostnames\[0\]\.apiShield\.pathPrefixes: expected at least one path prefix, or leave pathPrefixes out/],
    ['an unknown API Shield option', withField(base, 'hostnames[0].apiShield.sharedCa', true), /hostnames\[0\]\.apiShield\.sharedCa: unknown field; allowed here: pathPrefixes, blockRevoked/],
    ['an origin-pull option on a hostname', withField(base, 'hostnames[0].originPullCa', 'cloudflare'), /hostnames\[0\]\.originPullCa: unknown field; allowed here: name, minTlsVersion, apiShield, access/],
    ['TLS 1.0 on a hostname', withField(base, 'hostnames[0].minTlsVersion', '1.0'), /hostnames\[0\]\.minTlsVersion: expected "1\.2" or "1\.3" \(older TLS versions are not allowed\)/],
    ['TLS 1.1 on the zone', withField(base, 'edge.minTlsVersion', '1.1'), /edge\.minTlsVersion: expected "1\.2" or "1\.3"/],
    ['Cloudflare-managed origin pulls', withField(base, 'edge.originPulls', 'cloudflare-managed'), /^prod\.yaml: edge\.originPulls: expected one of: per-hostname, zone/],
    [
      'a hostname minimum below the zone minimum',
      withField(withField(base, 'edge.minTlsVersion', '1.3'), 'hostnames[1].minTlsVersion', '1.2'),
      /hostnames\[1\]\.minTlsVersion: "1\.2" is below the zone's minimum TLS version "1\.3"; a hostname may only raise it \(edge\.minTlsVersion\)/,
    ],
    ['alerts without a destination', withField(base, 'edge.alerts', {}), /edge\.alerts: expected an email, a webhook or both; alerts with no destination warn nobody/],
    ['a plain-http webhook', withField(base, 'edge.alerts.webhook.url', 'http://hooks.example.com/x'), /edge\.alerts\.webhook\.url: expected an https URL/],
    ['a malformed alert email', withField(base, 'edge.alerts.email', 'security'), /edge\.alerts\.email: expected an email address/],
    ['no edge section', withField(base, 'edge', undefined), /^prod\.yaml: edge: missing required field/],
    ['an API Shield hostname outside the zone', withField(base, 'hostnames[0].name', 'api.example.net'), /hostnames\[0\]\.name: "api\.example\.net" is outside the zone "example\.org"/],
  ];

  it.each(cases)('%s is one clear error', (_what, doc, message) => {
    const problems = problemsOf(doc);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('defaults: API Shield blocks revoked certificates, Access admits no certificate by default, the zone requires TLS 1.2', () => {
    const doc = withField(withField(base, 'hostnames[0].apiShield', {}), 'edge', { alerts: { email: 'security@example.com' } });
    const { config } = loadEnvironment('prod', envDir({ prod: doc }));
    expect(config.hostnames[0].apiShield).toEqual({ blockRevoked: true });
    expect(config.hostnames[1].access).toEqual({ anyValidCertificate: false, commonNames: ['partner-a.example.org', 'partner-b.example.org'] });
    expect(config.edge.minTlsVersion).toBe('1.2');
  });
});
