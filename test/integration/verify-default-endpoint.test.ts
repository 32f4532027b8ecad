import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { defaultEndpointCheck } from '../../tools/verify/checks';
import type { Endpoint } from '../../tools/verify/probe';
import { makeTestCertificates, opensslUnavailableReason, type TestCertificates } from '../support/openssl';
import { freePort } from '../support/processes';
import { describeUnless } from '../support/skip';

const describeOpenssl = describeUnless(opensslUnavailableReason(), 'test/integration/verify-default-endpoint.test.ts');

const HOST = 'abc123.execute-api.example.test';

/**
 * `default-endpoint-disabled` passes only when the endpoint is reached and closes its
 * door (HTTP 403, or a refusal during the TLS handshake). An endpoint that cannot be
 * reached proves nothing: DNS failure, connection refused and a silent server all fail.
 * Every server here is a real loopback listener.
 */
describeOpenssl('verify: the default endpoint is closed, not merely unreachable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verify-default-'));
  const servers: Server[] = [];
  let certs: TestCertificates;
  beforeAll(() => {
    certs = makeTestCertificates(dir, HOST);
  });
  const sockets = new Set<Socket>();
  afterAll(async () => {
    // close() waits for open connections (a silent server keeps its own): end them first.
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
    rmSync(dir, { recursive: true, force: true });
  });

  const listen = async <S extends Server | HttpsServer>(server: S): Promise<number> => {
    servers.push(server as Server);
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    const port = await freePort();
    await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
    return port;
  };
  const endpoint = (port: number, host = HOST, timeoutMs = 2000): Endpoint => ({
    url: new URL(`https://${host}:${port}/`),
    resolve: host === HOST ? new Map([[`${HOST}:${port}`, '127.0.0.1']]) : new Map(),
    timeoutMs,
  });
  const answering = (status: number) =>
    listen(createHttpsServer({ cert: certs.leafPem, key: certs.leafKeyPem }, (_req, res) => res.writeHead(status).end('{"message":"Forbidden"}')));

  it('passes on HTTP 403, what a disabled execute-api endpoint answers', async () => {
    const r = await defaultEndpointCheck(endpoint(await answering(403)));
    expect([r.status, r.detail]).toEqual(['pass', 'closed: HTTP 403 (disabled endpoint)']);
  });

  it('passes on a refusal during the TLS handshake', async () => {
    // Demands a client certificate from a CA the probe has none from.
    const port = await listen(createTlsServer({ cert: certs.leafPem, key: certs.leafKeyPem, ca: certs.caPem, requestCert: true, rejectUnauthorized: true }));
    const r = await defaultEndpointCheck(endpoint(port));
    expect(r.status).toBe('pass');
    expect(r.detail).toMatch(/^closed: refused at the TLS level \(/);
  });

  it('fails when the endpoint answers: the bypass is open', async () => {
    const r = await defaultEndpointCheck(endpoint(await answering(200)));
    expect([r.status, r.detail]).toEqual(['fail', 'answered HTTP 200: the execute-api endpoint bypasses mTLS']);
  });

  it('fails on a refused connection (nothing listens): unreachable, not closed', async () => {
    const r = await defaultEndpointCheck(endpoint(await freePort()));
    expect(r.status).toBe('fail');
    expect(r.detail).toMatch(/^unreachable \(ECONNREFUSED\): cannot tell whether the endpoint is disabled/);
  });

  it('fails on a name that does not resolve (a typo in the URL)', async () => {
    const r = await defaultEndpointCheck(endpoint(443, 'no-such-api.invalid'));
    expect(r.status).toBe('fail');
    expect(r.detail).toMatch(/^unreachable \((ENOTFOUND|EAI_AGAIN)\): cannot tell/);
  });

  it('fails on a server that accepts the connection and never answers', async () => {
    const silent = createTcpServer(() => undefined);
    const r = await defaultEndpointCheck(endpoint(await listen(silent), HOST, 300));
    expect(r.status).toBe('fail');
    expect(r.detail).toMatch(/^unreachable \(no answer within 300 ms\): cannot tell/);
  });

  it('fails on a server that hangs up without speaking TLS: no TLS refusal took place', async () => {
    // Accepting and closing at once is what a port forward to nothing looks like.
    const hangup = createTcpServer((socket) => socket.destroy());
    const r = await defaultEndpointCheck(endpoint(await listen(hangup)));
    expect(r.status).toBe('fail');
    expect(r.detail).toMatch(/^unreachable \((ECONNRESET|EPIPE|socket hang up)\): cannot tell/);
  });
});
