import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  certificateProblems, chainLength, describeKey, expiryProblem, extendedKeyUsages, isCloudflareSharedOriginPullCa, leafProblems, parseCertificates,
  parsePemBlocks, pemSpans, signatureAlgorithm, truststoreProblems,
} from '../../lib/x509';
import { OpensslWorkbench, opensslUnavailableReason } from '../support/openssl';
import { describeUnless } from '../support/skip';

const describeOpenssl = describeUnless(opensslUnavailableReason(), 'lib/x509 tests');

/** The reusable X.509 checks, on certificates openssl makes (the same checks BYO, edge and keyless use). */
describeOpenssl('lib/x509', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-x509-'));
  const bench = new OpensslWorkbench(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let ec: ReturnType<OpensslWorkbench['caChain']>;
  let leaf: ReturnType<OpensslWorkbench['clientLeaf']>;
  beforeAll(() => {
    ec = bench.caChain('ec384', { key: { type: 'ec', curve: 'P-384' } });
    leaf = bench.clientLeaf('svc', ec.intermediate, { key: { type: 'ec', curve: 'P-256' }, digest: 'sha384' });
  });
  const x = (pem: string) => new X509Certificate(pem);

  it('describes keys and reads the signature algorithm from the DER', () => {
    expect(describeKey(x(ec.root.certPem).publicKey)).toEqual({ type: 'ec', bits: 384, curve: 'P-384', label: 'ECDSA P-384' });
    expect(signatureAlgorithm(x(leaf.certPem))).toEqual({ oid: '1.2.840.10045.4.3.3', name: 'ecdsa-with-SHA384', strong: true });
    expect(extendedKeyUsages(x(leaf.certPem))).toEqual(['clientAuth']);
  });

  it('measures chain length through the pool up to a self-signed root', () => {
    const pool = [x(ec.root.certPem), x(ec.intermediate.certPem)];
    expect(chainLength(x(leaf.certPem), pool)).toBe(3);
    expect(chainLength(pool[1], pool)).toBe(2);
    expect(chainLength(x(leaf.certPem), [])).toBe(1);
  });

  it('accepts a sound bundle and a sound leaf', () => {
    const cas = parseCertificates(ec.root.certPem + ec.intermediate.certPem);
    expect(truststoreProblems(cas)).toEqual([]);
    expect(leafProblems(x(leaf.certPem), cas, 'clientAuth')).toEqual([]);
    expect(leafProblems(x(leaf.certPem), cas, 'serverAuth')).toEqual(['"svc": lacks the extended key usage serverAuth (has: clientAuth)']);
  });

  it('judges expiry against the moment given', () => {
    const later = new Date(Date.now() + 400 * 86_400_000);
    expect(certificateProblems(x(leaf.certPem), { now: later })).toEqual([expect.stringMatching(/^expired on /)]);
  });

  it("recognises Cloudflare's shared origin-pull CA by subject, by issuer, and not otherwise", () => {
    const shared = bench.issue('cf', { subject: '/O=CloudFlare, Inc./OU=Origin Pull/CN=origin-pull.cloudflare.net', key: { type: 'ec', curve: 'P-256' }, ca: true, keyUsage: ['keyCertSign'] });
    const issuedByShared = bench.clientLeaf('cf-leaf', shared, { key: { type: 'ec', curve: 'P-256' } });
    expect(isCloudflareSharedOriginPullCa(x(shared.certPem))).toBe(true);
    expect(isCloudflareSharedOriginPullCa(x(issuedByShared.certPem))).toBe(true);
    expect(isCloudflareSharedOriginPullCa(x(ec.root.certPem))).toBe(false);
  });

  it("recognises the shared CA by its Origin Pull unit under a CloudFlare organisation, whatever its CN", () => {
    const renamed = bench.issue('cf-renamed', { subject: '/O=CloudFlare, Inc./OU=Origin Pull/CN=some other name', key: { type: 'ec', curve: 'P-256' }, ca: true, keyUsage: ['keyCertSign'] });
    const otherUnit = bench.issue('not-cf', { subject: '/O=Example/OU=Origin Pull/CN=origin pulls of example', key: { type: 'ec', curve: 'P-256' }, ca: true, keyUsage: ['keyCertSign'] });
    expect(isCloudflareSharedOriginPullCa(x(renamed.certPem))).toBe(true);
    expect(isCloudflareSharedOriginPullCa(x(otherUnit.certPem))).toBe(false);
  });

  it('says when a certificate is not yet or no longer valid', () => {
    const cert = x(leaf.certPem);
    expect(expiryProblem(cert)).toBeUndefined();
    expect(expiryProblem(cert, new Date(Date.now() - 2 * 3_600_000))).toMatch(/^not valid before \d{4}-/);
    expect(expiryProblem(cert, new Date(Date.now() + 400 * 86_400_000))).toMatch(/^expired on \d{4}-/);
  });

  it('keeps PEM blocks in order with their labels', () => {
    expect(parsePemBlocks(ec.root.certPem + leaf.keyPem).map((b) => b.label)).toEqual(['CERTIFICATE', 'PRIVATE KEY']);
  });

  it('finds PEM blocks leniently with pemSpans, and parsePemBlocks refuses what pemSpans tolerates', () => {
    const text = `notes before\n${ec.root.certPem}between\n${leaf.keyPem}`;
    expect(pemSpans(text).map((b) => [b.label, b.ownLines])).toEqual([['CERTIFICATE', true], ['PRIVATE KEY', true]]);
    expect(() => parsePemBlocks(text)).toThrow(/unexpected text outside PEM blocks: "notes before"/);
    const oneLine = ec.root.certPem.replace('-----BEGIN CERTIFICATE-----\n', '-----BEGIN CERTIFICATE-----');
    expect(pemSpans(oneLine)[0].breakAfterBegin).toBe(false);
    expect(() => parsePemBlocks(oneLine)).toThrow(/has no line break after its BEGIN line/);
  });
});
