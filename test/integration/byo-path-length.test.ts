import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { Asn1Error } from '../../lib/asn1';
import { ConfigError } from '../../lib/errors';
import { loadCaBundleFile, type PemFileRef } from '../../lib/pem-files';
import { basicConstraints, pathLengthProblems } from '../../lib/path-length';
import { buildApp } from '../../stacks/app';
import { ByoWorkspace } from '../support/byo-env';
import { opensslUnavailableReason, type TestCertificate } from '../support/openssl';
import { describeUnless } from '../support/skip';

const describeOpenssl = describeUnless(opensslUnavailableReason(), 'bring-your-own path length tests');

/**
 * Bring-your-own CA bundles report the path length each CA really carries (read from
 * the DER, 0 written apart from none written) and are refused when their chain would
 * let a sub-CA under the issuing CA be trusted. openssl verify is the referee: every
 * chain refused here is one where openssl accepts a client issued by such a sub-CA.
 */
describeOpenssl('BYO CA bundles: the path length each CA really carries', () => {
  const ws = new ByoWorkspace();
  afterAll(() => ws.cleanup());
  const caUsage = ['keyCertSign', 'cRLSign', 'digitalSignature'];
  const key = { type: 'ec', curve: 'P-256' } as const;

  /** A root -> intermediate chain with the given path lengths (undefined: none written). */
  function chain(name: string, rootPathLength: number | undefined, intermediatePathLength: number | undefined) {
    const root = ws.bench.issue(`${name}-root`, { subject: `/CN=${name} Root CA/O=Test`, key, ca: true, pathLength: rootPathLength, keyUsage: caUsage });
    const intermediate = ws.bench.issue(`${name}-int`, {
      subject: `/CN=${name} Intermediate CA/O=Test`, key, issuer: root, ca: true, pathLength: intermediatePathLength, keyUsage: caUsage,
    });
    return { root, intermediate, bundle: ws.file(`${name}-bundle.pem`, root.certPem + intermediate.certPem) };
  }
  const ref = (path: string): PemFileRef => ({ envFile: 'envs/dev.yaml', baseDir: ws.dir, field: 'pki.caBundle', path });
  const x = (c: TestCertificate) => new X509Certificate(c.certPem);
  function refusal(path: string): string {
    try {
      loadCaBundleFile(ref(path));
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.map((p) => `${p.field}: ${p.message}`).join('\n');
      throw e;
    }
    throw new Error(`expected ${path} to be refused`);
  }
  /** Whether openssl verify accepts a client issued by a sub-CA made under `intermediate`. */
  function opensslTrustsSubCa(name: string, c: { root: TestCertificate; intermediate: TestCertificate }): boolean {
    const sub = ws.bench.issue(`${name}-sub`, { subject: `/CN=${name} Sub CA`, key, issuer: c.intermediate, ca: true, keyUsage: caUsage });
    const leaf = ws.bench.clientLeaf(`${name}-sub-leaf`, sub, { key });
    const untrusted = ws.file(`${name}-untrusted.pem`, c.intermediate.certPem + sub.certPem);
    try {
      ws.bench.run(['verify', '-x509_strict', '-CAfile', c.root.certPath, '-untrusted', untrusted, leaf.certPath]);
      return true;
    } catch {
      return false;
    }
  }

  it('root pathlen 1 + intermediate pathlen 0 (OpenSSL-made): accepted, and 0 is reported as written, not as absent', () => {
    const c = chain('strict', 1, 0);
    expect(basicConstraints(x(c.intermediate).raw)).toEqual({ present: true, ca: true, pathLength: 0 });
    expect(loadCaBundleFile(ref(c.bundle)).constraints).toBe('root "strict Root CA": CA, pathlen 1; intermediate "strict Intermediate CA": CA, pathlen 0');
    expect(opensslTrustsSubCa('strict', c)).toBe(false);
  });

  it('root pathlen 1 + intermediate without a path length (what tls 4.2.x writes): accepted, the root forbids the sub-CA', () => {
    const c = chain('tls-shaped', 1, undefined);
    expect(basicConstraints(x(c.intermediate).raw)).toEqual({ present: true, ca: true, pathLength: undefined });
    expect(loadCaBundleFile(ref(c.bundle)).constraints).toBe('root "tls-shaped Root CA": CA, pathlen 1; intermediate "tls-shaped Intermediate CA": CA, no path length constraint');
    expect(opensslTrustsSubCa('tls-shaped', c)).toBe(false);
  });

  it('root without a path length + intermediate pathlen 0: accepted, the intermediate forbids the sub-CA', () => {
    const c = chain('int-limited', undefined, 0);
    expect(loadCaBundleFile(ref(c.bundle)).constraints).toBe('root "int-limited Root CA": CA, no path length constraint; intermediate "int-limited Intermediate CA": CA, pathlen 0');
    expect(opensslTrustsSubCa('int-limited', c)).toBe(false);
  });

  it('neither root nor intermediate constrained: refused, naming each CA with what it carries and the fix', () => {
    const c = chain('open', undefined, undefined);
    expect(opensslTrustsSubCa('open', c)).toBe(true);
    expect(refusal(c.bundle)).toBe(
      'pki.caBundle: open-bundle.pem: issuing CA "open Intermediate CA": its chain lets any number of CAs below it be trusted ' +
        '(root "open Root CA": CA, no path length constraint; intermediate "open Intermediate CA": CA, no path length constraint); ' +
        'expected the issuing CA to carry pathlen 0 (openssl: basicConstraints = critical, CA:TRUE, pathlen:0) or the root a path length equal to the number of intermediates below it',
    );
  });

  it('root pathlen 2 over an unconstrained intermediate: refused, one sub-CA would still be trusted', () => {
    const c = chain('loose', 2, undefined);
    expect(opensslTrustsSubCa('loose', c)).toBe(true);
    expect(refusal(c.bundle)).toMatch(/issuing CA "loose Intermediate CA": its chain lets 1 more CA below it be trusted \(root "loose Root CA": CA, pathlen 2;/);
  });

  it('a lone root issuing leaves itself must carry pathlen 0', () => {
    const open = ws.bench.issue('lone-open', { subject: '/CN=Lone Open CA', key, ca: true, keyUsage: caUsage });
    const closed = ws.bench.issue('lone-closed', { subject: '/CN=Lone Closed CA', key, ca: true, pathLength: 0, keyUsage: caUsage });
    expect(refusal(ws.file('lone-open.pem', open.certPem))).toMatch(/issuing CA "Lone Open CA": its chain lets any number of CAs below it be trusted \(root "Lone Open CA": CA, no path length constraint\)/);
    expect(loadCaBundleFile(ref(ws.file('lone-closed.pem', closed.certPem))).constraints).toBe('root "Lone Closed CA": CA, pathlen 0');
  });

  it('an intermediate below a root with pathlen 0 breaks the chain and is refused (no client under it could connect)', () => {
    const c = chain('broken', 0, 0);
    expect(refusal(c.bundle)).toMatch(/issuing CA "broken Intermediate CA": "broken Intermediate CA" sits below "broken Root CA" deeper than its path length allows/);
  });

  it('during a rotation overlap each generation is judged on its own: only the open one is named', () => {
    const good = chain('gen-old', 1, undefined);
    const bad = chain('gen-new', undefined, undefined);
    const both = ws.file('overlap.pem', good.root.certPem + good.intermediate.certPem + bad.root.certPem + bad.intermediate.certPem);
    const problems = pathLengthProblems([good.root, good.intermediate, bad.root, bad.intermediate].map(x));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^issuing CA "gen-new Intermediate CA"/);
    expect(refusal(both)).toMatch(/gen-new Intermediate CA/);
    const next = chain('gen-next', undefined, 0);
    const overlap = ws.file('good-overlap.pem', good.root.certPem + good.intermediate.certPem + next.root.certPem + next.intermediate.certPem);
    expect(loadCaBundleFile(ref(overlap)).constraints).toBe(
      'root "gen-old Root CA": CA, pathlen 1; intermediate "gen-old Intermediate CA": CA, no path length constraint; ' +
        'root "gen-next Root CA": CA, no path length constraint; intermediate "gen-next Intermediate CA": CA, pathlen 0',
    );
  });

  it('the refusal reaches the env file before anything is synthesized', () => {
    const c = chain('env', undefined, undefined);
    const leaf = ws.file('env-leaf.pem', ws.bench.clientLeaf('env-origin-pull', c.intermediate, { key }).certPem);
    ws.writeDev({ mode: 'byo', caBundle: c.bundle, originPullClient: { certificate: leaf, privateKey: { terraformVariable: 'origin_pull_key' } } });
    expect(() => buildApp({ selector: 'dev', envsDir: ws.dir, outdir: join(ws.dir, 'out') })).toThrow(/dev\.yaml: pki\.caBundle: env-bundle\.pem: issuing CA "env Intermediate CA": its chain lets any number of CAs below it be trusted/);
  });
});

/** Hand-built DER: the reader refuses what no CA should write instead of guessing. */
describe('basicConstraints is read from the DER strictly', () => {
  const tlv = (tag: number, ...parts: Buffer[]) => {
    const body = Buffer.concat(parts);
    return Buffer.concat([Buffer.from([tag, body.length]), body]);
  };
  const oidBc = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x13]);
  const ext = (value: Buffer, critical = true) => tlv(0x30, oidBc, ...(critical ? [Buffer.from([0x01, 0x01, 0xff])] : []), tlv(0x04, value));
  /** A certificate skeleton: only the fields the reader walks, filled with placeholders. */
  const cert = (...extensions: Buffer[]) => {
    const name = tlv(0x30);
    const tbs = tlv(0x30, tlv(0xa0, Buffer.from([0x02, 0x01, 0x02])), Buffer.from([0x02, 0x01, 0x01]), tlv(0x30), name, tlv(0x30), name, tlv(0x30), tlv(0xa3, tlv(0x30, ...extensions)));
    return tlv(0x30, tbs, tlv(0x30, Buffer.from([0x06, 0x01, 0x2a])), Buffer.from([0x03, 0x01, 0x00]));
  };
  const bc = (...fields: Buffer[]) => tlv(0x30, ...fields);
  const TRUE = Buffer.from([0x01, 0x01, 0xff]);

  it('tells pathlen 0 written from no pathlen', () => {
    expect(basicConstraints(cert(ext(bc(TRUE, Buffer.from([0x02, 0x01, 0x00])))))).toEqual({ present: true, ca: true, pathLength: 0 });
    expect(basicConstraints(cert(ext(bc(TRUE))))).toEqual({ present: true, ca: true, pathLength: undefined });
    expect(basicConstraints(cert(ext(bc(), false)))).toEqual({ present: true, ca: false, pathLength: undefined });
    expect(basicConstraints(cert())).toEqual({ present: false, ca: false });
  });

  it.each([
    ['a negative path length', cert(ext(bc(TRUE, Buffer.from([0x02, 0x01, 0xff])))), /negative INTEGER/],
    ['a padded path length', cert(ext(bc(TRUE, Buffer.from([0x02, 0x02, 0x00, 0x01])))), /not minimally encoded/],
    ['a huge path length', cert(ext(bc(TRUE, Buffer.from([0x02, 0x05, 0x7f, 0xff, 0xff, 0xff, 0xff])))), /too large/],
    ['a non-DER boolean', cert(ext(bc(Buffer.from([0x01, 0x01, 0x01])))), /not a DER BOOLEAN/],
    ['two basicConstraints', cert(ext(bc(TRUE)), ext(bc(TRUE, Buffer.from([0x02, 0x01, 0x00])))), /more than once/],
    ['trailing fields', cert(ext(bc(TRUE, Buffer.from([0x02, 0x01, 0x00]), Buffer.from([0x05, 0x00])))), /unexpected field/],
  ])('refuses %s', (_what, der, message) => {
    expect(() => basicConstraints(der)).toThrow(Asn1Error);
    expect(() => basicConstraints(der)).toThrow(message);
  });
});
