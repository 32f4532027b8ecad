import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { scanForSecrets } from '../../tools/policy/secret-scan';
import { CheckResult, runChecks } from '../../tools/verify/checks';
import { verifyInput, type VerifyFlags } from '../../tools/verify/input';
import { fromRoot } from '../../lib/paths';
import { baseEnvironment, envDir } from '../support/env-files';
import { freePort } from '../support/processes';
import type { RunningNginx } from '../support/nginx';
import { DEFAULT_HOST, EDGE_HOST, makePki, missingTlsTools, ORIGIN_HOST, startHarnessNginx, tempDir } from '../support/tls-harness';
import { EDGE_CHECKS, ORIGIN_CHECKS } from '../support/verify-checks';

/**
 * `npm run verify` against two loopback harnesses made of real nginx servers: one
 * configured like the intended origin and edge, one like a broken deployment. The
 * good one must pass every check; the bad one must fail, naming each broken check.
 */
const missing = missingTlsTools();
if (missing.length > 0) console.warn(`SKIPPED test/verify.test.ts: ${missing.join(', ')} not installed (.ci/run installs them)`);
const describeWithTools = missing.length > 0 ? describe.skip : describe;

const MODERN = 'ssl_protocols TLSv1.2 TLSv1.3;';
// OpenSSL 3 disables TLS 1.0/1.1 at its default security level; the broken harness lowers it on purpose.
const LEGACY = 'ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; ssl_ciphers DEFAULT:@SECLEVEL=0;';

describeWithTools('npm run verify against loopback harnesses', () => {
  const tmp = tempDir('edge-verify-');
  const servers: RunningNginx[] = [];
  const ports = { good: { origin: 0, edge: 0, closed: 0 }, bad: { origin: 0, edge: 0, default: 0 } };
  const file = (name: string) => join(tmp.dir, name);

  beforeAll(async () => {
    makePki(tmp.dir);
    for (const k of ['origin', 'edge', 'closed'] as const) ports.good[k] = await freePort();
    for (const k of ['origin', 'edge', 'default'] as const) ports.bad[k] = await freePort();
    servers.push(
      await startHarnessNginx(tmp.dir, 'good', [
        { port: ports.good.origin, host: ORIGIN_HOST, cert: 'server', directives: `${MODERN} ssl_client_certificate ${file('our-ca.pem')}; ssl_verify_client on; location / { return 200 "origin\\n"; }` },
        {
          port: ports.good.edge,
          host: EDGE_HOST,
          cert: 'server',
          directives: `${MODERN} ssl_client_certificate ${file('our-ca.pem')}; ssl_verify_client optional; location / { if ($ssl_client_verify != SUCCESS) { return 403; } return 200 "edge\\n"; }`,
        },
        // A disabled execute-api endpoint answers 403 Forbidden to everything.
        { port: ports.good.closed, host: DEFAULT_HOST, cert: 'server', directives: `${MODERN} location / { return 403; }` },
      ]),
      await startHarnessNginx(tmp.dir, 'bad', [
        // Trusts someone else's CA, does not insist on a certificate, and still speaks TLS 1.0.
        { port: ports.bad.origin, host: ORIGIN_HOST, cert: 'server-expiring', directives: `${LEGACY} ssl_client_certificate ${file('foreign-ca.pem')}; ssl_verify_client optional_no_ca; location / { return 200 "origin\\n"; }` },
        { port: ports.bad.edge, host: EDGE_HOST, cert: 'server', directives: `${LEGACY} location / { return 200 "edge\\n"; }` },
        { port: ports.bad.default, host: DEFAULT_HOST, cert: 'server', directives: `${MODERN} location / { return 200 "execute-api\\n"; }` },
      ]),
    );
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    tmp.cleanup();
  });

  const flagsFor = (p: { origin: number; edge: number }, defaultPort: number): VerifyFlags => ({
    originUrl: `https://${ORIGIN_HOST}:${p.origin}`,
    edgeUrl: `https://${EDGE_HOST}:${p.edge}`,
    defaultEndpointUrl: `https://${DEFAULT_HOST}:${defaultPort}`,
    ca: file('our-ca.pem'),
    cert: file('origin-pull.pem'),
    key: file('origin-pull.key'),
    serverCa: file('our-ca.pem'),
    resolve: [`${ORIGIN_HOST}:${p.origin}:127.0.0.1`, `${EDGE_HOST}:${p.edge}:127.0.0.1`, `${DEFAULT_HOST}:${defaultPort}:127.0.0.1`],
    timeoutMs: 5000,
  });
  const byId = (results: CheckResult[]) => (id: string) => results.filter((r) => r.id === id).map((r) => r.status);

  const EVERY_CHECK = [...ORIGIN_CHECKS, ...EDGE_CHECKS, 'default-endpoint-disabled', 'certificate-expiry'];

  it('the good harness passes every check', async () => {
    const results = await runChecks(verifyInput(flagsFor(ports.good, ports.good.closed)));
    expect([...new Set(results.map((r) => r.id))]).toEqual(EVERY_CHECK);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    const status = byId(results);
    expect(results.find((r) => r.id === 'origin-requests-client-cert')!.detail).toBe('asks for a certificate from ["CN=Edge Harness Root CA,O=Edge Harness"] only');
    expect(results.find((r) => r.id === 'default-endpoint-disabled')!.detail).toBe('closed: HTTP 403 (disabled endpoint)');
    // leaf + CA bundle + origin-pull certificate, each dated
    expect(status('certificate-expiry').length).toBeGreaterThanOrEqual(3);
  });

  it('the bad harness fails, naming each broken check', async () => {
    const results = await runChecks(verifyInput(flagsFor(ports.bad, ports.bad.default)));
    const status = byId(results);
    for (const id of ['origin-requests-client-cert', 'origin-rejects-no-cert', 'origin-rejects-foreign-cert', 'origin-tls-1.2-minimum', 'edge-blocks-without-cert', 'edge-tls-1.2-minimum', 'default-endpoint-disabled']) {
      expect([id, status(id)]).toEqual([id, ['fail']]);
    }
    const detail = (id: string) => results.find((r) => r.id === id)!.detail;
    expect(detail('origin-requests-client-cert')).toBe('acceptable CAs ["CN=Someone Else CA,O=Edge Harness"] do not include ours ["CN=Edge Harness Root CA,O=Edge Harness"]');
    expect(detail('origin-rejects-no-cert')).toBe('answered HTTP 200 to a client without a certificate');
    expect(detail('edge-tls-1.2-minimum')).toBe('accepted TLSv1 and TLSv1.1');
    expect(detail('edge-blocks-without-cert')).toMatch(/answered HTTP 200 without a client certificate; expected 403/);
    expect(detail('default-endpoint-disabled')).toMatch(/answered HTTP 200/);
    // The origin's server certificate expires in 5 days: a warning under the 30-day threshold.
    expect(results).toContainEqual(expect.objectContaining({ id: 'certificate-expiry', target: `origin chain: ${ORIGIN_HOST}`, status: 'warn', detail: expect.stringMatching(/\([45] days, under 30\)/) }));
  });

  describe('hostile PEM inputs are refused before any connection, naming the flag', () => {
    const pem = (name: string) => readFileSync(file(name), 'utf8');
    const write = (name: string, content: string | Buffer) => {
      writeFileSync(file(name), content);
      return file(name);
    };
    // [what, flag, file content maker, message]
    const cases: Array<[string, 'ca' | 'cert' | 'key', () => string | Buffer, RegExp]> = [
      ['a truncated CA bundle', 'ca', () => pem('our-ca.pem').slice(0, -40), /--ca: the PEM text is truncated: a "-----BEGIN" has no matching "-----END"/],
      ['a CA bundle with trailing garbage', 'ca', () => `${pem('our-ca.pem')}garbage after the certificate\n`, /--ca: unexpected text after the last PEM block: "garbage after the certificate"/],
      ['a DER CA', 'ca', () => Buffer.from(pem('our-ca.pem').replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'), /--ca: the file is binary \(DER\?\), not PEM/],
      ['a key where the CA is expected', 'ca', () => pem('our-ca.key'), /--ca: block 1 is a PRIVATE KEY, not a certificate/],
      ['a leaf where a CA is expected', 'ca', () => pem('origin-pull.pem'), /--ca: certificate 1 \(CN=Cloudflare origin pull\) is not a CA \(basicConstraints CA:FALSE\)/],
      ['a corrupted certificate body', 'ca', () => pem('our-ca.pem').replace(/\n[A-Za-z0-9+/]{64}\n/, '\nAAAA\n'), /--ca: block 1 is not a valid X\.509 certificate/],
      ['a certificate file that also holds its key', 'cert', () => pem('origin-pull.pem') + pem('origin-pull.key'), /--cert: block 2 is a PRIVATE KEY, not a certificate/],
      ['a chain where the client certificate alone is expected', 'cert', () => pem('origin-pull.pem') + pem('our-ca.pem'), /--cert: holds 2 certificates/],
      ['a certificate where the key is expected', 'key', () => pem('origin-pull.pem'), /--key: the file holds a "CERTIFICATE", not a private key/],
      ['a truncated key', 'key', () => pem('origin-pull.key').slice(0, 200), /--key: the PEM text is truncated/],
      ['an encrypted key', 'key', () => spawnSync('openssl', ['pkey', '-in', file('origin-pull.key'), '-aes256', '-passout', 'pass:secret'], { encoding: 'utf8' }).stdout, /--key: is an encrypted key/],
      ['the key of another certificate', 'key', () => pem('server.key'), /--key: is not the private key of the client certificate/],
    ];
    it.each(cases)('%s', (what, flag, make, message) => {
      const path = write(`hostile-${what.replace(/\W+/g, '-')}.pem`, make());
      expect(() => verifyInput({ ...flagsFor(ports.good, ports.good.closed), [flag]: path })).toThrow(message);
    });
  });

  it('fails the expiry check for every certificate once it has expired', async () => {
    const later = new Date(Date.now() + 2 * 365 * 24 * 3600 * 1000);
    const results = await runChecks({ ...verifyInput(flagsFor(ports.good, ports.good.closed)), now: later });
    const expiry = results.filter((r) => r.id === 'certificate-expiry');
    expect(expiry.length).toBeGreaterThanOrEqual(3);
    for (const r of expiry) expect(r).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^expired on \d{4}-\d{2}-\d{2}$/) });
  });

  const printed: string[] = [];
  const tsx = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(fromRoot('node_modules', '.bin', 'tsx'), [fromRoot('scripts', 'verify.ts'), ...args], { cwd: fromRoot(), env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60000 });
    printed.push(r.stdout, r.stderr);
    return r;
  };

  it('the CLI exits 1 against the bad harness and prints a table naming every failed check', () => {
    const f = flagsFor(ports.bad, ports.bad.default);
    const r = tsx([
      '--origin-url', f.originUrl!, '--edge-url', f.edgeUrl!, '--default-endpoint-url', f.defaultEndpointUrl!,
      '--ca', f.ca!, '--cert', f.cert!, '--key', f.key!, '--server-ca', f.serverCa!, ...f.resolve.flatMap((x) => ['--resolve', x]),
    ]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^STATUS\s+CHECK\s+TARGET\s+DETAIL/);
    expect(r.stdout).toMatch(/^FAIL\s+origin-rejects-no-cert\s+https:\/\/api\.example\.test:\d+\s+answered HTTP 200/m);
    expect(r.stdout).toMatch(/^WARN\s+certificate-expiry/m);
    expect(r.stdout).toMatch(
      /^FAIL: \d+ passed, \d+ warning\(s\), 7 failed \(origin-requests-client-cert, origin-rejects-no-cert, origin-rejects-foreign-cert, origin-tls-1\.2-minimum, edge-blocks-without-cert, edge-tls-1\.2-minimum, default-endpoint-disabled\)$/m,
    );
  });

  it('the CLI reads the verify section of an env file and exits 0 with --json against the good harness', () => {
    const f = flagsFor(ports.good, ports.good.closed);
    const env = { ...baseEnvironment('local'), verify: { originUrl: f.originUrl, edgeUrl: f.edgeUrl, defaultEndpointUrl: f.defaultEndpointUrl, caBundle: f.ca, clientCertificate: f.cert, clientKey: f.key, serverCaBundle: f.serverCa, resolve: f.resolve, warnDays: 10 } };
    const dir = envDir({ local: stringify(env) });
    try {
      const r = tsx(['--env', 'local', '--json'], { EDGE_ENVS_DIR: dir });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.passed).toBe(true);
      expect(out.results.map((x: CheckResult) => x.id)).toEqual(expect.arrayContaining(EVERY_CHECK));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never prints key material', () => {
    const keyBody = readFileSync(file('origin-pull.key'), 'utf8').split('\n')[1];
    expect(printed.join('').length).toBeGreaterThan(1000);
    expect(printed.join('')).not.toContain(keyBody);
    expect(scanForSecrets(printed)).toEqual([]);
  });
});
