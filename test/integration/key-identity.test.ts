import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { caTrustRefusals, publicCaEvidence, sharedCaEvidence, type TrustPolicy } from '../../lib/ca-trust';
import { identify } from '../../lib/certificate-identity';
import { CLOUDFLARE_SHARED_ORIGIN_PULL_CA, spkiSha256 } from '../../lib/cloudflare-origin-pull-ca';
import { keyId, keyIdOf } from '../../lib/key-identity';
import { publicRootStore } from '../../lib/public-roots';
import { truststoreProblems } from '../../lib/x509';
import { verifyInput } from '../../tools/verify/input';
import { type KeyEncoding, reencodeKey, spkiOf, withKey } from '../support/der-edit';
import { refusalLines } from '../support/refusal';
import { leavesUnchanged } from '../support/tree';
import { OpensslWorkbench, opensslUnavailableReason, type TestCertificate } from '../support/openssl';
import { describeUnless } from '../support/skip';

const describeOpenssl = describeUnless(opensslUnavailableReason(), 'test/integration/key-identity.test.ts');

/**
 * Issue 25, class 1: keys are compared as keys. One key written every way OpenSSL reads
 * it (RSA with or without NULL parameters or under the PSS OID, EC points compressed,
 * uncompressed or hybrid, EC curves named or explicit) has one identity, and every trust
 * decision (shared CA, public roots, truststores, `verify --ca`) uses that identity.
 */
const RSA_FORMS: KeyEncoding[] = ['as-is', 'rsa-without-null', 'rsa-pss-oid'];
const EC_FORMS: KeyEncoding[] = ['as-is', 'ec-compressed', 'ec-uncompressed', 'ec-hybrid', 'ec-explicit-curve'];

describe('lib/key-identity: one identity per key, whatever its encoding', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
  const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'der' });

  it.each(RSA_FORMS.slice(1))('RSA %s: other bytes, same key id', (how) => {
    const other = reencodeKey(rsa, how);
    expect(spkiSha256(other)).not.toBe(spkiSha256(rsa));
    expect(keyId(other)).toBe(keyId(rsa));
  });

  it.each(EC_FORMS.slice(1).flatMap((how) => [['P-256', how], ['P-384', how]]))('EC %s %s: same key id', (curve, how) => {
    const spki = curve === 'P-256' ? ec : ec384;
    expect(keyId(reencodeKey(spki, how as KeyEncoding))).toBe(keyId(spki));
  });

  it('two different keys keep different ids, also across types', () => {
    const rsa2 = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' });
    expect(new Set([keyId(rsa), keyId(rsa2), keyId(ec), keyId(ec384)]).size).toBe(4);
  });

  it('keyIdOf a PEM public key equals keyId of the DER it came from', () => {
    expect(keyIdOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)).toMatch(/^[0-9a-f]{64}$/);
    expect(keyIdOf({ key: reencodeKey(ec, 'ec-compressed'), format: 'der', type: 'spki' })).toBe(keyId(ec));
  });

  it('an RSA key with trailing bytes after its exponent is refused, not guessed at', () => {
    const bits = Buffer.from(rsa);
    const broken = Buffer.concat([bits.subarray(0, bits.length), Buffer.from([0x02, 0x01, 0x01])]);
    expect(() => keyId(broken)).toThrow();
  });
});

describeOpenssl('trust decisions compare keys, not encodings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'key-identity-'));
  const bench = new OpensslWorkbench(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const x = (c: TestCertificate) => new X509Certificate(c.certPem);

  let ours: TestCertificate;
  let template: TestCertificate;
  beforeAll(() => {
    ours = bench.certify('ours', { subject: '/O=Example/CN=Example Private Root' });
    template = bench.certify('neutral', { subject: '/O=Example/CN=Neutral Partner CA', issuer: ours });
  });
  /** `spki` re-encoded `how`, certified by our root under a neutral name. */
  const recertified = (spki: Buffer, how: KeyEncoding) => withKey(x(template), reencodeKey(spki, how), createPrivateKey(ours.keyPem));
  const reasons = (certs: readonly X509Certificate[], policy?: TrustPolicy) => caTrustRefusals(certs, policy).map((r) => `${r.index + 1}: ${r.reason}`);

  describe("Cloudflare's shared origin-pull key, re-encoded under a neutral name", () => {
    const shared = Buffer.from(CLOUDFLARE_SHARED_ORIGIN_PULL_CA.spkiBase64, 'base64');
    it.each(RSA_FORMS)('%s: refused as the shared CA, as origin-pull certificate and as truststore CA', (how) => {
      const cert = recertified(shared, how);
      expect(spkiOf(cert).equals(reencodeKey(shared, how))).toBe(true);
      expect(sharedCaEvidence(cert)).toMatch(/^it carries the public key of Cloudflare's shared origin-pull CA .*key encoding/);
      expect(reasons([x(ours), cert])).toEqual([expect.stringMatching(/^2: it carries the public key of Cloudflare's shared origin-pull CA/)]);
      expect(truststoreProblems([x(ours), cert])).toEqual([expect.stringMatching(/^certificate 2 \("Neutral Partner CA"\): refused: it carries the public key of Cloudflare's shared/)]);
    });
  });

  describe('a stand-in shared CA (EC, test holds the key), its key re-encoded', () => {
    let policy: TrustPolicy;
    let standIn: TestCertificate;
    beforeAll(() => {
      standIn = bench.certify('stand-in', { subject: '/CN=Stand-in Shared CA', key: { type: 'ec', curve: 'P-384' } });
      const spki = identify(x(standIn)).parts.spki;
      policy = { sharedCas: [{ label: 'the stand-in shared CA', subject: [['CN', 'Stand-in Shared CA']], serialNumber: '01', spkiBase64: spki.toString('base64'), spkiSha256: spkiSha256(spki) }] };
    });
    it.each(EC_FORMS.slice(1))('%s: refused by the key', (how) => {
      const cert = recertified(identify(x(standIn)).parts.spki, how);
      expect(sharedCaEvidence(cert, policy)).toMatch(/^it carries the public key of the stand-in shared CA/);
    });
  });

  describe("a public root's key, exact name and key id, cross-signed by our root", () => {
    const pick = (type: string) =>
      rootCertificates.map((pem) => new X509Certificate(pem)).find((c) => c.publicKey.asymmetricKeyType === type && identify(c).subjectKey !== '')!;
    const rsaRoot = pick('rsa');
    const ecRoot = pick('ec');
    /** The public root's own TBS (name, key id, extensions), its key re-encoded, signed by our root. */
    const twin = (root: X509Certificate, how: KeyEncoding) => withKey(root, reencodeKey(identify(root).parts.spki, how), createPrivateKey(ours.keyPem));

    it.each([...RSA_FORMS.map((h) => ['RSA', h]), ...EC_FORMS.map((h) => ['EC', h])])('%s root, key %s: refused as that public root', (type, how) => {
      const root = type === 'RSA' ? rsaRoot : ecRoot;
      const cert = twin(root, how as KeyEncoding);
      expect(identify(cert).subjectKey).toBe(identify(root).subjectKey);
      expect(publicCaEvidence(cert)).toMatch(/^it (is|carries the key of) the publicly trusted root /);
      expect(reasons([x(ours), cert])[0]).toMatch(/^2: it (is|carries the key of) the publicly trusted root/);
    });

    it('a root from a test store re-encoded is refused by that store too (the store is keyed by key id)', () => {
      const pub = bench.certify('pub-root', { subject: '/CN=Public Root', key: { type: 'rsa', bits: 2048 } });
      const store = publicRootStore([{ source: 'the test store', pems: [pub.certPem] }]);
      const cert = recertified(identify(x(pub)).parts.spki, 'rsa-without-null');
      expect(publicCaEvidence(cert, { publicRoots: store })).toMatch(/^it carries the key of the publicly trusted root "Public Root" \(in the test store\)/);
    });
  });

  it.each(RSA_FORMS)("`verify --ca` with Cloudflare's shared key %s: ConfigError naming --ca, before any connection", (how) => {
    const shared = Buffer.from(CLOUDFLARE_SHARED_ORIGIN_PULL_CA.spkiBase64, 'base64');
    const ca = bench.write(`verify-${how}.pem`, x(ours).toString() + recertified(shared, how).toString());
    const leaf = bench.certify(`verify-leaf-${how}`, { subject: '/CN=client', issuer: ours, ca: false });
    const refused = leavesUnchanged([dir], () => refusalLines(() => verifyInput({ originUrl: 'https://api.example.test', ca, cert: leaf.certPath, key: leaf.keyPath, resolve: [] })));
    expect(refused).toEqual([expect.stringMatching(/^\(command line\): --ca: certificate #2 is refused: it carries the public key of Cloudflare's shared origin-pull CA/)]);
  });

  it('our own CA re-encoded stays accepted (the check refuses keys, not encodings)', () => {
    const child = bench.certify('child-ec', { subject: '/CN=Our EC Intermediate', issuer: ours });
    const cert = withKey(x(child), reencodeKey(identify(x(child)).parts.spki, 'ec-compressed'), createPrivateKey(ours.keyPem));
    expect(reasons([x(ours), cert])).toEqual([]);
  });
});
