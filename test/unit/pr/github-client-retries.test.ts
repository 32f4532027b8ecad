import { GitHubClient, GitHubError } from '../../../tools/github/client';

/**
 * What Octokit's plugins give the client over plain fetch: a server error is tried again
 * after a second, a rate limit is waited out (past GitHub's reset time, here the next
 * second) and then tried again, and a refusal that no retry can fix fails at once. Each
 * answer is scripted, and each wait is recorded rather than sat through.
 */
describe('GitHub client: retries and rate limits', () => {
  /** A fetch that answers from `script` in order and records each call. */
  function scripted(script: (() => Response)[]) {
    const calls: string[] = [];
    const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
      calls.push(`${init?.method ?? 'GET'} ${new URL(String(url)).pathname}`);
      const next = script.shift();
      if (!next) throw new Error('the script has no more answers');
      return next();
    }) as typeof globalThis.fetch;
    const client = new GitHubClient({ baseUrl: 'https://github.test', token: 't', repository: 'acme/edge', fetch });
    return { client, calls, script };
  }
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  afterAll(() => stderr.mockRestore());

  /**
   * From here to the end of the case, every timer fires at once; returns the waits (ms)
   * asked for. The plugins wait with setTimeout, so the waits the client really makes
   * are checked without the case taking them. (Started inside the case: jest's own
   * time limit for the case is set before it.)
   */
  let timers: jest.SpyInstance | undefined;
  function waitsTaken(): number[] {
    const waits: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    timers = jest.spyOn(globalThis, 'setTimeout').mockImplementation(((fire: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      if (ms) waits.push(ms);
      return realSetTimeout(fire, 0, ...args);
    }) as typeof setTimeout);
    return waits;
  }
  afterEach(() => timers?.mockRestore());

  it('tries a 502 again after a second and returns the answer that follows', async () => {
    const waits = waitsTaken();
    const { client, calls } = scripted([json(502, { message: 'Bad Gateway' }), json(201, { id: 7, body: 'x' })]);
    expect(await client.createComment(1, 'x')).toMatchObject({ id: 7 });
    expect(calls).toEqual(['POST /repos/acme/edge/issues/1/comments', 'POST /repos/acme/edge/issues/1/comments']);
    expect(waits).toEqual([1000]);
  });

  it('waits out an exhausted rate limit until past its reset, as long as it says, then tries again', async () => {
    const waits = waitsTaken();
    const resetMs = (Math.floor(Date.now() / 1000) + 1) * 1000;
    const limited = json(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetMs / 1000) });
    const { client, calls } = scripted([limited, json(200, [])]);
    const asked = Date.now();
    expect(await client.listComments(3)).toEqual([]);
    expect(calls).toHaveLength(2);
    const said = stderr.mock.calls.map(([text]) => String(text).match(/^GitHub rate limit on GET .*: waiting (\d+) s and trying again/)).find(Boolean);
    expect(said).toBeTruthy();
    expect(waits).toEqual([Number(said![1]) * 1000]);
    // The wait starts after the answer, so this bounds when the retry goes out from below.
    expect(asked + waits[0]).toBeGreaterThanOrEqual(resetMs);
  });

  it('fails at once, as a GitHubError with the status, on a refusal a retry cannot fix', async () => {
    const waits = waitsTaken();
    const { client, calls } = scripted([json(422, { message: 'Validation Failed' })]);
    const error = await client.updateIssue(5, { state: 'closed' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({ status: 422, message: expect.stringMatching(/^GitHub PATCH \/issues\/5: 422 Validation Failed/) });
    expect(calls).toHaveLength(1);
    expect(waits).toEqual([]);
  });
});
