import { spawn } from 'node:child_process';
import type { LookupFunction } from 'node:net';
import { request } from 'node:https';
import { connect, type PeerCertificate, type SecureVersion } from 'node:tls';
import { X509Certificate } from 'node:crypto';

/** How to reach one endpoint: its URL plus the host mappings that replace DNS. */
export interface Endpoint {
  readonly url: URL;
  /** `host:port` -> address, like curl --resolve. */
  readonly resolve: ReadonlyMap<string, string>;
  readonly timeoutMs: number;
}

export interface ClientIdentity {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export const port = (url: URL) => Number(url.port || 443);

/** The address to dial: a --resolve mapping when there is one, else the hostname (DNS). */
export function dialAddress(e: Endpoint): string {
  return e.resolve.get(`${e.url.hostname}:${port(e.url)}`) ?? e.url.hostname;
}

function lookupFor(e: Endpoint): LookupFunction | undefined {
  const mapped = e.resolve.get(`${e.url.hostname}:${port(e.url)}`);
  if (!mapped) return undefined;
  const family = mapped.includes(':') ? 6 : 4;
  return ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) =>
    options?.all ? cb(null, [{ address: mapped, family }]) : cb(null, mapped, family)) as unknown as LookupFunction;
}

export interface HandshakeResult {
  readonly ok: boolean;
  readonly protocol?: string;
  /** Whether the server certificate chains to the trusted roots (`serverCa` or the system's). */
  readonly authorized?: boolean;
  readonly authorizationError?: string;
  /** The chain the server presented, leaf first. */
  readonly chain: readonly X509Certificate[];
  readonly error?: string;
}

export interface HandshakeOptions {
  readonly client?: ClientIdentity;
  readonly serverCa?: Buffer;
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
}

/** Presented chain from node's linked PeerCertificate list (it loops at the root). */
function chainOf(peer: PeerCertificate & { issuerCertificate?: PeerCertificate }): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  let cur: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = peer;
  while (cur?.raw && !seen.has(cur.fingerprint256)) {
    seen.add(cur.fingerprint256);
    out.push(new X509Certificate(cur.raw));
    cur = cur.issuerCertificate as typeof cur;
  }
  return out;
}

/**
 * One real TLS handshake. Server verification is recorded, not enforced, so one
 * untrusted certificate does not hide what the other checks would find.
 */
export function handshake(e: Endpoint, options: HandshakeOptions = {}): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    const legacy = options.maxVersion === 'TLSv1' || options.maxVersion === 'TLSv1.1';
    const socket = connect({
      host: dialAddress(e),
      port: port(e.url),
      servername: e.url.hostname,
      ca: options.serverCa,
      cert: options.client?.cert,
      key: options.client?.key,
      minVersion: options.minVersion,
      maxVersion: options.maxVersion,
      // OpenSSL 3 refuses TLS 1.0/1.1 at its default security level even as a client;
      // to test that the *server* refuses them, the client must be willing to try.
      ciphers: legacy ? 'DEFAULT@SECLEVEL=0' : undefined,
      rejectUnauthorized: false,
      timeout: e.timeoutMs,
    });
    const done = (r: HandshakeResult) => {
      socket.destroy();
      resolve(r);
    };
    socket.once('secureConnect', () =>
      done({
        ok: true,
        protocol: socket.getProtocol() ?? undefined,
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
        chain: chainOf(socket.getPeerCertificate(true)),
      }),
    );
    socket.once('timeout', () => done({ ok: false, chain: [], error: `no handshake within ${e.timeoutMs} ms` }));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, chain: [], error: err.code ?? err.message }));
  });
}

export interface HttpResult {
  readonly status?: number;
  readonly error?: string;
  /**
   * With `error`: how far the connection got. `unreachable` (DNS, refused, no route, no
   * answer in time, or a hang-up without any TLS) says nothing about the endpoint's
   * configuration; `tls` (a TLS alert during the handshake, or a hang-up after it, before
   * any HTTP answer) is the endpoint closing its door.
   */
  readonly failure?: 'unreachable' | 'tls';
}

/** A GET over TLS; a failed handshake or connection is an `error`, not an exception. */
export function httpsGet(e: Endpoint, options: HandshakeOptions = {}): Promise<HttpResult> {
  return new Promise((resolve) => {
    let connected = false;
    let secured = false;
    let timedOut = false;
    const req = request(
      {
        host: e.url.hostname,
        port: port(e.url),
        path: `${e.url.pathname}${e.url.search}`,
        method: 'GET',
        servername: e.url.hostname,
        lookup: lookupFor(e),
        ca: options.serverCa,
        cert: options.client?.cert,
        key: options.client?.key,
        rejectUnauthorized: false,
        agent: false,
        timeout: e.timeoutMs,
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode }));
        res.once('error', () => resolve({ status: res.statusCode }));
      },
    );
    req.once('socket', (socket) => {
      socket.once('connect', () => (connected = true));
      socket.once('secureConnect', () => (secured = true));
    });
    req.once('timeout', () => {
      timedOut = true;
      req.destroy(new Error(`no answer within ${e.timeoutMs} ms`));
    });
    req.once('error', (err: NodeJS.ErrnoException) => {
      // A TLS refusal is an alert during the handshake, or a hang-up after it (TLS 1.3
      // rejects a client certificate after the client finished). A server that accepts the
      // connection and then says nothing, or hangs up without speaking TLS, shows nothing.
      const tlsAlert = /^(ERR_SSL_|EPROTO$)/.test(err.code ?? '');
      resolve({ error: err.code ?? err.message, failure: connected && !timedOut && (secured || tlsAlert) ? 'tls' : 'unreachable' });
    });
    req.end();
  });
}

export interface CertificateRequestInfo {
  /** Whether the server asked for a client certificate during the handshake. */
  readonly requested: boolean;
  /** The CA names it listed as acceptable, RFC 2253 form. */
  readonly acceptableCas: readonly string[];
  readonly error?: string;
}

/**
 * The server's CertificateRequest, read with `openssl s_client`: node's TLS API does
 * not expose the acceptable-CA list, and s_client prints it reliably.
 */
export function certificateRequest(e: Endpoint): Promise<CertificateRequestInfo> {
  return new Promise((resolve) => {
    const address = dialAddress(e);
    const child = spawn(
      'openssl',
      ['s_client', '-connect', `${address.includes(':') ? `[${address}]` : address}:${port(e.url)}`, '-servername', e.url.hostname, '-nameopt', 'RFC2253'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), e.timeoutMs);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.stdin.end();
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ requested: false, acceptableCas: [], error: `openssl could not run: ${err.message}` });
    });
    child.once('close', () => {
      clearTimeout(timer);
      const m = out.match(/Acceptable client certificate CA names\n([\s\S]*?)\n(?:Requested Signature Algorithms|Client Certificate Types|Peer signing digest|Server Temp Key|---)/);
      if (m) resolve({ requested: true, acceptableCas: m[1].split('\n').map((l) => l.trim()).filter(Boolean) });
      else if (/No client certificate CA names sent/.test(out)) resolve({ requested: true, acceptableCas: [] });
      else if (/CONNECTED\(/.test(out)) resolve({ requested: false, acceptableCas: [] });
      else resolve({ requested: false, acceptableCas: [], error: out.split('\n').find((l) => /error|refused|errno/i.test(l)) ?? 'no TLS connection' });
    });
  });
}

/** Subject of a certificate in the RFC 2253 form openssl prints (most specific RDN first). */
export function rfc2253Subject(cert: X509Certificate): string {
  return cert.subject
    .split('\n')
    .reverse()
    .map((rdn) => rdn.replace(/([,+"\\<>;])/g, '\\$1'))
    .join(',');
}
