import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordResponse } from 'cloudflare/resources/dns/records';

/**
 * A recorded-response fake of Cloudflare's DNS records list endpoint
 * (GET /zones/{zone_id}/dns_records?page=N): the v4 envelope with `result_info`, pages
 * of `pageSize` records, an empty page past the end (what the API returns and the SDK
 * stops on). Records are typed by the SDK's own response type, so a shape the SDK
 * would not accept does not compile. Any other path answers 404 in the v4 error shape.
 */
export interface FakeCloudflare {
  /** Base URL for the SDK (`baseURL` or $CLOUDFLARE_BASE_URL). */
  readonly baseURL: string;
  /** Pages served so far, e.g. [1, 2, 3]. */
  readonly pagesServed: number[];
  /** The Authorization header of the last request. */
  lastAuthorization?: string;
  stop(): Promise<void>;
}

const RECORDED = { created_on: '2026-01-01T00:00:00Z', modified_on: '2026-01-01T00:00:00Z', meta: {}, ttl: 1 } as const;

/** One record as the list endpoint returns it. */
export function cnameRecord(id: string, name: string, content: string, proxied: boolean): RecordResponse.CNAMERecord {
  return { ...RECORDED, id, name, type: 'CNAME', content, proxied, proxiable: true, settings: {}, tags: [] };
}

export function aRecord(id: string, name: string, content: string, proxied: boolean): RecordResponse.ARecord {
  return { ...RECORDED, id, name, type: 'A', content, proxied, proxiable: true, settings: {}, tags: [] };
}

export async function startFakeCloudflare(zoneId: string, records: readonly RecordResponse[], pageSize = 2): Promise<FakeCloudflare> {
  const pagesServed: number[] = [];
  const fake: { lastAuthorization?: string } = {};
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    fake.lastAuthorization = req.headers.authorization;
    res.setHeader('content-type', 'application/json');
    if (req.method !== 'GET' || url.pathname !== `/zones/${zoneId}/dns_records`) {
      res.statusCode = 404;
      res.end(JSON.stringify({ success: false, errors: [{ code: 7003, message: `Could not route to ${url.pathname}` }], messages: [], result: null }));
      return;
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    pagesServed.push(page);
    const result = records.slice((page - 1) * pageSize, page * pageSize);
    res.end(JSON.stringify({ success: true, errors: [], messages: [], result, result_info: { page, per_page: pageSize, count: result.length, total_count: records.length, total_pages: Math.ceil(records.length / pageSize) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    baseURL: `http://127.0.0.1:${port}`,
    pagesServed,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
