import Cloudflare from 'cloudflare';
import { allPages, dnsRecords } from '../../../tools/bypass/cloudflare';
import { dnsFindings } from '../../../tools/bypass/findings';
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
    const get = jest.spyOn(client, 'get').mockImplementation((() => Promise.resolve({ result: [{ id: 'same' }], result_info: { page: 1, per_page: 1, total_pages: 2 } })) as never);
    expect(await allPages(client, '/x', {}, 1)).toHaveLength(2);
    expect(get).toHaveBeenCalledTimes(2);
  });

  it('an API error propagates instead of reading as a clean zone', async () => {
    const client = new Cloudflare({ apiToken: 't', baseURL: fake.baseURL, maxRetries: 0 });
    await expect(dnsRecords(client, 'ffffffffffffffffffffffffffffffff')).rejects.toThrow(/404/);
  });
});
