import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import { ConfigError } from '../../lib/errors';
import { parsePrivateKey, PemError } from '../../lib/x509';
import { buildApp } from '../../stacks/app';
import { ByoWorkspace } from '../support/byo-env';
import { asn1Time, hoursFromNow, opensslUnavailableReason, type TestCertificate } from '../support/openssl';
import { describeUnless } from '../support/skip';

const describeOpenssl = describeUnless(opensslUnavailableReason(), 'bring-your-own PEM input tests');

/**
 * Hostile PEM input in bring-your-own mode. Each case names a CA bundle (or leaf)
 * and must fail with a ConfigError naming the env file, the field and the reason,
 * before anything is synthesized.
 */
describeOpenssl('bring-your-own PEM files are checked at synth time', () => {
  const ws = new ByoWorkspace();
  let good: { root: TestCertificate; intermediate: TestCertificate };
  let originPull: TestCertificate;
  afterAll(() => ws.cleanup());

  beforeAll(() => {
    good = ws.bench.caChain('good', { key: { type: 'ec', curve: 'P-256' } });
    originPull = ws.bench.clientLeaf('origin-pull', good.intermediate, { key: { type: 'ec', curve: 'P-256' } });
    ws.file('good-bundle.pem', good.root.certPem + good.intermediate.certPem);
    ws.file('origin-pull.pem', originPull.certPem);
  });

  const publicRoot = () => rootCertificates.find((pem) => new X509Certificate(pem).subject.includes('CN=ISRG Root X1'))!;
  const byo = (caBundle: string, originPullCert = 'origin-pull.pem') => ({
    mode: 'byo',
    caBundle,
    originPullClient: { certificate: originPullCert, privateKey: { terraformVariable: 'origin_pull_key' } },
  });

  function problemsFor(caBundle: string, originPullCert?: string): string[] {
    ws.writeDev(byo(caBundle, originPullCert));
    try {
      buildApp({ selector: 'dev', envsDir: ws.dir, outdir: join(ws.dir, 'out') });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return e.problems.map((p) => `${p.file}: ${p.field}: ${p.message}`);
    }
    throw new Error('expected a ConfigError, the environment was accepted');
  }

  it('accepts a valid root + intermediate bundle and an origin-pull certificate issued by it', () => {
    ws.writeDev(byo('good-bundle.pem'));
    const { stacks } = buildApp({ selector: 'dev', envsDir: ws.dir, outdir: join(ws.dir, 'out') });
    const custody = stacks.get('dev')!.pki;
    expect(custody.pki.truststorePem).toBe(good.root.certPem + good.intermediate.certPem);
    expect(custody.outputs.caCertificates).toEqual([{ literal: good.root.certPem }, { literal: good.intermediate.certPem }]);
  });

  const cases: Array<[string, () => [string, string?], RegExp]> = [
    ['an empty file', () => [ws.file('empty.pem', '')], /pki\.caBundle: empty\.pem: the file is empty/],
    ['a missing file', () => ['nowhere.pem'], /pki\.caBundle: nowhere\.pem: does not exist; expected a PEM file/],
    ['a truncated PEM', () => [ws.file('truncated.pem', good.root.certPem.slice(0, 300))], /truncated: a "-----BEGIN" has no matching "-----END"/],
    ['trailing garbage', () => [ws.file('trailing.pem', `${good.root.certPem}garbage here\n`)], /unexpected text after the last PEM block: "garbage here"/],
    [
      'DER instead of PEM',
      () => [ws.file('der.pem', Buffer.from(good.root.certPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'))],
      /binary \(DER\?\), not PEM/,
    ],
    ['a corrupt base64 body', () => [ws.file('corrupt.pem', good.root.certPem.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!'))], /corrupt base64 body/],
    ['a private key where a certificate is expected', () => [ws.file('key-as-ca.pem', good.root.keyPem)], /is a PRIVATE KEY, not a certificate/],
    [
      'an RSA 1024 CA',
      () => [ws.file('rsa1024.pem', ws.bench.issue('weak', { subject: '/CN=Weak CA', key: { type: 'rsa', bits: 1024 }, ca: true, keyUsage: ['keyCertSign'] }).certPem)],
      /"Weak CA".*key is RSA 1024; expected RSA of at least 2048 bits or ECDSA P-256\/P-384/,
    ],
    [
      'an expired CA',
      () => [
        ws.file(
          'expired.pem',
          ws.bench.issue('expired-ca', {
            subject: '/CN=Expired CA', key: { type: 'ec', curve: 'P-256' }, ca: true, keyUsage: ['keyCertSign'],
            notBefore: '20200101000000Z', notAfter: '20210101000000Z',
          }).certPem,
        ),
      ],
      /"Expired CA".*expired on 2021-01-01T00:00:00\.000Z/,
    ],
    ['a leaf (non-CA root) where a CA is expected', () => [ws.file('leaf-as-ca.pem', originPull.certPem)], /"origin-pull"\): not a CA/],
    [
      'a chain five CAs deep',
      () => {
        const chain: TestCertificate[] = [];
        for (let i = 0; i < 5; i++) {
          chain.push(ws.bench.issue(`deep${i}`, { subject: `/CN=Deep CA ${i}`, key: { type: 'ec', curve: 'P-256' }, issuer: chain[i - 1], ca: true, keyUsage: ['keyCertSign'] }));
        }
        return [ws.file('deep.pem', chain.map((c) => c.certPem).join(''))];
      },
      /"Deep CA 4".*sits 5 certificates deep; API Gateway accepts chains of at most 4/,
    ],
    [
      'a SHA-1 signature',
      () => [ws.file('sha1.pem', ws.bench.issue('sha1-ca', { subject: '/CN=SHA1 CA', key: { type: 'rsa', bits: 2048 }, ca: true, keyUsage: ['keyCertSign'], digest: 'sha1' }).certPem)],
      /"SHA1 CA".*signed with sha1WithRSAEncryption; expected SHA-256 or stronger/,
    ],
    [
      "Cloudflare's shared origin-pull CA",
      () => [
        ws.file(
          'cloudflare.pem',
          ws.bench.issue('cf-shared', {
            subject: '/C=US/O=CloudFlare, Inc./OU=Origin Pull/L=San Francisco/ST=California/CN=origin-pull.cloudflare.net',
            key: { type: 'rsa', bits: 2048 }, ca: true, keyUsage: ['keyCertSign'],
          }).certPem,
        ),
      ],
      /refused: its subject "origin-pull\.cloudflare\.net" is named like Cloudflare's shared origin-pull CA; .*EVERY Cloudflare customer/,
    ],
    [
      "a publicly trusted root copied from Node's store",
      () => [ws.file('public-root.pem', publicRoot())],
      /pki\.caBundle: public-root\.pem: certificate 1 \("ISRG Root X1"\): refused: it is the publicly trusted root "ISRG Root X1" \(in Node's built-in root store/,
    ],
    [
      'a bundle holding our own root and a public root',
      () => [ws.file('mixed-bundle.pem', good.root.certPem + good.intermediate.certPem + publicRoot())],
      /pki\.caBundle: mixed-bundle\.pem: certificate 3 \("ISRG Root X1"\): refused: it is the publicly trusted root/,
    ],
    [
      "a CA named like the shared CA but for spaces around its CN and OU",
      () => [ws.file('spaced-shared.pem', ws.bench.certify('spaced-shared', { subject: '/C=US/O=CloudFlare, Inc./OU= Origin Pull /CN= origin-pull.cloudflare.net ' }).certPem)],
      /pki\.caBundle: spaced-shared\.pem: .*refused: its subject " origin-pull\.cloudflare\.net " is named like Cloudflare's shared origin-pull CA/,
    ],
    [
      'an intermediate without the root it chains to',
      () => [ws.file('intermediate-only.pem', good.intermediate.certPem)],
      /pki\.caBundle: intermediate-only\.pem: certificate 1 \("good Intermediate CA"\): refused: its issuer "good Root CA" is not in the bundle/,
    ],
    [
      'an origin-pull certificate from another CA',
      () => {
        const other = ws.bench.caChain('other', { key: { type: 'ec', curve: 'P-256' } });
        return ['good-bundle.pem', ws.file('foreign-leaf.pem', ws.bench.clientLeaf('foreign', other.intermediate, { key: { type: 'ec', curve: 'P-256' } }).certPem)];
      },
      /pki\.originPullClient\.certificate: foreign-leaf\.pem: "foreign": not issued by any CA of the bundle/,
    ],
    [
      'an origin-pull certificate without clientAuth',
      () => [
        'good-bundle.pem',
        ws.file('server-as-client.pem', ws.bench.clientLeaf('server-only', good.intermediate, { key: { type: 'ec', curve: 'P-256' }, extendedKeyUsage: ['serverAuth'] }).certPem),
      ],
      /"server-only": lacks the extended key usage clientAuth \(has: serverAuth\)/,
    ],
    [
      'an origin-pull certificate that has expired',
      () => [
        'good-bundle.pem',
        ws.file(
          'expired-leaf.pem',
          ws.bench.clientLeaf('stale', good.intermediate, {
            key: { type: 'ec', curve: 'P-256' }, notBefore: asn1Time(hoursFromNow(-48)), notAfter: asn1Time(hoursFromNow(-24)),
          }).certPem,
        ),
      ],
      /"stale": expired on/,
    ],
  ];

  it.each(cases)('refuses %s, naming envs file, field and reason', (_name, make, expected) => {
    const [bundle, leaf] = make();
    const problems = problemsFor(bundle, leaf);
    expect(problems.join('\n')).toMatch(expected);
    for (const p of problems) expect(p).toMatch(/\/dev\.yaml: pki\.(caBundle|originPullClient\.certificate): /);
  });

  it('never reads a private key from a file: a path where a key source is expected is a schema error', () => {
    ws.writeDev({ ...byo('good-bundle.pem'), originPullClient: { certificate: 'origin-pull.pem', privateKey: 'origin-pull.key' } });
    expect(() => buildApp({ selector: 'dev', envsDir: ws.dir, outdir: join(ws.dir, 'out') })).toThrow(
      /pki\.originPullClient\.privateKey: expected \{ secretsManagerSecretId: <name or ARN> \} or \{ terraformVariable: <name> \}; private keys are never read from files/,
    );
  });

  it('a certificate where a private key is expected is refused by the key parser', () => {
    expect(() => parsePrivateKey(good.root.certPem)).toThrow(PemError);
    expect(() => parsePrivateKey(good.root.certPem)).toThrow(/holds a "CERTIFICATE", not a private key/);
    expect(parsePrivateKey(readFileSync(good.root.keyPath, 'utf8')).asymmetricKeyType).toBe('ec');
  });

  it('checks extra trusted CAs the same way and reports every bad one at once', () => {
    ws.writeDev({ mode: 'generated' }, { additionalTrustedCas: ['good-bundle.pem', 'empty.pem', 'cloudflare.pem'] });
    let error: ConfigError | undefined;
    try {
      buildApp({ selector: 'dev', envsDir: ws.dir, outdir: join(ws.dir, 'out') });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    // cloudflare.pem is refused twice over: named like the shared CA, and open to sub-CAs (no path length).
    expect([...new Set(error!.problems.map((p) => p.field))]).toEqual(['origin.additionalTrustedCas[1]', 'origin.additionalTrustedCas[2]']);
    expect(error!.problems[1].message).toMatch(/cloudflare\.pem: certificate 1 \("origin-pull\.cloudflare\.net"\): refused: its subject "origin-pull\.cloudflare\.net" is named like Cloudflare's shared origin-pull CA/);
  });
});
