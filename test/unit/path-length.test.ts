import { App, TerraformStack, Testing } from 'cdktf';
import { LocallySignedCaCert, SelfSignedCaCert } from '../../providers/tls/path-length';
import { asTlsProviderWrites } from '../support/tls-provider';

/**
 * tls 4.2.x writes `max_path_length` into Go's MaxPathLen but never sets MaxPathLenZero,
 * so 0 means "no constraint" on the certificate it issues. The bindings refuse to write
 * a 0 the provider would silently drop, and the test harness realizes certificates the
 * way the provider does.
 */
describe('path length as the tls provider really encodes it', () => {
  const stack = () => new TerraformStack(new App(), 's');
  const ca = { privateKeyPem: 'k', allowedUses: ['cert_signing'], validityPeriodHours: 1, isCaCertificate: true };

  it('a root with path length 1 is written as such', () => {
    const s = stack();
    new SelfSignedCaCert(s, 'Root', { ...ca, maxPathLength: 1 });
    expect(JSON.parse(Testing.synth(s)).resource.tls_self_signed_cert.Root.max_path_length).toBe(1);
  });

  it.each([0, -1, 1.5])('refuses max_path_length %p, which tls 4.2.x cannot encode', (n) => {
    expect(() => new SelfSignedCaCert(stack(), 'Root', { ...ca, maxPathLength: n })).toThrow(/max_path_length .* cannot be written by the tls provider 4\.2\.x \(0 is encoded as "no constraint"\)/);
    expect(() => new LocallySignedCaCert(stack(), 'Int', { certRequestPem: 'r', caPrivateKeyPem: 'k', caCertPem: 'c', allowedUses: [], validityPeriodHours: 1, maxPathLength: n })).toThrow(/cannot be written/);
  });

  it('without a value no path length is claimed', () => {
    const s = stack();
    new SelfSignedCaCert(s, 'Root', ca);
    expect(JSON.parse(Testing.synth(s)).resource.tls_self_signed_cert.Root).not.toHaveProperty('max_path_length');
  });

  it('the harness drops a path length of 0 exactly as the provider does, and keeps 1 and above', () => {
    expect(asTlsProviderWrites(0)).toBeUndefined();
    expect(asTlsProviderWrites(undefined)).toBeUndefined();
    expect(asTlsProviderWrites(1)).toBe(1);
    expect(asTlsProviderWrites(3)).toBe(3);
  });
});
