import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';

/**
 * The few GitHub REST calls the workflows need (comments on pull requests, one issue per
 * environment), through Octokit: retries of server errors (plugin-retry), waiting out
 * primary and secondary rate limits (plugin-throttling) and following every page of a
 * list by its `Link` header (plugin-paginate-rest). The base URL is a parameter so tests
 * run it against a fake API on loopback; in Actions it is `GITHUB_API_URL`.
 */

const GitHubOctokit = Octokit.plugin(paginateRest, retry, throttling);

/** How often a call that hit a rate limit is tried again before the run fails. */
const RATE_LIMIT_RETRIES = 2;

/** Who wrote a comment or opened an issue, as GitHub reports it. */
export interface GitHubUser {
  readonly login: string;
  /** `Bot` for `github-actions[bot]` and apps, `User` for people. */
  readonly type?: string;
}

export interface GitHubComment {
  readonly id: number;
  readonly body?: string | null;
  readonly user?: GitHubUser | null;
}

export interface GitHubIssue {
  readonly number: number;
  readonly title: string;
  readonly body?: string | null;
  readonly state: 'open' | 'closed';
  readonly html_url?: string;
  readonly user?: GitHubUser | null;
  /** Present when the "issue" is a pull request. */
  readonly pull_request?: unknown;
}

/** The identity `GITHUB_TOKEN` writes as in GitHub Actions. */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

export class GitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface GitHubClientOptions {
  /** `https://api.github.com`, or `GITHUB_API_URL` on GitHub Enterprise. */
  readonly baseUrl: string;
  /** A token with `issues: write` / `pull-requests: write` as the call needs. */
  readonly token: string;
  /** `owner/name`. */
  readonly repository: string;
  /**
   * The login this token writes as. Comments and issues are only ever found again (and
   * edited) when this identity wrote them: a marker planted by someone else is ignored.
   * `GITHUB_TOKEN` cannot ask GitHub who it is (GET /user is refused to it), so it is set.
   * @default "github-actions[bot]"
   */
  readonly author?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

export class GitHubClient {
  private readonly octokit: InstanceType<typeof GitHubOctokit>;
  private readonly owner: string;
  private readonly repo: string;
  /** The login this client writes as (GitHubClientOptions.author). */
  readonly author: string;

  constructor(options: GitHubClientOptions) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(options.repository)) throw new Error(`GitHub repository ${JSON.stringify(options.repository)} is not "owner/name"`);
    if (options.token === '') throw new Error('GitHub token is empty');
    this.author = options.author ?? ACTIONS_BOT_LOGIN;
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*)(\[bot\])?$/.test(this.author)) throw new Error(`GitHub author ${JSON.stringify(this.author)} is not a GitHub login`);
    [this.owner, this.repo] = options.repository.split('/');
    const waitOut = (what: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      process.stderr.write(`GitHub ${what} on ${request.method} ${request.url}: ${retryCount < RATE_LIMIT_RETRIES ? `waiting ${retryAfter} s and trying again` : 'giving up'}\n`);
      return retryCount < RATE_LIMIT_RETRIES;
    };
    this.octokit = new GitHubOctokit({
      baseUrl: options.baseUrl.replace(/\/$/, ''),
      auth: options.token,
      request: { fetch: options.fetch ?? globalThis.fetch },
      throttle: {
        onRateLimit: waitOut('rate limit'),
        onSecondaryRateLimit: waitOut('secondary rate limit'),
        // The plugin spaces writes 1 s apart and comments 3 s apart by default, for bulk
        // writers; a run writes a comment or an issue per environment, and a limit it does
        // hit is waited out above.
        write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
        notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
      },
    });
  }

  private async request<T>(method: string, path: string, body?: Record<string, unknown>): Promise<T> {
    try {
      const response = await this.octokit.request(`${method} /repos/{owner}/{repo}${path}`, {
        owner: this.owner,
        repo: this.repo,
        headers: { 'x-github-api-version': '2022-11-28' },
        request: { signal: AbortSignal.timeout(30_000) },
        ...body,
      });
      return response.data as T;
    } catch (e) {
      throw asGitHubError(e, method, path);
    }
  }

  /** Every page of a list endpoint (100 per page), following GitHub's `Link` headers to the last. */
  private async all<T>(path: string, query: Record<string, string> = {}): Promise<T[]> {
    try {
      return (await this.octokit.paginate(`GET /repos/{owner}/{repo}${path}`, { owner: this.owner, repo: this.repo, per_page: 100, ...query })) as T[];
    } catch (e) {
      throw asGitHubError(e, 'GET', path);
    }
  }

  listComments(issue: number): Promise<GitHubComment[]> {
    return this.all(`/issues/${issue}/comments`);
  }

  createComment(issue: number, body: string): Promise<GitHubComment> {
    return this.request('POST', `/issues/${issue}/comments`, { body });
  }

  updateComment(id: number, body: string): Promise<GitHubComment> {
    return this.request('PATCH', `/issues/comments/${id}`, { body });
  }

  /**
   * Open issues (not pull requests) carrying a label that this client's identity opened:
   * anyone who can label an issue could otherwise plant one that a run then rewrites.
   */
  async listOpenIssues(label: string): Promise<GitHubIssue[]> {
    const issues = await this.all<GitHubIssue>('/issues', { state: 'open', labels: label });
    return issues.filter((i) => !i.pull_request && this.wrote(i));
  }

  /** True when this client's identity wrote the comment or opened the issue. */
  wrote(item: { readonly user?: GitHubUser | null }): boolean {
    return item.user?.login === this.author;
  }

  createIssue(issue: { title: string; body: string; labels: readonly string[] }): Promise<GitHubIssue> {
    return this.request('POST', '/issues', issue);
  }

  updateIssue(number: number, patch: { title?: string; body?: string; state?: 'open' | 'closed'; state_reason?: 'completed' | 'not_planned' }): Promise<GitHubIssue> {
    return this.request('PATCH', `/issues/${number}`, patch);
  }
}

/** An Octokit RequestError (or a network failure) as a GitHubError naming the call. */
function asGitHubError(e: unknown, method: string, path: string): GitHubError {
  const status = typeof (e as { status?: unknown }).status === 'number' ? (e as { status: number }).status : 0;
  return new GitHubError(status, `GitHub ${method} ${path}: ${status || 'no response'} ${String((e as Error).message).slice(0, 300)}`);
}

/**
 * Creates the comment that starts with `marker`, or updates it: one comment per marker,
 * however often the job runs. Only a comment this client's identity wrote is updated; a
 * comment by anyone else that carries the marker is left alone (and never mistaken for ours).
 */
export async function upsertComment(client: GitHubClient, issue: number, marker: string, body: string): Promise<{ action: 'created' | 'updated'; id: number }> {
  if (!body.startsWith(marker)) throw new Error('the comment body must start with its marker, or it could never be found again');
  const existing = (await client.listComments(issue)).find((c) => client.wrote(c) && c.body?.startsWith(marker));
  if (existing) return { action: 'updated', id: (await client.updateComment(existing.id, body)).id ?? existing.id };
  return { action: 'created', id: (await client.createComment(issue, body)).id };
}
