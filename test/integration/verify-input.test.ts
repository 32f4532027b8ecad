import { X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { parse, stringify } from 'yaml';
import { loadEnvironment } from '../../envs/load';
import { caPin } from '../../lib/ca-pins';
import { ConfigError } from '../../lib/errors';
import { verifyInput } from '../../tools/verify/input';
import { ByoWorkspace } from '../support/byo-env';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { opensslUnavailableReason, type TestCertificate } from '../support/openssl';
import { describeUnless } from '../support/skip';

/** What `npm run verify` is told, from the env file or flags, is checked before any connection. */
const verify = {
  originUrl: 'https://api.example.test',
  caBundle: 'certs/ca.pem',
  clientCertificate: 'certs/origin-pull.pem',
  clientKey: 'certs/origin-pull.key',
};

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.file.replace(/^.*\//, '')}: ${p.field}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

function withEnv<T>(doc: Record<string, unknown>, fn: (dir: string) => T): T {
  const dir = envDir({ local: doc });
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the verify section of an env file', () => {
  const base = { ...baseEnvironment('local'), verify };


  it('is optional, and loads with defaults when present', () => {
    expect(loadEnvironment('dev').config.verify).toBeUndefined();
    // local's section points at the loopback stand-ins `npm run local -- up` starts.
    expect(loadEnvironment('local').config.verify?.originUrl).toBe('https://api.example.test:18443');
    withEnv(base, (dir) => expect(loadEnvironment('local', dir).config.verify).toEqual({ ...verify, resolve: [], warnDays: 30 }));
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a plain-http origin', withField(base, 'verify.originUrl', 'http://api.example.test'), /verify\.originUrl: expected an https URL/],
    ['key material instead of a path', withField(base, 'verify.clientKey', '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----'), /verify\.clientKey: expected the path of a PEM key file/],
    ['a malformed host mapping', withField(base, 'verify.resolve', ['api.example.test=127.0.0.1']), /verify\.resolve\[0\]: expected "host:port:address"/],
    ['a zero warning threshold', withField(base, 'verify.warnDays', 0), /verify\.warnDays: .*>=1/],
    ['an unknown field', withField(base, 'verify.clientKeyPem', 'x'), /verify\.clientKeyPem: unknown field; allowed here: originUrl, edgeUrl/],
  ])('refuses %s', (_what, doc, message) => {
    expect(withEnv(doc, (dir) => problems(() => loadEnvironment('local', dir))).join('\n')).toMatch(message);
  });
});

describe('verify inputs', () => {
  it('names every missing input with the env field or flag to set', () => {
    expect(withEnv(withField(baseEnvironment('local'), 'verify', undefined), (dir) => problems(() => verifyInput({ env: 'local', resolve: [] }, dir)))).toEqual([
      'local.yaml: verify.originUrl: missing: set verify.originUrl in the env file or pass --origin-url',
      'local.yaml: verify.caBundle: missing: set verify.caBundle in the env file or pass --ca',
      'local.yaml: verify.clientCertificate: missing: set verify.clientCertificate in the env file or pass --cert',
      'local.yaml: verify.clientKey: missing: set verify.clientKey in the env file or pass --key',
    ]);
  });

  it('resolves files from the env file folder and names the field of one that is missing', () => {
    const found = withEnv({ ...baseEnvironment('local'), verify }, (dir) => problems(() => verifyInput({ env: 'local', resolve: [] }, dir)));
    expect(found[0]).toMatch(/^local\.yaml: verify\.caBundle: ".*\/certs\/ca\.pem" does not exist; expected a PEM file$/);
    expect(found).toHaveLength(3);
  });

  it('lets flags override the env file and names the flag in problems', () => {
    const found = withEnv({ ...baseEnvironment('local'), verify }, (dir) =>
      problems(() => verifyInput({ env: 'local', originUrl: 'ftp://x', ca: '/nonexistent/ca.pem', resolve: ['bad'] }, dir)),
    );
    expect(found).toEqual(expect.arrayContaining([
      '(command line): --origin-url: expected an https URL such as "https://api.example.com" (got "ftp://x")',
      expect.stringMatching(/^\(command line\): --ca: "\/nonexistent\/ca\.pem" does not exist/),
      '(command line): --resolve: expected "host:port:address" (got "bad")',
    ]));
  });
});

describe('files verify is pointed at', () => {
  it('are read only when they are regular files: a device or a FIFO is refused at once instead of read forever', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-verify-fifo-'));
    try {
      const fifo = join(dir, 'client.pem');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const found = problems(() => verifyInput({ originUrl: 'https://api.example.com', ca: '/dev/zero', cert: fifo, key: dir, resolve: [] }));
      expect(found).toEqual([
        '(command line): --ca: "/dev/zero" is a device, not a regular file; expected a PEM file',
        `(command line): --cert: ${JSON.stringify(fifo)} is a FIFO (named pipe), not a regular file; expected a PEM file`,
        `(command line): --key: ${JSON.stringify(dir)} is a directory, not a regular file; expected a PEM file`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the CA bundle verify is told is ours', () => {
  // With a public or shared CA passed as "ours", every origin check would pass a deployment that trusts it.
  it("refuses a public root (copied from Node's store) before any connection, naming the flag", () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-public-ca-'));
    try {
      const publicRoot = rootCertificates.find((pem) => new X509Certificate(pem).subject.includes('CN=ISRG Root X1'))!;
      writeFileSync(join(dir, 'public.pem'), publicRoot);
      const found = withEnv({ ...baseEnvironment('local'), verify }, (envs) => problems(() => verifyInput({ env: 'local', ca: join(dir, 'public.pem'), resolve: [] }, envs)));
      expect(found).toContainEqual(expect.stringMatching(/^\(command line\): --ca: certificate #1 is refused: it is the publicly trusted root "ISRG Root X1"/));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeUnless(opensslUnavailableReason(), "verify's pinned CA bundle tests")('the CA bundle verify is told is ours, with a bring-your-own CA', () => {
  // The env file pins every CA key the truststore may hold; a CA swapped into verify's
  // bundle alone would make every origin check pass a truststore that trusts it.
  const ws = new ByoWorkspace();
  afterAll(() => ws.cleanup());
  let rogue: { root: TestCertificate; intermediate: TestCertificate };

  beforeAll(() => {
    const corp = ws.bench.caChain('corp', { key: { type: 'ec', curve: 'P-256' } });
    rogue = ws.bench.caChain('rogue', { key: { type: 'ec', curve: 'P-256' } });
    const originPull = ws.bench.clientLeaf('origin-pull', corp.intermediate, { key: { type: 'ec', curve: 'P-256' } });
    ws.file('corp-bundle.pem', corp.root.certPem + corp.intermediate.certPem);
    ws.file('origin-pull.pem', originPull.certPem);
    ws.file('origin-pull.key', originPull.keyPem);
    ws.file('with-rogue.pem', corp.root.certPem + corp.intermediate.certPem + rogue.root.certPem);
    ws.writeDev({
      mode: 'byo',
      caBundle: 'corp-bundle.pem',
      originPullClient: { certificate: 'origin-pull.pem', privateKey: { secretsManagerSecretId: 'edge/dev/origin-pull-key' } },
    });
    const dev = parse(readFileSync(join(ws.dir, 'dev.yaml'), 'utf8'));
    writeFileSync(join(ws.dir, 'dev.yaml'), stringify({ ...dev, verify: { ...verify, caBundle: 'corp-bundle.pem', clientCertificate: 'origin-pull.pem', clientKey: 'origin-pull.key' } }));
  });

  it('accepts the bundle whose every key the env file pins', () => {
    expect(verifyInput({ env: 'dev', resolve: [] }, ws.dir).caCertificates).toHaveLength(2);
  });

  it('refuses a CA the env file does not pin, from the env file or from --ca, with the pin line to add', () => {
    const pin = caPin(new X509Certificate(rogue.root.certPem));
    const unpinned = (file: string, field: string) =>
      `${file}: ${field}: certificate 3 ("rogue Root CA") has a key the env file does not pin; a CA is trusted only when pki.expectedCaKeys lists its key. ` +
      `If this is your CA, add the line \`- ${pin}\` under pki.expectedCaKeys (the review marks the change as a weakening)`;
    const dev = parse(readFileSync(join(ws.dir, 'dev.yaml'), 'utf8'));
    writeFileSync(join(ws.dir, 'dev.yaml'), stringify(withField(dev, 'verify.caBundle', 'with-rogue.pem')));
    expect(problems(() => verifyInput({ env: 'dev', resolve: [] }, ws.dir))).toEqual([unpinned('dev.yaml', 'verify.caBundle')]);
    writeFileSync(join(ws.dir, 'dev.yaml'), stringify(dev));
    expect(problems(() => verifyInput({ env: 'dev', ca: join(ws.dir, 'with-rogue.pem'), resolve: [] }, ws.dir))).toEqual([unpinned('(command line)', '--ca')]);
  });
});
