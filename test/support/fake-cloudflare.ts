import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostnameAssociationGetResponse } from 'cloudflare/resources/certificate-authorities/hostname-associations';
import type { RecordResponse } from 'cloudflare/resources/dns/records';
import type { MTLSCertificate } from 'cloudflare/resources/mtls-certificates/mtls-certificates';
import type { AuthenticatedOriginPull } from 'cloudflare/resources/origin-tls-client-auth/hostnames';
import type { SettingGetResponse as OriginPullSettings } from 'cloudflare/resources/origin-tls-client-auth/settings';
import type { CertificateSettings } from 'cloudflare/resources/zero-trust/access/certificates/settings';
import type { SettingGetResponse as ZoneSetting } from 'cloudflare/resources/zones/settings';

/**
 * A recorded-response fake of the Cloudflare v4 API endpoints the bypass check and the
 * edge live audit read, on loopback. Every body is typed by the `cloudflare` SDK's own
 * response types, so a shape the SDK would not accept does not compile.
 *
 * Lists page the way the real API pages: `?page=N&per_page=M` with `result_info`
 * (`page`, `per_page`, `count`, `total_count`, `total_pages`) and an empty page past the
 * end (DNS records, mTLS certificates); with `paging: 'cursor'` a list answers with
 * `result_info.cursor` on every page but the last, whose `result_info` has NO cursor
 * (what a client must stop on). With `paging: 'ignored'` it behaves like an API (or a
 * careless fake) that knows nothing of paging: every request gets the same first page,
 * with `result_info` holding only `count` and `per_page`, for ever. Any other path
 * answers 404 in the v4 error shape.
 * The edge state is mutable: a test changes it out of band and audits again.
 */
export interface FakeEdgeState {
  accountId: string;
  /** Per-hostname Authenticated Origin Pulls, by hostname. */
  originPulls: Record<string, AuthenticatedOriginPull>;
  /** The zone-level AOP switch. */
  originPullSettings: OriginPullSettings;
  /** The account's mTLS certificates (API Shield CAs among them). */
  mtlsCertificates: MTLSCertificate[];
  /** Hostname associations by mTLS certificate id; `''` is Cloudflare's managed CA. */
  associations: Record<string, HostnameAssociationGetResponse>;
  /** Access mTLS hostname settings of the account. */
  accessSettings: CertificateSettings[];
  /** Zone settings by id (`ssl`, `min_tls_version`, ...). */
  zoneSettings: Record<string, ZoneSetting>;
}

export interface FakeCloudflare {
  /** Base URL for the SDK (`baseURL` or $CLOUDFLARE_BASE_URL). */
  readonly baseURL: string;
  /** Pages of DNS records served so far, e.g. [1, 2, 3]. */
  readonly pagesServed: number[];
  /** Every request, as `GET /path?query`. */
  readonly requests: string[];
  /** The Authorization header of the last request. */
  lastAuthorization?: string;
  /** DNS records of the zone (mutable). */
  records: RecordResponse[];
  /** The edge objects (mutable). */
  readonly edge: FakeEdgeState;
  stop(): Promise<void>;
}

export interface FakeCloudflareOptions {
  /** @default 2 */
  readonly pageSize?: number;
  /** @default 'pages' */
  readonly paging?: 'pages' | 'cursor' | 'ignored';
  /** @default an account with nothing on it */
  readonly edge?: Partial<FakeEdgeState>;
}

const RECORDED = { created_on: '2026-01-01T00:00:00Z', modified_on: '2026-01-01T00:00:00Z', meta: {}, ttl: 1 } as const;

/** One record as the list endpoint returns it. */
export function cnameRecord(id: string, name: string, content: string, proxied: boolean): RecordResponse.CNAMERecord {
  return { ...RECORDED, id, name, type: 'CNAME', content, proxied, proxiable: true, settings: {}, tags: [] };
}

export function aRecord(id: string, name: string, content: string, proxied: boolean): RecordResponse.ARecord {
  return { ...RECORDED, id, name, type: 'A', content, proxied, proxiable: true, settings: {}, tags: [] };
}

export function aaaaRecord(id: string, name: string, content: string, proxied: boolean): RecordResponse.AAAARecord {
  return { ...RECORDED, id, name, type: 'AAAA', content, proxied, proxiable: true, settings: {}, tags: [] };
}

/** A CA uploaded to the account's mTLS certificate store. */
export function mtlsCa(id: string, name: string): MTLSCertificate {
  return { id, name, ca: true, certificates: '-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n', issuer: `CN=${name}`, expires_on: '2030-01-01T00:00:00Z', serial_number: '1', signature: 'SHA256WithRSA', uploaded_on: '2026-01-01T00:00:00Z' };
}

/** Per-hostname AOP as GET /origin_tls_client_auth/hostnames/{hostname} returns it. */
export function originPull(hostname: string, certId: string, enabled: boolean | null): AuthenticatedOriginPull {
  return { hostname, cert_id: certId, enabled, status: 'active', cert_status: 'active' };
}

export async function startFakeCloudflare(zoneId: string, records: readonly RecordResponse[], options: number | FakeCloudflareOptions = {}): Promise<FakeCloudflare> {
  const o: FakeCloudflareOptions = typeof options === 'number' ? { pageSize: options } : options;
  const pageSize = o.pageSize ?? 2;
  const edge: FakeEdgeState = { accountId: '', originPulls: {}, originPullSettings: { enabled: false }, mtlsCertificates: [], associations: {}, accessSettings: [], zoneSettings: {}, ...o.edge };
  const fake = { pagesServed: [] as number[], requests: [] as string[], records: [...records], edge, lastAuthorization: undefined as string | undefined };

  const ok = (result: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ success: true, errors: [], messages: [], result, ...extra });
  const notFound = (what: string) => JSON.stringify({ success: false, errors: [{ code: 7003, message: `Could not route to ${what}` }], messages: [], result: null });

  /** A list, paged as the real API pages it (page numbers), or by cursor. */
  const paged = (items: readonly unknown[], url: URL, onPage?: (n: number) => void): string => {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? pageSize), pageSize);
    if (o.paging === 'ignored') {
      const result = items.slice(0, perPage);
      onPage?.(1);
      return ok(result, { result_info: { count: result.length, per_page: perPage } });
    }
    if (o.paging === 'cursor') {
      const start = Number(url.searchParams.get('cursor') ?? '0');
      const result = items.slice(start, start + perPage);
      onPage?.(start / perPage + 1);
      const next = start + perPage < items.length ? String(start + perPage) : undefined;
      return ok(result, { result_info: { count: result.length, per_page: perPage, ...(next ? { cursor: next } : {}) } });
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    onPage?.(page);
    const result = items.slice((page - 1) * perPage, page * perPage);
    return ok(result, { result_info: { page, per_page: perPage, count: result.length, total_count: items.length, total_pages: Math.ceil(items.length / perPage) } });
  };

  const route = (method: string, url: URL): [number, string] => {
    const p = url.pathname;
    const zone = `/zones/${zoneId}`;
    const account = `/accounts/${edge.accountId}`;
    if (method !== 'GET') return [405, notFound(p)];
    if (p === `${zone}/dns_records`) return [200, paged(fake.records, url, (n) => fake.pagesServed.push(n))];
    const aop = new RegExp(`^${zone}/origin_tls_client_auth/hostnames/([^/]+)$`).exec(p);
    if (aop) {
      const found = edge.originPulls[decodeURIComponent(aop[1])];
      return found ? [200, ok(found)] : [404, notFound(p)];
    }
    if (p === `${zone}/origin_tls_client_auth/settings`) return [200, ok(edge.originPullSettings)];
    if (p === `${zone}/certificate_authorities/hostname_associations`) return [200, ok(edge.associations[url.searchParams.get('mtls_certificate_id') ?? ''] ?? { hostnames: [] })];
    const setting = new RegExp(`^${zone}/settings/([a-z0-9_]+)$`).exec(p);
    if (setting) {
      const found = edge.zoneSettings[setting[1]];
      return found ? [200, ok(found)] : [404, notFound(p)];
    }
    if (edge.accountId && p === `${account}/mtls_certificates`) return [200, paged(edge.mtlsCertificates, url)];
    if (edge.accountId && p === `${account}/access/certificates/settings`) return [200, ok(edge.accessSettings)];
    return [404, notFound(p)];
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    fake.lastAuthorization = req.headers.authorization;
    fake.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const [status, body] = route(req.method ?? 'GET', url);
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    baseURL: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
