import type Cloudflare from 'cloudflare';
import type { RecordResponse } from 'cloudflare/resources/dns/records';
import { MAX_PAGES, PagingError } from '../../lib/paging';
import type { DnsRecordInput } from './findings';

/** The v4 envelope of a list endpoint, with either page numbers or a cursor. */
interface ListEnvelope<T> {
  readonly result?: readonly T[] | null;
  readonly result_info?: {
    readonly page?: number;
    readonly per_page?: number;
    readonly total_pages?: number;
    readonly cursor?: string | null;
    readonly cursors?: { readonly after?: string | null } | null;
  } | null;
}

/**
 * Every item of a Cloudflare list endpoint, through the SDK's own request path (auth,
 * retries, base URL). Cloudflare pages two ways: page numbers with `total_pages`, or a
 * cursor (`result_info.cursor` / `cursors.after`). It stops on the last page by
 * `total_pages`, on an empty page, on a short page, and on a page WITHOUT a cursor when
 * the endpoint pages by cursor. An API that ignores paging is an error after its second
 * page, never an endless loop (the SDK's page-number pager only stops on an empty page):
 * a cursor seen before, a page that answers another page number than the one asked for,
 * or the same items as the page before; and more than MAX_PAGES pages is one too.
 */
export async function allPages<T>(client: Cloudflare, path: string, query: Record<string, string | number> = {}, perPage = 100): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let page = 1;
  let cursor: string | undefined;
  let previous: string | undefined;
  for (let n = 1; n <= MAX_PAGES; n++) {
    const q = cursor === undefined ? { ...query, page, per_page: perPage } : { ...query, cursor, per_page: perPage };
    const body = (await client.get(path, { query: q })) as ListEnvelope<T>;
    const items = body.result ?? [];
    out.push(...items);
    const info = body.result_info ?? {};
    const byCursor = 'cursor' in info || 'cursors' in info || cursor !== undefined;
    if (byCursor) {
      const next = info.cursor ?? info.cursors?.after ?? undefined;
      if (!next || items.length === 0) return out;
      if (seen.has(next)) throw new PagingError(`${path}: the API returned cursor ${next} twice; stopped instead of looping`);
      seen.add(next);
      cursor = next;
      continue;
    }
    if (items.length === 0) return out;
    if (info.page !== undefined && info.page !== page) throw new PagingError(`${path}: asked for page ${page}, the API answered page ${info.page}: it ignores paging; stopped instead of looping`);
    const content = JSON.stringify(items);
    if (content === previous) throw new PagingError(`${path}: page ${page} holds the same ${items.length} items as page ${page - 1}: the API ignores paging; stopped instead of looping`);
    previous = content;
    if (info.total_pages !== undefined && page >= info.total_pages) return out;
    if (info.total_pages === undefined && items.length < (info.per_page ?? perPage)) return out;
    page++;
  }
  throw new PagingError(`${path}: more than ${MAX_PAGES} pages; stopped (the API keeps answering with a next page)`);
}

/** Every DNS record of the zone (every page), reduced to what decides a bypass. */
export async function dnsRecords(client: Cloudflare, zoneId: string): Promise<DnsRecordInput[]> {
  return (await allPages<RecordResponse>(client, `/zones/${zoneId}/dns_records`)).map(toInput);
}

function toInput(r: RecordResponse): DnsRecordInput {
  return { id: r.id, name: r.name, type: r.type, content: 'content' in r && typeof r.content === 'string' ? r.content : '', proxied: r.proxied === true };
}
