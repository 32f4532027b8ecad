import Cloudflare from 'cloudflare';
import { dnsRecords } from '../../../tools/bypass/cloudflare';
import { dnsFindings } from '../../../tools/bypass/findings';
import { aRecord, cnameRecord, type FakeCloudflare, startFakeCloudflare } from '../../support/fake-cloudflare';

const ZONE = '0123456789abcdef0123456789abcdef';
const ctx = { environment: 'local', region: 'us-east-1', vpcCidr: '10.40.0.0/16', declaredHostnames: ['api.example.test'] };

describe('Cloudflare DNS collector, through the official SDK against a recorded-response fake', () => {
  let fake: FakeCloudflare;
  beforeAll(async () => {
    fake = await startFakeCloudflare(ZONE, [
      cnameRecord('r1', 'shadow.example.test', 'd-abc123.execute-api.us-east-1.amazonaws.com', false),
      aRecord('r2', 'keys.example.test', '10.40.1.10', false),
      cnameRecord('r3', 'api.example.test', 'd-def456.execute-api.us-east-1.amazonaws.com', true),
      aRecord('r4', 'www.example.test', '192.0.2.10', false),
      aRecord('r5', 'other.example.test', '10.41.0.5', false),
    ]);
  });
  afterAll(() => fake.stop());

  it('reads every page and finds exactly the unproxied CNAME to the regional name and the unproxied A into the VPC', async () => {
    const client = new Cloudflare({ apiToken: 'test-token', baseURL: fake.baseURL, maxRetries: 0 });
    const records = await dnsRecords(client, ZONE);
    expect(records.map((r) => r.id)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(fake.pagesServed).toEqual([1, 2, 3, 4]);
    expect(fake.lastAuthorization).toBe('Bearer test-token');
    const findings = dnsFindings(records, ctx);
    expect(findings.map((f) => f.resource)).toEqual(['dns record r1 (shadow.example.test CNAME)', 'dns record r2 (keys.example.test A)']);
    expect(findings.every((f) => f.kind === 'dns-unproxied-origin')).toBe(true);
  });

  it('an API error propagates instead of reading as a clean zone', async () => {
    const client = new Cloudflare({ apiToken: 't', baseURL: fake.baseURL, maxRetries: 0 });
    await expect(dnsRecords(client, 'ffffffffffffffffffffffffffffffff')).rejects.toThrow(/404/);
  });
});
