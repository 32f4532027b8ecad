import { GitHubClient, GitHubError } from '../../../tools/github/client';

/**
 * What Octokit's plugins give the client over plain fetch: a server error is tried again,
 * a rate limit is waited out (GitHub's reset time, here one second away) and then tried
 * again, and a refusal that no retry can fix fails at once. Each answer is scripted.
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

  it('tries a 502 again and returns the answer that follows', async () => {
    const { client, calls } = scripted([json(502, { message: 'Bad Gateway' }), json(201, { id: 7, body: 'x' })]);
    expect(await client.createComment(1, 'x')).toMatchObject({ id: 7 });
    expect(calls).toEqual(['POST /repos/acme/edge/issues/1/comments', 'POST /repos/acme/edge/issues/1/comments']);
  });

  it('waits out an exhausted rate limit until its reset, then tries again', async () => {
    const reset = String(Math.floor(Date.now() / 1000));
    const limited = json(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset });
    const { client, calls } = scripted([limited, json(200, [])]);
    expect(await client.listComments(3)).toEqual([]);
    expect(calls).toHaveLength(2);
    expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^GitHub rate limit on GET .*: waiting \d+ s and trying again/));
  });

  it('fails at once, as a GitHubError with the status, on a refusal a retry cannot fix', async () => {
    const { client, calls } = scripted([json(422, { message: 'Validation Failed' })]);
    const error = await client.updateIssue(5, { state: 'closed' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({ status: 422, message: expect.stringMatching(/^GitHub PATCH \/issues\/5: 422 Validation Failed/) });
    expect(calls).toHaveLength(1);
  });
});
