import Cloudflare from 'cloudflare';
import { allPages, dnsRecords } from '../../../tools/bypass/cloudflare';
import { dnsFindings } from '../../../tools/bypass/findings';
import { MAX_PAGES, PagingError } from '../../../lib/paging';
import { aRecord, cnameRecord, type FakeCloudflare, startFakeCloudflare } from '../../support/fake-cloudflare';

const ZONE = '0123456789abcdef0123456789abcdef';
const ctx = { environment: 'local', region: 'us-east-1', vpcCidr: '10.40.0.0/16', declaredHostnames: ['api.example.test'] };
const RECORDS = [
  cnameRecord('r1', 'shadow.example.test', 'd-abc123.execute-api.us-east-1.amazonaws.com', false),
  aRecord('r2', 'keys.example.test', '10.40.1.10', false),
  cnameRecord('r3', 'api.example.test', 'd-def456.execute-api.us-east-1.amazonaws.com', true),
  aRecord('r4', 'www.example.test', '192.0.2.10', false),
  aRecord('r5', 'other.example.test', '10.41.0.5', false),
];

describe('Cloudflare DNS collector, through the official SDK against a recorded-response fake', () => {
  let fake: FakeCloudflare;
  beforeAll(async () => {
    fake = await startFakeCloudflare(ZONE, RECORDS);
  });
  afterAll(() => fake.stop());

  it('reads every page and finds exactly the unproxied CNAME to the regional name and the unproxied A into the VPC', async () => {
    const client = new Cloudflare({ apiToken: 'test-token', baseURL: fake.baseURL, maxRetries: 0 });
    const records = await dnsRecords(client, ZONE);
    expect(records.map((r) => r.id)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    // Pages as the real API pages (result_info.total_pages = 3): the last page is the last request.
    expect(fake.pagesServed).toEqual([1, 2, 3]);
    expect(fake.lastAuthorization).toBe('Bearer test-token');
    const findings = dnsFindings(records, ctx);
    expect(findings.map((f) => f.resource)).toEqual(['dns record r1 (shadow.example.test CNAME)', 'dns record r2 (keys.example.test A)']);
    expect(findings.every((f) => f.kind === 'dns-unproxied-origin')).toBe(true);
  });

  it('a cursor-paged list is read to the page without a cursor, and no further', async () => {
    const cursor = await startFakeCloudflare(ZONE, RECORDS, { paging: 'cursor' });
    try {
      const client = new Cloudflare({ apiToken: 't', baseURL: cursor.baseURL, maxRetries: 0 });
      expect((await dnsRecords(client, ZONE)).map((r) => r.id)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
      expect(cursor.requests).toHaveLength(3);
      expect(cursor.requests[2]).toContain('cursor=4');
    } finally {
      await cursor.stop();
    }
  });

  it('a cursor the API repeats is an error, not an endless loop', async () => {
    const looping = await startFakeCloudflare(ZONE, []);
    try {
      const client = new Cloudflare({ apiToken: 't', baseURL: looping.baseURL, maxRetries: 0 });
      // An API that answers every page with the same cursor.
      const get = jest.spyOn(client, 'get').mockImplementation((() => Promise.resolve({ result: [{ id: 'x' }], result_info: { cursor: 'same' } })) as never);
      await expect(allPages(client, `/zones/${ZONE}/dns_records`)).rejects.toThrow(/cursor same twice; stopped instead of looping/);
      expect(get).toHaveBeenCalledTimes(2);
    } finally {
      await looping.stop();
    }
  });

  it('a page-numbered list whose API keeps answering past the end stops at total_pages', async () => {
    const client = new Cloudflare({ apiToken: 't', baseURL: fake.baseURL, maxRetries: 0 });
    const get = jest.spyOn(client, 'get').mockImplementation(((_: string, o: { query: { page: number } }) =>
      Promise.resolve({ result: [{ id: `p${o.query.page}` }], result_info: { page: o.query.page, per_page: 1, total_pages: 2 } })) as never);
    expect(await allPages(client, '/x', {}, 1)).toEqual([{ id: 'p1' }, { id: 'p2' }]);
    expect(get).toHaveBeenCalledTimes(2);
  });

  it('an API that ignores paging (the same page for ever, no total_pages, no cursor) is an error after its second page', async () => {
    const ignoring = await startFakeCloudflare(ZONE, RECORDS, { paging: 'ignored' });
    try {
      const client = new Cloudflare({ apiToken: 't', baseURL: ignoring.baseURL, maxRetries: 0 });
      await expect(dnsRecords(client, ZONE)).rejects.toThrow(
        new PagingError(`/zones/${ZONE}/dns_records: page 2 holds the same 2 items as page 1: the API ignores paging; stopped instead of looping`),
      );
      expect(ignoring.requests).toHaveLength(2);
    } finally {
      await ignoring.stop();
    }
  });

  it('a page that answers another page number than the one asked for is an error, not a loop', async () => {
    const client = new Cloudflare({ apiToken: 't', baseURL: fake.baseURL, maxRetries: 0 });
    const get = jest.spyOn(client, 'get').mockImplementation((() => Promise.resolve({ result: [{ id: 'x' }, { id: 'y' }], result_info: { page: 1, per_page: 2, total_pages: 9 } })) as never);
    await expect(allPages(client, '/x', {}, 2)).rejects.toThrow('/x: asked for page 2, the API answered page 1: it ignores paging; stopped instead of looping');
    expect(get).toHaveBeenCalledTimes(2);
  });

  it('past the page cap it stops with an error naming the list', async () => {
    const client = new Cloudflare({ apiToken: 't', baseURL: fake.baseURL, maxRetries: 0 });
    const get = jest.spyOn(client, 'get').mockImplementation(((_: string, o: { query: { page: number } }) =>
      Promise.resolve({ result: [{ id: `p${o.query.page}` }], result_info: { page: o.query.page, per_page: 1 } })) as never);
    await expect(allPages(client, '/x', {}, 1)).rejects.toThrow(`/x: more than ${MAX_PAGES} pages; stopped (the API keeps answering with a next page)`);
    expect(get).toHaveBeenCalledTimes(MAX_PAGES);
  });

  it('an API error propagates instead of reading as a clean zone', async () => {
    const client = new Cloudflare({ apiToken: 't', baseURL: fake.baseURL, maxRetries: 0 });
    await expect(dnsRecords(client, 'ffffffffffffffffffffffffffffffff')).rejects.toThrow(/404/);
  });
});
