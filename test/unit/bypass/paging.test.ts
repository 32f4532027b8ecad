import Cloudflare from 'cloudflare';
import { resolveEnvironments } from '../../../envs/resolve';
import { forEachPage, MAX_PAGES, PagingError } from '../../../lib/paging';
import { httpApis, publicAddresses, restApis, restDomains, type AwsClients } from '../../../tools/bypass/aws';
import { bypassCommand } from '../../../tools/bypass/command';
import { cnameRecord, startFakeCloudflare } from '../../support/fake-cloudflare';

/**
 * Every pager stops: on a page without a next token, on a token it has already
 * followed, and past a page cap, each with one line naming the list. An API (or a fake
 * of one) that ignores paging and answers the same page for ever once kept
 * `npm run drift -- --bypass` spinning for 16 minutes without a word.
 */
describe('forEachPage', () => {
  const pages = (tokens: (string | undefined)[]) => {
    const asked: (string | undefined)[] = [];
    const fetch = async (token: string | undefined) => {
      asked.push(token);
      return { next: tokens[asked.length - 1] };
    };
    return { asked, fetch };
  };

  it('stops on the first page without a next token (missing, null or empty)', async () => {
    for (const end of [undefined, null, '']) {
      const { asked, fetch } = pages(['a', 'b', end as string | undefined]);
      await forEachPage('list', fetch, (p) => p.next, () => undefined);
      expect(asked).toEqual([undefined, 'a', 'b']);
    }
  });

  it('a token it has already followed is an error after that page, not a loop', async () => {
    const { asked, fetch } = pages(['a', 'b', 'a', 'b']);
    await expect(forEachPage('GetRestApis', fetch, (p) => p.next, () => undefined)).rejects.toThrow(
      new PagingError('GetRestApis: the API returned the next-page token "a" twice (after 3 pages); stopped instead of looping'),
    );
    expect(asked).toHaveLength(3);
  });

  it('past the page cap it stops with an error naming the list', async () => {
    let n = 0;
    await expect(forEachPage('DescribeInstances', async () => ++n, (p) => `t${p}`, () => undefined, 5)).rejects.toThrow(
      'DescribeInstances: more than 5 pages; stopped (the API keeps answering with a next page)',
    );
    expect(n).toBe(5);
    expect(MAX_PAGES).toBe(1000);
  });
});

/** AWS clients whose every call answers the same page with the same next token, for ever. */
function ignoringAws(): AwsClients & { calls: () => number } {
  let calls = 0;
  const send = async () => {
    calls++;
    return { items: [], Items: [], Reservations: [], SecurityGroups: [], Regions: [], Addresses: [], position: 'same', NextToken: 'same' };
  };
  const client = { send } as never;
  return { apiGateway: client, apiGatewayV2: client, ec2: client, s3: client, calls: () => calls };
}

describe('the AWS pagers of the bypass check against an API that ignores paging', () => {
  it.each([
    ['GetRestApis', (c: AwsClients) => restApis(c.apiGateway), 2],
    ['GetApis', (c: AwsClients) => httpApis(c.apiGatewayV2), 2],
    ['GetDomainNames', (c: AwsClients) => restDomains(c.apiGateway), 2],
    // One DescribeAddresses call first, then the instances' pages.
    ['DescribeInstances', (c: AwsClients) => publicAddresses(c.ec2), 3],
  ])('%s: an error after the second page', async (name, list, calls) => {
    const aws = ignoringAws();
    await expect(list(aws)).rejects.toThrow(`${name}: the API returned the next-page token "same" twice (after 2 pages); stopped instead of looping`);
    expect(aws.calls()).toBe(calls);
  });
});

describe('npm run drift -- --bypass against a fake Cloudflare API that ignores paging', () => {
  it('stops after the second page (two requests, not a loop), exit 1, with one line naming the list', async () => {
    const env = resolveEnvironments('local').selected[0];
    const zone = env.config.cloudflare.zoneId;
    const records = Array.from({ length: 5 }, (_, i) => cnameRecord(`r${i}`, `h${i}.example.test`, 'origin.example.test', true));
    const fake = await startFakeCloudflare(zone, records, { paging: 'ignored' });
    const stderr: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation(((s: string) => stderr.push(s)) as never);
    jest.spyOn(process.stdout, 'write').mockImplementation((() => true) as never);
    const quiet = (): AwsClients => ({ ...ignoringAws(), apiGateway: { send: async () => ({}) } as never, apiGatewayV2: { send: async () => ({}) } as never, ec2: { send: async () => ({}) } as never });
    try {
      const code = await bypassCommand('local', {}, { regions: [], states: { values: new Map(), stackOf: new Map(), unreadable: new Map() } }, () => ({
        aws: quiet,
        cloudflare: new Cloudflare({ apiToken: 't', baseURL: fake.baseURL, maxRetries: 0 }),
      }));
      expect({ code, stderr: stderr.join('') }).toEqual({
        code: 1,
        stderr: `drift --bypass: cannot run: /zones/${zone}/dns_records: page 2 holds the same 2 items as page 1: the API ignores paging; stopped instead of looping\n`,
      });
      expect(fake.requests).toHaveLength(2);
    } finally {
      jest.restoreAllMocks();
      await fake.stop();
    }
  });
});
