/**
 * The few GitHub REST calls the workflows need (comments on pull requests, one issue per
 * environment), over `fetch`. The base URL is a parameter so tests run it against a
 * fake API on loopback; in Actions it is `GITHUB_API_URL`.
 */

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
  private readonly fetch: typeof fetch;
  /** The login this client writes as (GitHubClientOptions.author). */
  readonly author: string;

  constructor(private readonly options: GitHubClientOptions) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(options.repository)) throw new Error(`GitHub repository ${JSON.stringify(options.repository)} is not "owner/name"`);
    if (options.token === '') throw new Error('GitHub token is empty');
    this.author = options.author ?? ACTIONS_BOT_LOGIN;
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*)(\[bot\])?$/.test(this.author)) throw new Error(`GitHub author ${JSON.stringify(this.author)} is not a GitHub login`);
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.options.baseUrl.replace(/\/$/, '')}/repos/${this.options.repository}${path}`;
    const response = await this.fetch(url, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${this.options.token}`,
        'x-github-api-version': '2022-11-28',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new GitHubError(response.status, `GitHub ${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Every page of a list endpoint (100 per page). */
  private async all<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; page <= 50; page++) {
      const batch = await this.request<T[]>('GET', `${path}${path.includes('?') ? '&' : '?'}per_page=100&page=${page}`);
      out.push(...batch);
      if (batch.length < 100) return out;
    }
    return out;
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
    const issues = await this.all<GitHubIssue>(`/issues?state=open&labels=${encodeURIComponent(label)}`);
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
