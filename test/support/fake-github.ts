import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake of the GitHub REST endpoints the project calls (issue comments, issues), in
 * memory on loopback. It checks the bearer token and the JSON bodies like GitHub does
 * for these calls, and records every request, so tests see what a run would have done.
 */

interface User {
  login: string;
  type: 'Bot' | 'User';
}

interface Issue {
  number: number;
  user: User;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason?: string | null;
  labels: { name: string }[];
  pull_request?: { url: string };
}

interface Comment {
  id: number;
  issue: number;
  body: string;
  user: User;
}

export interface FakeGitHub {
  readonly baseUrl: string;
  /** The workflow's token: it writes as `github-actions[bot]`, as GITHUB_TOKEN does. */
  readonly token: string;
  /** A person's token (login `mallory`), to plant comments and issues the workflow must not adopt. */
  readonly otherToken: string;
  readonly repository: string;
  readonly issues: Issue[];
  readonly comments: Comment[];
  readonly requests: string[];
  /** Adds a pull request (GitHub lists pull requests among issues). */
  addPullRequest(title: string): number;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<any> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : undefined;
}

export async function startFakeGitHub(repository = 'acme/edge'): Promise<FakeGitHub> {
  const token = 'fake-token-for-tests';
  const otherToken = 'fake-token-of-a-person';
  const identities: Record<string, User> = { [token]: { login: 'github-actions[bot]', type: 'Bot' }, [otherToken]: { login: 'mallory', type: 'User' } };
  const issues: Issue[] = [];
  const comments: Comment[] = [];
  const requests: string[] = [];
  let nextId = 1000;
  const issueJson = (i: Issue) => ({ ...i, html_url: `https://github.example/${repository}/issues/${i.number}` });
  const server: Server = createServer(async (req, res) => {
    let link: string | undefined;
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', ...(link ? { link } : {}) });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      // GitHub takes a token as `Bearer <token>` or `token <token>` (Octokit sends the latter).
      const caller = identities[String(req.headers.authorization).replace(/^(Bearer|token) /, '')];
      if (!caller) return send(401, { message: 'Bad credentials' });
      const prefix = `/repos/${repository}`;
      if (!url.pathname.startsWith(prefix)) return send(404, { message: 'Not Found' });
      const path = url.pathname.slice(prefix.length);
      const page = Number(url.searchParams.get('page') ?? 1);
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      // Like GitHub: the page asked for, and a Link header naming the next one while there is one.
      const paged = <T>(all: T[]) => {
        if (page * perPage < all.length) {
          const next = new URL(url.pathname + url.search, `http://${req.headers.host}`);
          next.searchParams.set('page', String(page + 1));
          link = `<${next}>; rel="next"`;
        }
        return all.slice((page - 1) * perPage, page * perPage);
      };
      let m: RegExpExecArray | null;
      if (req.method === 'GET' && path === '/issues') {
        const label = url.searchParams.get('labels');
        const state = url.searchParams.get('state') ?? 'open';
        return send(200, paged(issues.filter((i) => (state === 'all' || i.state === state) && (!label || i.labels.some((l) => l.name === label)))).map(issueJson));
      }
      if (req.method === 'POST' && path === '/issues') {
        const body = await readJson(req);
        if (typeof body?.title !== 'string' || body.title === '') return send(422, { message: 'title is required' });
        const issue: Issue = { number: issues.length + 1, user: caller, title: body.title, body: body.body ?? '', state: 'open', labels: (body.labels ?? []).map((name: string) => ({ name })) };
        issues.push(issue);
        return send(201, issueJson(issue));
      }
      if ((m = /^\/issues\/(\d+)$/.exec(path)) && req.method === 'PATCH') {
        const issue = issues.find((i) => i.number === Number(m![1]));
        if (!issue) return send(404, { message: 'Not Found' });
        const body = await readJson(req);
        if (body.state !== undefined && !['open', 'closed'].includes(body.state)) return send(422, { message: 'bad state' });
        Object.assign(issue, Object.fromEntries(Object.entries(body).filter(([k]) => ['title', 'body', 'state', 'state_reason'].includes(k))));
        return send(200, issueJson(issue));
      }
      if ((m = /^\/issues\/(\d+)\/comments$/.exec(path))) {
        const number = Number(m[1]);
        if (!issues.some((i) => i.number === number)) return send(404, { message: 'Not Found' });
        if (req.method === 'GET') return send(200, paged(comments.filter((c) => c.issue === number)).map(({ id, body, user }) => ({ id, body, user })));
        if (req.method === 'POST') {
          const body = await readJson(req);
          if (typeof body?.body !== 'string' || body.body === '') return send(422, { message: 'body is required' });
          if (body.body.length > 65_536) return send(422, { message: 'Body is too long (maximum is 65536 characters)' });
          const comment = { id: nextId++, issue: number, body: body.body, user: caller };
          comments.push(comment);
          return send(201, { id: comment.id, body: comment.body, user: caller });
        }
      }
      if ((m = /^\/issues\/comments\/(\d+)$/.exec(path)) && req.method === 'PATCH') {
        const comment = comments.find((c) => c.id === Number(m![1]));
        if (!comment) return send(404, { message: 'Not Found' });
        // GitHub lets a token edit only its own comments (or any, with write access to the
        // repository: which GITHUB_TOKEN has, so the client must pick the right one itself).
        const body = await readJson(req);
        if (typeof body?.body !== 'string' || body.body.length > 65_536) return send(422, { message: 'bad body' });
        comment.body = body.body;
        return send(200, { id: comment.id, body: comment.body, user: comment.user });
      }
      return send(404, { message: 'Not Found' });
    } catch (e) {
      return send(500, { message: String(e) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    token,
    otherToken,
    repository,
    issues,
    comments,
    requests,
    addPullRequest(title: string) {
      const number = issues.length + 1;
      issues.push({ number, user: { login: 'mallory', type: 'User' }, title, body: '', state: 'open', labels: [], pull_request: { url: 'x' } });
      return number;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
