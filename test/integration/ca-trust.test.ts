import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { caTrustRefusals, publicCaEvidence, sharedCaEvidence, type TrustPolicy } from '../../lib/ca-trust';
import { readTlv } from '../../lib/asn1';
import { identify } from '../../lib/certificate-identity';
import { CLOUDFLARE_SHARED_ORIGIN_PULL_CA, sharedCaPublicKey, spkiSha256, type SharedCaFacts } from '../../lib/cloudflare-origin-pull-ca';
import { DEBIAN_CA_BUNDLE, publicRootStore } from '../../lib/public-roots';
import { canonicalValue } from '../../lib/x509-name';
import { truststoreProblems } from '../../lib/x509';
import { OpensslWorkbench, opensslUnavailableReason, type TestCertificate } from '../support/openssl';
import { describeUnless } from '../support/skip';

const describeOpenssl = describeUnless(opensslUnavailableReason(), 'test/integration/ca-trust.test.ts');

/**
 * Which CAs may be trusted for client authentication, decided by identity (key,
 * signatures, canonical names) and never by spelling. Every hostile certificate here
 * is made by openssl at test time; the shared CA's real key comes from its published
 * facts, public roots from Node's and Debian's stores.
 */
describeOpenssl('lib/ca-trust: one decision on trusted CAs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ca-trust-'));
  const bench = new OpensslWorkbench(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const x = (c: TestCertificate | string) => new X509Certificate(typeof c === 'string' ? c : c.certPem);
  /** Writes a DER SubjectPublicKeyInfo as a PEM public key file openssl can certify. */
  const publicKeyFile = (name: string, spki: Buffer) =>
    bench.write(`${name}.pub.pem`, `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`);

  let ours: TestCertificate;
  let ourIntermediate: TestCertificate;
  beforeAll(() => {
    ours = bench.certify('ours', { subject: '/O=Example/CN=Example Private Root' });
    ourIntermediate = bench.certify('ours-int', { subject: '/O=Example/CN=Example Private Intermediate', issuer: ours });
  });
  const reasons = (certs: readonly X509Certificate[], policy?: TrustPolicy) => caTrustRefusals(certs, policy).map((r) => `${r.index + 1}: ${r.reason}`);

  describe("the shared CA's published facts", () => {
    it('hold together: the kept key hashes to the kept SPKI SHA-256, an RSA 4096 key', () => {
      const key = sharedCaPublicKey(CLOUDFLARE_SHARED_ORIGIN_PULL_CA);
      expect(key.asymmetricKeyDetails?.modulusLength).toBe(4096);
      expect(spkiSha256(Buffer.from(CLOUDFLARE_SHARED_ORIGIN_PULL_CA.spkiBase64, 'base64'))).toBe(CLOUDFLARE_SHARED_ORIGIN_PULL_CA.spkiSha256);
    });

    it('a kept key that does not match its hash is a programming error, not a weaker check', () => {
      const typo: SharedCaFacts = { ...CLOUDFLARE_SHARED_ORIGIN_PULL_CA, spkiSha256: '0'.repeat(64) };
      expect(() => sharedCaPublicKey(typo)).toThrow(/hashes to e2ef9fe8.*not the kept 0000/);
    });
  });

  describe('same key as the shared CA, anything else different: refused by the key', () => {
    let realKey: string;
    beforeAll(() => {
      realKey = publicKeyFile('cloudflare-shared', Buffer.from(CLOUDFLARE_SHARED_ORIGIN_PULL_CA.spkiBase64, 'base64'));
    });

    it.each([
      ['an innocent name', '/O=Example/CN=Totally Private CA', 'sha256', '1'],
      ['a different serial and a SHA-384 signature', '/CN=Another Name', 'sha384', '0x5791BA9556C22E62'],
      ["the shared CA's own name and serial, signed by someone else", '/C=US/O=CloudFlare, Inc./OU=Origin Pull/L=San Francisco/ST=California/CN=origin-pull.cloudflare.net', 'sha512', '0x5791BA9556C22E61'],
    ])("Cloudflare's real key re-certified under %s", (_what, subject, digest, serial) => {
      const cert = bench.certify(`cf-key-${serial}`, { subject, publicKeyPath: realKey, issuer: ours, digest, serial });
      expect(identify(x(cert)).spkiSha256).toBe(CLOUDFLARE_SHARED_ORIGIN_PULL_CA.spkiSha256);
      expect(sharedCaEvidence(x(cert))).toMatch(/^it carries the public key of Cloudflare's shared origin-pull CA \(SPKI SHA-256 e2ef9fe8/);
      expect(reasons([x(ours), x(cert)])).toEqual([expect.stringMatching(/^2: it carries the public key of Cloudflare's shared origin-pull CA/)]);
    });

    describe('with a stand-in shared CA whose private key the test holds', () => {
      let standIn: TestCertificate;
      let policy: TrustPolicy;
      beforeAll(() => {
        standIn = bench.certify('stand-in', { subject: '/CN=Stand-in Shared CA', key: { type: 'rsa', bits: 2048 } });
        const spki = identify(x(standIn)).parts.spki;
        policy = { sharedCas: [{ label: 'the stand-in shared CA', subject: [['CN', 'Stand-in Shared CA']], serialNumber: '01', spkiBase64: spki.toString('base64'), spkiSha256: spkiSha256(spki) }] };
      });

      it.each([
        ['a new name', '/O=Example/CN=Harmless Looking Root', 'sha256'],
        ['a new serial and a SHA-512 signature', '/CN=Harmless Looking Root 2', 'sha512'],
      ])('its key self-signed under %s', (_what, subject, digest) => {
        const twin = bench.certify(`twin-${digest}`, { subject, keyPath: standIn.keyPath, digest });
        expect(sharedCaEvidence(x(twin), policy)).toMatch(/^it carries the public key of the stand-in shared CA/);
      });

      it('a leaf signed by its key under an unrelated issuer name', () => {
        const renamed = bench.certify('stand-in-renamed', { subject: '/CN=Unrelated Issuer', keyPath: standIn.keyPath });
        const leaf = bench.certify('stand-in-leaf', { subject: '/CN=client', issuer: renamed, ca: false });
        expect(sharedCaEvidence(x(leaf), policy)).toMatch(/^it is signed by the key of the stand-in shared CA/);
      });
    });
  });

  describe("the shared CA's name spelled differently, with another key: refused by the name (decision: nobody's CA may pass for it)", () => {
    it.each([
      ['CN and OU with surrounding spaces', '/C=US/O=CloudFlare, Inc./OU= Origin Pull /CN= origin-pull.cloudflare.net '],
      ['a double space inside the OU and O, any CN', '/O=CloudFlare,  Inc./OU=Origin  Pull/CN=Innocent'],
      ['a multi-valued RDN holding the CN', '/C=US/O=CloudFlare, Inc.+OU=Origin Pull+CN=origin-pull.cloudflare.net'],
      ['a multi-valued RDN holding O and OU', '/C=US/OU=Origin Pull+O=CloudFlare, Inc./CN=Innocent'],
      ['different case', '/CN=ORIGIN-PULL.CloudFlare.NET'],
      ['a tab and a trailing dot', '/CN=origin-pull.cloudflare.net.\t'],
      ['a zero-width space inside (UTF-8)', '/CN=origin-pull.cloud\u200bflare.net'],
      ['full-width letters (NFKC folds them)', '/CN=\uff4f\uff52\uff49\uff47\uff49\uff4e-pull.cloudflare.net'],
    ])('%s', (what, subject) => {
      const alike = bench.certify(`alike-${what.replace(/\W+/g, '-')}`, { subject, utf8: /[^\x00-\x7f]/.test(subject) });
      expect(sharedCaEvidence(x(alike))).toMatch(/^its subject .* is named like Cloudflare's shared origin-pull CA/);
      expect(truststoreProblems([x(alike)])).toEqual([expect.stringMatching(/refused: its subject .* is named like Cloudflare's shared origin-pull CA; it signs the default origin-pull certificate of EVERY/)]);
    });

    it('a leaf issued by such a CA is refused by its issuer name', () => {
      const alike = bench.certify('alike-issuer', { subject: '/CN= origin-pull.cloudflare.net ' });
      const leaf = bench.certify('alike-leaf', { subject: '/CN=client', issuer: alike, ca: false });
      expect(sharedCaEvidence(x(leaf))).toMatch(/^its issuer .* is named like Cloudflare's shared origin-pull CA/);
    });

    it('our own intermediate under such a root is refused because it chains to it', () => {
      const alike = bench.certify('alike-root', { subject: '/O=CloudFlare, Inc.+OU=Origin Pull/CN=Root' });
      const under = bench.certify('alike-under', { subject: '/CN=Example Intermediate', issuer: alike });
      expect(reasons([x(alike), x(under)])).toEqual([expect.stringMatching(/^1: its subject/), expect.stringMatching(/^2: .*named like Cloudflare's shared origin-pull CA/)]);
    });

    it('names that only share a word with it are not refused', () => {
      for (const subject of ['/O=Example/OU=Origin Pull/CN=origin pulls of example', '/O=CloudFlare, Inc./OU=Edge/CN=Another Cloudflare CA', '/CN=origin-pull.example.net']) {
        expect(sharedCaEvidence(x(bench.certify(`unlike-${subject.length}`, { subject })))).toBeUndefined();
      }
    });
  });

  describe('signatures inside a bundle', () => {
    it('accepts our root with its intermediate', () => {
      expect(reasons([x(ours), x(ourIntermediate)])).toEqual([]);
    });

    it('refuses a root whose self-signature does not verify', () => {
      const der = Buffer.from(x(ours).raw);
      der[der.length - 5] ^= 0xff; // inside the signature value
      const tampered = new X509Certificate(der);
      expect(reasons([tampered])).toEqual(['1: its self-signature does not verify: the certificate was altered or forged']);
    });

    it('refuses an intermediate whose issuer in the bundle did not sign it (a broken chain)', () => {
      const impostor = bench.certify('impostor-root', { subject: '/O=Example/CN=Example Private Root' });
      const forged = bench.certify('forged-int', { subject: '/CN=Forged Intermediate', issuer: impostor });
      expect(reasons([x(ours), x(forged)])).toEqual([expect.stringMatching(/^2: its signature does not verify under its issuer "Example Private Root" \(certificate 1 of the bundle\): the chain is broken/)]);
    });

    it('refuses an intermediate without its root: nothing would show where its chain ends', () => {
      expect(reasons([x(ourIntermediate)])).toEqual([expect.stringMatching(/^1: its issuer "Example Private Root" is not in the bundle/)]);
    });

    it('finds the issuer by canonical name even when its spelling differs (as OpenSSL does)', () => {
      const respelled = bench.certify('respelled', { subject: '/O=example/CN=  example   PRIVATE root ', keyPath: ours.keyPath });
      const child = bench.certify('respelled-child', { subject: '/CN=Child CA', issuer: respelled });
      expect(reasons([x(ours), x(child)])).toEqual([]);
    });
  });

  describe('publicly trusted CAs', () => {
    const isrg = rootCertificates.find((pem) => new X509Certificate(pem).subject.includes('CN=ISRG Root X1'));
    if (!isrg) throw new Error("Node's root store has no ISRG Root X1; pick another well-known root for this test");

    it("refuses a public root copied from Node's store", () => {
      expect(publicCaEvidence(x(isrg))).toMatch(/^it is the publicly trusted root "ISRG Root X1" \(in Node's built-in root store.*\); a publicly trusted CA issues certificates to anyone/);
    });

    it('refuses only the public root of a bundle that also holds our own', () => {
      expect(reasons([x(ours), x(isrg), x(ourIntermediate)])).toEqual([expect.stringMatching(/^2: it is the publicly trusted root "ISRG Root X1"/)]);
      expect(truststoreProblems([x(ours), x(isrg)])).toEqual([expect.stringMatching(/^certificate 2 \("ISRG Root X1"\): refused: it is the publicly trusted root/)]);
    });

    it("refuses a public root's key re-certified under a private-looking name", () => {
      const reused = bench.certify('isrg-key', { subject: '/O=Example/CN=Example Private CA', publicKeyPath: publicKeyFile('isrg', identify(x(isrg)).parts.spki), issuer: ours });
      expect(reasons([x(ours), x(reused)])).toEqual([expect.stringMatching(/^2: it carries the key of the publicly trusted root "ISRG Root X1"/)]);
    });

    it('refuses an intermediate issued by a public root, and our CA under it', () => {
      const publicRoot = bench.certify('pub-root', { subject: '/O=Public Trust/CN=Public Root' });
      const publicInt = bench.certify('pub-int', { subject: '/O=Public Trust/CN=Public Issuing CA', issuer: publicRoot });
      const underPublic = bench.certify('under-pub', { subject: '/O=Example/CN=Example CA', issuer: publicInt });
      const store = publicRootStore([{ source: 'the test store', pems: [publicRoot.certPem] }]);
      expect(reasons([x(publicInt), x(underPublic)], { publicRoots: store })).toEqual([
        expect.stringMatching(/^1: it is issued by the publicly trusted root "Public Root" \(in the test store\)/),
        expect.stringMatching(/^2: it chains to certificate 1 of the bundle, which is refused: it is issued by the publicly trusted root/),
      ]);
    });

    it("does not take a forged issuer name for a public root's signature", () => {
      const claims = bench.certify('claims-isrg', { subject: '/C=US/O=Internet Security Research Group/CN=ISRG Root X1', keyPath: ours.keyPath });
      const child = bench.certify('claims-child', { subject: '/CN=Claims Child', issuer: claims });
      expect(publicCaEvidence(x(child))).toBeUndefined();
    });

    const debian = existsSync(DEBIAN_CA_BUNDLE) ? readFileSync(DEBIAN_CA_BUNDLE, 'latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [] : [];
    if (debian.length === 0) console.warn(`SKIPPED the Debian ca-certificates case: ${DEBIAN_CA_BUNDLE} is missing or empty on this machine`);
    (debian.length > 0 ? it : it.skip)("refuses every root of Debian's ca-certificates bundle", () => {
      const accepted = debian.filter((pem) => publicCaEvidence(x(pem)) === undefined);
      expect(accepted).toEqual([]);
    });
  });

  describe('canonical names agree with OpenSSL: where openssl verify finds the issuer by a respelled name, so do we', () => {
    // The CA is certified twice with one key: once as written, once respelled. A leaf
    // is issued under the respelled name and verified against the CA as written: OpenSSL
    // verifies it only if it holds the two names equal.
    const opensslEqual = (name: string, written: string, respelled: string) => {
      const ca = bench.certify(`eq-${name}-ca`, { subject: written });
      const twin = bench.certify(`eq-${name}-twin`, { subject: respelled, keyPath: ca.keyPath });
      const leaf = bench.certify(`eq-${name}-leaf`, { subject: '/CN=leaf', issuer: twin, ca: false });
      const r = spawnSync('openssl', ['verify', '-CAfile', ca.certPath, leaf.certPath], { encoding: 'utf8' });
      return { openssl: r.status === 0, ours: identify(x(ca)).subjectKey === identify(x(twin)).subjectKey };
    };

    it.each([
      ['surrounding spaces', '/O=Acme Corp/CN=Acme Pull CA', '/O= Acme Corp /CN=  Acme Pull CA  '],
      ['double inner spaces', '/O=Acme Corp/CN=Acme Pull CA', '/O=Acme   Corp/CN=Acme  Pull  CA'],
      ['case', '/O=Acme Corp/CN=Acme Pull CA', '/O=ACME CORP/CN=acme pull ca'],
      ['order inside a multi-valued RDN', '/O=Acme Corp+OU=Pulls/CN=Acme Pull CA', '/OU=Pulls+O=Acme Corp/CN=Acme Pull CA'],
    ])('equal: %s', (what, written, respelled) => {
      expect(opensslEqual(what.replace(/\W+/g, '-'), written, respelled)).toEqual({ openssl: true, ours: true });
    });

    it.each([
      ['RDN order', '/O=Acme Corp/CN=Acme Pull CA', '/CN=Acme Pull CA/O=Acme Corp'],
      ['one multi-valued RDN against two RDNs', '/O=Acme Corp/OU=Pulls/CN=Acme Pull CA', '/O=Acme Corp+OU=Pulls/CN=Acme Pull CA'],
      ['another value', '/O=Acme Corp/CN=Acme Pull CA', '/O=Acme Corp/CN=Acme Pull CB'],
    ])('different: %s', (what, written, respelled) => {
      expect(opensslEqual(what.replace(/\W+/g, '-'), written, respelled)).toEqual({ openssl: false, ours: false });
    });
  });
});

describe('lib/x509-name and lib/asn1 on hand-made DER', () => {
  it('refuses DER it cannot read instead of guessing', () => {
    expect(() => readTlv(Buffer.from([0x30, 0x80, 0x00, 0x00]))).toThrow(/indefinite length/);
    expect(() => readTlv(Buffer.from([0x30, 0x05, 0x00]))).toThrow(/runs past its container/);
    expect(() => readTlv(Buffer.from([0x1f, 0x01, 0x00]))).toThrow(/multi-byte tag/);
  });

  it('prepares values the RFC 4518 way', () => {
    expect(canonicalValue('  Origin \t\n Pull  ')).toBe('origin pull');
    expect(canonicalValue('Ori\u00adgin\u200b Pull')).toBe('origin pull');
    expect(canonicalValue('\uff2f\uff52\uff49\uff47\uff49\uff4e')).toBe('origin');
    expect(canonicalValue('Origin\u00a0Pull')).toBe('origin pull');
  });
});
