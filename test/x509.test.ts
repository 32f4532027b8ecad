import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  certificateProblems, chainLength, describeKey, extendedKeyUsages, isCloudflareSharedOriginPullCa, leafProblems, parseCertificates,
  parsePemBlocks, signatureAlgorithm, truststoreProblems,
} from '../lib/x509';
import { OpensslWorkbench, opensslUnavailableReason } from './support/openssl';

const unavailable = opensslUnavailableReason();
if (unavailable) console.warn(`SKIPPED lib/x509 tests: ${unavailable}`);
const describeOpenssl = unavailable ? describe.skip : describe;

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

  it('keeps PEM blocks in order with their labels', () => {
    expect(parsePemBlocks(ec.root.certPem + leaf.keyPem).map((b) => b.label)).toEqual(['CERTIFICATE', 'PRIVATE KEY']);
  });
});
