import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleTruststoreBundle } from '../../modules/pki/bundle';
import { extendedKeyUsages, MAX_TRUSTSTORE_CHAIN_DEPTH, parseCertificates, signatureAlgorithm, truststoreProblems, describeKey } from '../../lib/x509';
import { publishedParameter } from '../support/custody';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { curlGet, nginxUnavailableReason, startMtlsNginx, type MtlsNginx } from '../support/nginx';
import { asn1Time, hoursFromNow, OpensslWorkbench, opensslUnavailableReason } from '../support/openssl';
import { realizedValue, realizeTlsResources, type RealizedTls } from '../support/realize-tls';
import { onlyResource, synthStacks, type StackJson } from '../support/synth';
import { describeUnless } from '../support/skip';

const describeHandshake = describeUnless(opensslUnavailableReason() ?? nginxUnavailableReason(), 'mTLS handshake test');

/**
 * The PKI the dev environment describes, made real with openssl, guarding a real
 * nginx with `ssl_verify_client on` and the truststore bundle assembled as the
 * origin stack assembles it. Only the origin-pull (and named client) certificates
 * may pass.
 */
describeHandshake('mTLS handshake against the synthesized PKI (openssl + nginx + curl)', () => {
  const hostname = 'api.dev.example.com';
  const env = withField(
    withField(baseEnvironment('dev'), 'origin', { serverCertificate: 'imported-own-ca' }),
    'pki',
    { mode: 'generated', clientCertificates: [{ name: 'billing-service', keyAlgorithm: 'ECDSA_P384', validityDays: 90, earlyRenewalDays: 10 }] },
  );
  const envs = envDir({ dev: env });
  const stacks = synthStacks('dev', envs);
  const pki = stacks.get('dev-pki')!;
  const origin = stacks.get('dev-origin')!;
  const work = mkdtempSync(join(tmpdir(), 'edge-handshake-'));
  const bench = new OpensslWorkbench(work);
  let realized: RealizedTls;
  let bundlePem: string;
  let bundlePath: string;
  let nginx: MtlsNginx | undefined;

  /** The PEM a value the pki (custody) stack publishes evaluates to, given the origin's read of it. */
  const published = (read: string) => realizedValue(realized, publishedParameter(pki, origin, read).insecure_value);

  beforeAll(async () => {
    realized = realizeTlsResources(pki, bench);
    // The truststore object's content reads, in order, the CA certificates the pki stack
    // publishes to SSM; evaluate it with the stack's own assembler.
    const content: string = onlyResource(origin, 'aws_s3_object').content;
    const reads = [...content.matchAll(/data\.aws_ssm_parameter\.[\w-]+\.insecure_value/g)].map((m) => m[0]);
    bundlePem = assembleTruststoreBundle(reads.map(published));
    bundlePath = join(work, 'truststore.pem');
    writeFileSync(bundlePath, bundlePem);

    const server = serverCertificate(pki, realized);
    nginx = await startMtlsNginx({
      dir: join(work, 'nginx'),
      serverCertPath: server.certPath,
      serverKeyPath: server.keyPath,
      clientCaBundlePath: bundlePath,
      verifyDepth: MAX_TRUSTSTORE_CHAIN_DEPTH,
    });
  });
  afterAll(async () => {
    await nginx?.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(envs, { recursive: true, force: true });
  });

  const leaf = (idPart: string) => {
    const [address] = [...realized.certificates.keys()].filter((a) => a.includes(idPart) && a.startsWith('tls_locally_signed_cert.'));
    if (!address) throw new Error(`no realized certificate matching ${idPart}`);
    return realized.certificates.get(address)!;
  };
  const lastVerifyError = () => nginx!.errorLog().split('\n').filter((l) => l.includes('verify error')).pop() ?? '';
  const get = (cert?: { certPath: string; keyPath: string }) =>
    curlGet({ hostname, port: nginx!.port, caPath: bundlePath, certPath: cert?.certPath, keyPath: cert?.keyPath });

  it('realizes what the provider writes: a root (pathlen 1) -> intermediate (no pathlen) chain and CA:FALSE leaves', () => {
    const root = new X509Certificate(realized.certificates.get(addressOf(pki, 'tls_self_signed_cert', 'RootCertificate'))!.certPem);
    const intermediate = new X509Certificate(leaf('IntermediateCertificate').certPem);
    const originPull = new X509Certificate(leaf('OriginPullClient').certPem);
    expect(root.ca && intermediate.ca).toBe(true);
    expect(bench.run(['x509', '-in', leaf('IntermediateCertificate').certPath, '-noout', '-ext', 'basicConstraints'])).toMatch(/CA:TRUE\n/);
    expect(bench.run(['x509', '-in', realized.certificates.get(addressOf(pki, 'tls_self_signed_cert', 'RootCertificate'))!.certPath, '-noout', '-ext', 'basicConstraints'])).toMatch(/CA:TRUE, pathlen:1/);
    expect(describeKey(root.publicKey).label).toBe('RSA 4096');
    expect(originPull.ca).toBe(false);
    expect(describeKey(originPull.publicKey).label).toBe('RSA 2048');
    expect(extendedKeyUsages(originPull)).toEqual(['clientAuth']);
    const extensions = bench.run(['x509', '-in', leaf('OriginPullClient').certPath, '-noout', '-ext', 'keyUsage,basicConstraints,extendedKeyUsage']);
    expect(extensions).toMatch(/CA:FALSE/);
    expect(extensions).toMatch(/Digital Signature, Key Encipherment\n/);
    expect(extensions).toMatch(/TLS Web Client Authentication\n/);
    expect(describeKey(new X509Certificate(leaf('billing-service').certPem).publicKey).label).toBe('ECDSA P-384');
    expect(signatureAlgorithm(originPull).name).toBe('sha256WithRSAEncryption');
    const days = (new Date(originPull.validTo).getTime() - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(730);
  });

  it('the truststore bundle meets API Gateway rules: CAs only, chain <= 4, strong keys, SHA-256+', () => {
    const certs = parseCertificates(bundlePem);
    expect(certs.map((c) => c.subject.split('\n').find((l) => l.startsWith('CN=')))).toEqual(['CN=Edge mTLS Root CA G1', 'CN=Edge mTLS Intermediate CA G1']);
    expect(truststoreProblems(certs)).toEqual([]);
  });

  it('origin-pull client certificate -> 200', () => {
    const r = get(leaf('OriginPullClient'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(200);
    expect(r.body).toContain('CN=Edge mTLS Cloudflare origin pull');
  });

  it('a named service client certificate (ECDSA P-384) -> 200', () => {
    expect(get(leaf('billing-service')).status).toBe(200);
  });

  it('no client certificate -> rejected', () => {
    const r = get();
    expect(r.status).toBe(400);
    expect(r.body).toContain('No required SSL certificate was sent');
  });

  it("a certificate from another CA (stand-in for Cloudflare's shared origin-pull CA) -> rejected", () => {
    const shared = bench.issue('cf-shared-root', {
      subject: '/C=US/O=CloudFlare, Inc./OU=Origin Pull/L=San Francisco/ST=California/CN=origin-pull.cloudflare.net',
      key: { type: 'rsa', bits: 2048 }, ca: true, keyUsage: ['keyCertSign', 'cRLSign'],
    });
    const attacker = bench.clientLeaf('attacker-zone', shared);
    const r = get(attacker);
    expect(r.status).toBe(400);
    expect(r.body).toContain('The SSL certificate error');
    expect(lastVerifyError()).toMatch(/verify error: \(21:unable to verify the first certificate\)/);
  });

  it('a certificate from our CA without clientAuth -> rejected', () => {
    const serverOnly = bench.clientLeaf('server-only', leaf('IntermediateCertificate'), { extendedKeyUsage: ['serverAuth'] });
    const r = get(serverOnly);
    expect(r.status).toBe(400);
    expect(lastVerifyError()).toMatch(/verify error: \(26:unsuitable certificate purpose\)/);
  });

  it('a sub-CA issued under our intermediate is refused by openssl verify and by nginx: the root\'s path length 1 forbids it (the intermediate itself carries none, as tls 4.2.x writes it)', () => {
    const intermediate = leaf('IntermediateCertificate');
    const sub = bench.issue('rogue-sub-ca', { subject: '/CN=Rogue Sub CA/O=Test', issuer: intermediate, ca: true, keyUsage: ['keyCertSign', 'cRLSign'], key: { type: 'ec', curve: 'P-256' } });
    const rogue = bench.clientLeaf('rogue-client', sub, { key: { type: 'ec', curve: 'P-256' } });
    // Control: the same leaf issued directly by the intermediate verifies, so only the extra CA level is refused.
    const direct = bench.clientLeaf('direct-client', intermediate, { key: { type: 'ec', curve: 'P-256' } });
    const verify = (certPath: string, untrusted?: string) =>
      spawnSync('openssl', ['verify', '-CAfile', bundlePath, ...(untrusted ? ['-untrusted', untrusted] : []), '-purpose', 'sslclient', certPath], { encoding: 'utf8' });
    expect(verify(direct.certPath).status).toBe(0);
    const refused = verify(rogue.certPath, sub.certPath);
    expect(refused.status).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/error 25 at \d+ depth lookup: path length constraint exceeded/);

    const chainPath = join(work, 'rogue-chain.pem');
    writeFileSync(chainPath, rogue.certPem + sub.certPem);
    const r = get({ certPath: chainPath, keyPath: rogue.keyPath });
    expect(r.status).toBe(400);
    expect(lastVerifyError()).toMatch(/verify error: \(25:path length constraint exceeded\)/);
  });

  it('an expired certificate from our CA -> rejected', () => {
    const expired = bench.clientLeaf('expired-client', leaf('IntermediateCertificate'), {
      notBefore: asn1Time(hoursFromNow(-72)), notAfter: asn1Time(hoursFromNow(-24)),
    });
    const r = get(expired);
    expect(r.status).toBe(400);
    expect(lastVerifyError()).toMatch(/verify error: \(10:certificate has expired\)/);
  });
});

function addressOf(stack: StackJson, type: string, idPart: string): string {
  const names = Object.keys(stack.resource[type] ?? {}).filter((n) => n.includes(idPart));
  if (names.length !== 1) throw new Error(`expected one ${type} matching ${idPart}, found ${names.join(', ') || 'none'}`);
  return `${type}.${names[0]}`;
}

/** The realized own-CA server certificate (mode imported-own-ca), with its key. */
function serverCertificate(pki: StackJson, realized: RealizedTls) {
  return realized.certificates.get(addressOf(pki, 'tls_locally_signed_cert', 'ServerCertificate'))!;
}
