import { spawnSync } from 'node:child_process';
import type { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oneLineDn } from '../../lib/x509';
import { certificateRequest, ClientIdentity, Endpoint, handshake, HandshakeOptions, httpsGet, HttpResult, rfc2253Subject } from './probe';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable id: `origin-rejects-no-cert`. */
  readonly id: string;
  /** What was checked: a URL, or a certificate. */
  readonly target: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

/** Everything the checks need, already read from disk. */
export interface VerifyInput {
  readonly origin: Endpoint;
  readonly edge?: Endpoint;
  readonly defaultEndpoint?: Endpoint;
  /** Our CA certificates: the only ones the origin may accept. */
  readonly caCertificates: readonly X509Certificate[];
  /** The origin-pull client certificate and key. */
  readonly client: ClientIdentity & { readonly certificate: X509Certificate };
  /** A certificate from a CA that is not ours. @default a throwaway one made with openssl */
  readonly foreignClient?: ClientIdentity;
  readonly serverCa?: Buffer;
  readonly warnDays: number;
  /** For expiry arithmetic. @default now */
  readonly now?: Date;
}

/** HTTP answers that mean "refused for lack of a valid client certificate". */
const REFUSED = new Set([400, 401, 403, 495, 496]);

/** Why the answer counts as a refusal; an unreachable endpoint refused nothing and is not one. */
function refused(r: HttpResult): string | undefined {
  if (r.error) return r.failure === 'tls' ? `refused at the TLS level (${r.error})` : undefined;
  if (REFUSED.has(r.status!)) return `refused with HTTP ${r.status}`;
  return undefined;
}

/** A client certificate from a CA nobody trusts, made on the spot (never written anywhere lasting). */
export function makeForeignClient(): ClientIdentity {
  const dir = mkdtempSync(join(tmpdir(), 'verify-foreign-'));
  try {
    const r = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=npm run verify foreign client'],
      { stdio: 'pipe', timeout: 10000 },
    );
    if (r.status !== 0) throw new Error(`openssl could not make a foreign test certificate: ${r.stderr?.toString().trim() || r.error?.message}`);
    return { cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'k.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const show = (e: Endpoint) => e.url.origin;

async function originChecks(input: VerifyInput, add: (r: CheckResult) => void): Promise<X509Certificate[]> {
  const { origin, client } = input;
  const target = show(origin);
  const withClient: HandshakeOptions = { client, serverCa: input.serverCa };

  const request = await certificateRequest(origin);
  const ours = input.caCertificates.map(rfc2253Subject);
  const foreign = request.acceptableCas.filter((n) => !ours.includes(n));
  const missing = ours.filter((n) => !request.acceptableCas.includes(n));
  add({
    id: 'origin-requests-client-cert',
    target,
    status: request.requested && missing.length === 0 && foreign.length === 0 ? 'pass' : 'fail',
    detail: request.error
      ? `could not read the handshake: ${request.error}`
      : !request.requested
        ? 'the server sent no CertificateRequest: mutual TLS is off'
        : missing.length > 0
          ? `acceptable CAs ${JSON.stringify(request.acceptableCas)} do not include ours ${JSON.stringify(missing)}`
          : foreign.length > 0
            ? `acceptable CAs include others than ours: ${JSON.stringify(foreign)} (the shared-CA trap)`
            : `asks for a certificate from ${JSON.stringify(ours)} only`,
  });

  const none = await httpsGet(origin, { serverCa: input.serverCa });
  const noneRefused = refused(none);
  add({ id: 'origin-rejects-no-cert', target, status: noneRefused ? 'pass' : 'fail', detail: noneRefused ?? answered(none, 'to a client without a certificate') });

  const ok = await httpsGet(origin, withClient);
  const okRefused = refused(ok);
  add({
    id: 'origin-accepts-origin-pull-cert',
    target,
    status: !okRefused && ok.status !== undefined && ok.status < 500 ? 'pass' : 'fail',
    detail: okRefused ? `the origin-pull certificate was ${okRefused}` : answered(ok, 'with the origin-pull certificate'),
  });

  const foreignClient = input.foreignClient ?? makeForeignClient();
  const other = await httpsGet(origin, { client: foreignClient, serverCa: input.serverCa });
  const otherRefused = refused(other);
  add({ id: 'origin-rejects-foreign-cert', target, status: otherRefused ? 'pass' : 'fail', detail: otherRefused ?? answered(other, 'to a certificate from another CA') });

  return tlsChecks('origin', origin, withClient, add);
}

/** TLS 1.0 and 1.1 must be refused, TLS 1.2+ accepted, and the server certificate trusted. */
async function tlsChecks(name: string, e: Endpoint, options: HandshakeOptions, add: (r: CheckResult) => void): Promise<X509Certificate[]> {
  const target = show(e);
  const legacy: string[] = [];
  for (const v of ['TLSv1', 'TLSv1.1'] as const) {
    const r = await handshake(e, { ...options, minVersion: v, maxVersion: v });
    if (r.ok) legacy.push(r.protocol ?? v);
  }
  const modern = await handshake(e, { ...options, minVersion: 'TLSv1.2' });
  add({
    id: `${name}-tls-1.2-minimum`,
    target,
    status: legacy.length === 0 && modern.ok ? 'pass' : 'fail',
    detail: legacy.length > 0 ? `accepted ${legacy.join(' and ')}` : modern.ok ? `refused TLS 1.0/1.1, negotiated ${modern.protocol}` : `no TLS 1.2+ handshake: ${modern.error}`,
  });
  if (modern.ok) {
    add({
      id: `${name}-server-cert-trusted`,
      target,
      status: modern.authorized ? 'pass' : 'fail',
      detail: modern.authorized ? `chain of ${modern.chain.length} verified` : `server certificate not trusted: ${modern.authorizationError}`,
    });
  }
  return [...modern.chain];
}

async function edgeChecks(edge: Endpoint, input: VerifyInput, add: (r: CheckResult) => void): Promise<X509Certificate[]> {
  const r = await httpsGet(edge, { serverCa: input.serverCa });
  add({
    id: 'edge-blocks-without-cert',
    target: show(edge),
    status: r.status === 403 ? 'pass' : 'fail',
    detail: r.status === 403 ? 'HTTP 403 without a client certificate' : r.error ? `no HTTP answer: ${r.error}` : `answered HTTP ${r.status} without a client certificate; expected 403 from the WAF rule`,
  });
  return tlsChecks('edge', edge, { serverCa: input.serverCa }, add);
}

/**
 * The execute-api endpoint must be closed: HTTP 403 (what a disabled endpoint answers)
 * or a refusal at the TLS level. An endpoint that cannot be reached at all (a typo, a
 * DNS failure, a firewall, a timeout) proves nothing and fails the check.
 */
export async function defaultEndpointCheck(e: Endpoint): Promise<CheckResult> {
  const r = await httpsGet(e);
  const [status, detail]: [CheckStatus, string] =
    r.status === 403
      ? ['pass', 'closed: HTTP 403 (disabled endpoint)']
      : r.failure === 'tls'
        ? ['pass', `closed: refused at the TLS level (${r.error})`]
        : r.error
          ? ['fail', `unreachable (${r.error}): cannot tell whether the endpoint is disabled; check the URL, DNS and network and run again`]
          : ['fail', `answered HTTP ${r.status}: the execute-api endpoint bypasses mTLS`];
  return { id: 'default-endpoint-disabled', target: show(e), status, detail };
}

/** What an answer that is not a refusal was, for a failed check's detail. */
function answered(r: HttpResult, what: string): string {
  return r.error ? `unreachable (${r.error}): the check could not be made` : `answered HTTP ${r.status} ${what}`;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function expiryChecks(sources: [string, readonly X509Certificate[]][], input: VerifyInput, add: (r: CheckResult) => void): void {
  const now = (input.now ?? new Date()).getTime();
  const seen = new Set<string>();
  for (const [source, certs] of sources) {
    for (const cert of certs) {
      const key = `${source}|${cert.fingerprint256}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const from = Date.parse(cert.validFrom);
      const to = Date.parse(cert.validTo);
      const days = Math.floor((to - now) / DAY_MS);
      const cn = cert.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? oneLineDn(cert.subject);
      const status: CheckStatus = now < from || now > to ? 'fail' : days < input.warnDays ? 'warn' : 'pass';
      add({
        id: 'certificate-expiry',
        target: `${source}: ${cn}`,
        status,
        detail: now < from ? `not valid before ${new Date(from).toISOString().slice(0, 10)}` : now > to ? `expired on ${new Date(to).toISOString().slice(0, 10)}` : `expires ${new Date(to).toISOString().slice(0, 10)} (${days} days${status === 'warn' ? `, under ${input.warnDays}` : ''})`,
      });
    }
  }
}

/** Runs every check that the input has a target for, in a fixed order. */
export async function runChecks(input: VerifyInput): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (r: CheckResult) => results.push(r);
  const originChain = await originChecks(input, add);
  const edgeChain = input.edge ? await edgeChecks(input.edge, input, add) : [];
  if (input.defaultEndpoint) add(await defaultEndpointCheck(input.defaultEndpoint));
  expiryChecks(
    [
      ['origin chain', originChain],
      ['edge chain', edgeChain],
      ['CA bundle', input.caCertificates],
      ['origin-pull certificate', [input.client.certificate]],
    ],
    input,
    add,
  );
  return results;
}

/** A fixed-width table, one row per check, then a summary line. */
export function formatTable(results: readonly CheckResult[]): string {
  const w = [6, Math.max(5, ...results.map((r) => r.id.length)), Math.max(6, ...results.map((r) => r.target.length))];
  const lines = [['STATUS', 'CHECK', 'TARGET', 'DETAIL'].map((h, i) => (i < 3 ? h.padEnd(w[i]) : h)).join('  ')];
  for (const r of results) lines.push([r.status.toUpperCase().padEnd(w[0]), r.id.padEnd(w[1]), r.target.padEnd(w[2]), r.detail].join('  '));
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  const failed = results.filter((r) => r.status === 'fail').map((r) => r.id);
  lines.push(`${failed.length === 0 ? 'PASS' : 'FAIL'}: ${count('pass')} passed, ${count('warn')} warning(s), ${count('fail')} failed${failed.length ? ` (${[...new Set(failed)].join(', ')})` : ''}`);
  return lines.join('\n');
}
