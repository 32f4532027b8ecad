import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '../../envs/load';
import { caTrustRefusals } from '../../lib/ca-trust';
import { chainIndex, MAX_CA_BUNDLE_CERTIFICATES, MAX_SAME_SUBJECT } from '../../lib/chain-index';
import { systemPublicRoots } from '../../lib/public-roots';
import { ConfigError } from '../../lib/errors';
import { MAX_HOSTNAMES_PER_ENVIRONMENT } from '../../lib/hostnames';
import { pathLengthProblems } from '../../lib/path-length';
import { chainLength, truststoreProblems } from '../../lib/x509';
import { verifyInput } from '../../tools/verify/input';
import { BUDGET } from '../support/budget';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { OpensslWorkbench, opensslUnavailableReason, type TestCertificate } from '../support/openssl';
import { refusalLines } from '../support/refusal';
import { leavesUnchanged } from '../support/tree';
import { describeUnless } from '../support/skip';

const describeOpenssl = describeUnless(opensslUnavailableReason(), 'test/integration/bounded-work.test.ts');

/**
 * Issue 25, class 3: bounded work. A CA bundle holds at most MAX_CA_BUNDLE_CERTIFICATES
 * certificates and its chains are built once by indexing subjects (lib/chain-index), so
 * the worst bundle at the limit is checked within BUDGET.caBundleAtLimit; an environment
 * lists at most MAX_HOSTNAMES_PER_ENVIRONMENT hostnames.
 */
describeOpenssl('CA bundles: a stated limit, and linear work up to it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bounded-'));
  const bench = new OpensslWorkbench(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * The worst shape the limits allow: MAX_SAME_SUBJECT certificates share each subject, so
   * each certificate has that many candidate issuers, none hinted by a key identifier;
   * each is signed by the previous one's key (P-521, the slowest signature to verify):
   * one chain as deep as the bundle.
   */
  const groups = MAX_CA_BUNDLE_CERTIFICATES / MAX_SAME_SUBJECT;
  let sameName: X509Certificate[];
  beforeAll(() => {
    const key = { type: 'ec', curve: 'P-521' } as const;
    const chain: TestCertificate[] = [bench.certify('same-0', { subject: '/CN=Group 0', key })];
    for (let i = 1; i < MAX_CA_BUNDLE_CERTIFICATES; i++) chain.push(bench.certify(`same-${i}`, { subject: `/CN=Group ${i % groups}`, key, issuer: chain[i - 1] }));
    // Bundle order puts each real issuer last among its candidates.
    sameName = chain.map((c) => new X509Certificate(c.certPem)).reverse();
    // Node's and Debian's roots load once per process, whatever the bundle: not part of the timing.
    systemPublicRoots();
  }, BUDGET.test * 2);

  it(`the worst bundle at the limit (${MAX_CA_BUNDLE_CERTIFICATES} certificates, four per subject, one chain) is checked within its budget`, () => {
    const started = Date.now();
    const problems = [...truststoreProblems(sameName), ...pathLengthProblems(sameName)];
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(BUDGET.caBundleAtLimit);
    // It is refused, for its depth (API Gateway's limit of four), not for its size.
    expect(problems.some((p) => /sits \d+ certificates deep; API Gateway accepts chains of at most 4/.test(p))).toBe(true);
    expect(problems.some((p) => /at most 32 are accepted/.test(p))).toBe(false);
  });

  it('the chain depth is read from the index: the deepest certificate sits at the bundle size', () => {
    expect(chainLength(sameName[0], sameName)).toBe(MAX_CA_BUNDLE_CERTIFICATES);
    expect(chainLength(sameName[MAX_CA_BUNDLE_CERTIFICATES - 1], sameName)).toBe(1);
  });

  it.each([MAX_CA_BUNDLE_CERTIFICATES + 1, 64, 128, 1000])('%i certificates: one problem naming the limit, at once', (count) => {
    const bundle = Array.from({ length: count }, (_, i) => sameName[i % sameName.length]);
    chainIndex(sameName); // warm: the refusal must not depend on it
    const started = Date.now();
    expect(truststoreProblems(bundle)).toEqual([`the bundle holds ${count} certificates; at most 32 are accepted (a root and issuing CA per private CA, two generations during a rotation); split it or drop CAs no longer in use`]);
    expect(caTrustRefusals(bundle)).toEqual([{ index: MAX_CA_BUNDLE_CERTIFICATES, reason: expect.stringMatching(/^the bundle holds \d+ certificates; at most 32/) }]);
    expect(pathLengthProblems(bundle)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(BUDGET.npmCommand);
  });

  it(`${MAX_SAME_SUBJECT + 1} certificates sharing one subject: the extra one refused by name, and what it issued too`, () => {
    const key = { type: 'ec', curve: 'P-256' } as const;
    const same = Array.from({ length: MAX_SAME_SUBJECT + 1 }, (_, i) => bench.certify(`crowd-${i}`, { subject: '/CN=Crowded CA', key }));
    const child = bench.certify('crowd-child', { subject: '/CN=Under The Crowd', issuer: same[0], key });
    const bundle = [...same, child].map((c) => new X509Certificate(c.certPem));
    expect(caTrustRefusals(bundle).map((r) => `${r.index + 1}: ${r.reason}`)).toEqual([
      expect.stringMatching(/^5: it is one of 5 certificates of the bundle named "Crowded CA"; at most 4 may share a subject/),
      expect.stringMatching(/^6: its issuer name "Crowded CA" is shared by 5 certificates of the bundle; at most 4/),
    ]);
  });

  it('`verify --ca` with 40 certificates: ConfigError naming --ca, files unchanged', () => {
    const ca = bench.write('forty.pem', Array.from({ length: 40 }, (_, i) => sameName[i % sameName.length].toString()).join(''));
    const leaf = bench.certify('leaf', { subject: '/CN=client', issuer: { certPath: join(dir, 'same-0.crt'), keyPath: join(dir, 'same-0.key') }, ca: false });
    const refused = leavesUnchanged([dir], () => refusalLines(() => verifyInput({ originUrl: 'https://api.example.test', ca, cert: leaf.certPath, key: leaf.keyPath, resolve: [] })));
    expect(refused).toEqual([expect.stringMatching(/^\(command line\): --ca: certificate #33 is refused: the bundle holds 40 certificates; at most 32/)]);
  });
});

describe('hostnames per environment: a stated limit', () => {
  const withHosts = (count: number) => {
    const base = baseEnvironment('local');
    const first = base.hostnames[0];
    const zone = String(first.name).split('.').slice(1).join('.');
    return withField(base, 'hostnames', Array.from({ length: count }, (_, i) => ({ ...structuredClone(first), name: `h${i}.${zone}` })));
  };
  const load = (doc: Record<string, unknown>) => {
    const dir = envDir({ local: doc });
    try {
      return loadEnvironment('local', dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it(`${MAX_HOSTNAMES_PER_ENVIRONMENT} hostnames load`, () => {
    expect(load(withHosts(MAX_HOSTNAMES_PER_ENVIRONMENT)).config.hostnames).toHaveLength(MAX_HOSTNAMES_PER_ENVIRONMENT);
  });

  it.each([MAX_HOSTNAMES_PER_ENVIRONMENT + 1, 1000])('%i hostnames: one line naming local.yaml and hostnames, within a command budget', (count) => {
    const started = Date.now();
    let error: unknown;
    try {
      load(withHosts(count));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).problems.map((p) => `${p.file.replace(/^.*\//, '')}: ${p.field}: ${p.message}`);
    expect(lines).toEqual([expect.stringMatching(/^local\.yaml: hostnames: expected at most 50 protected hostnames per environment/)]);
    expect(Date.now() - started).toBeLessThan(BUDGET.npmCommand * 2);
  });
});
