import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitHubClient, GitHubError, upsertComment } from '../../../tools/github/client';
import { DRIFT_LABEL, renderDriftIssue, syncDriftIssue, webhookPayload, postWebhook } from '../../../tools/drift/notify';
import { appliedState, appliedTag } from '../../../tools/drift/applied-ref';
import { commentMarker } from '../../../tools/pr/pr-comment';
import { buildReport, type PlanReport } from '../../../tools/plan/plan-report';
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github';
import { expectDocsExample } from '../../support/docs-examples';
import { EXAMPLE_RUN, EXAMPLE_TIME, exampleDrift } from '../../support/report-examples';

let github: FakeGitHub;
let client: GitHubClient;
beforeEach(async () => {
  github = await startFakeGitHub();
  client = new GitHubClient({ baseUrl: github.baseUrl, token: github.token, repository: github.repository });
});
afterEach(() => github.close());

const clean = (env: string): PlanReport => buildReport({ mode: 'drift', env, awsOnly: true, generatedAt: EXAMPLE_TIME, results: [{ stack: `${env}-origin`, exitCode: 0, plan: { resource_changes: [] } }] });
const failed = (env: string): PlanReport => buildReport({ mode: 'drift', env, awsOnly: true, generatedAt: EXAMPLE_TIME, results: [{ stack: `${env}-origin`, exitCode: 1, error: 'Error: AccessDenied: not authorized to perform s3:GetBucketVersioning' }] });

describe('one pull-request comment per environment', () => {
  it('creates the comment once and updates it on every later run', async () => {
    const pr = github.addPullRequest('change the truststore');
    const dev = commentMarker('plan', 'dev');
    expect(await upsertComment(client, pr, dev, `${dev}\nfirst`)).toMatchObject({ action: 'created' });
    expect(await upsertComment(client, pr, dev, `${dev}\nsecond`)).toMatchObject({ action: 'updated' });
    const prod = commentMarker('plan', 'prod');
    expect(await upsertComment(client, pr, prod, `${prod}\nprod`)).toMatchObject({ action: 'created' });
    expect(github.comments.map((c) => c.body)).toEqual([`${dev}\nsecond`, `${prod}\nprod`]);
  });

  it('finds its comment beyond the first page and leaves other comments alone', async () => {
    const pr = github.addPullRequest('busy');
    for (let i = 0; i < 120; i++) await client.createComment(pr, `human comment ${i}`);
    const marker = commentMarker('plan', 'dev');
    await upsertComment(client, pr, marker, `${marker}\nv1`);
    await upsertComment(client, pr, marker, `${marker}\nv2`);
    expect(github.comments.filter((c) => c.body.startsWith(marker))).toHaveLength(1);
    expect(github.comments.filter((c) => c.body.startsWith('human'))).toHaveLength(120);
  });

  it('never adopts a comment someone else planted with the marker: a fake "no changes" stays theirs, ours is separate', async () => {
    const pr = github.addPullRequest('spoofed');
    const marker = commentMarker('plan', 'prod');
    const mallory = new GitHubClient({ baseUrl: github.baseUrl, token: github.otherToken, repository: github.repository });
    const planted = await mallory.createComment(pr, `${marker}\n## Plan: no changes`);
    expect(await upsertComment(client, pr, marker, `${marker}\nreal plan v1`)).toMatchObject({ action: 'created' });
    expect(await upsertComment(client, pr, marker, `${marker}\nreal plan v2`)).toMatchObject({ action: 'updated' });
    expect(github.comments.map((c) => [c.user.login, c.body])).toEqual([
      ['mallory', `${marker}\n## Plan: no changes`],
      ['github-actions[bot]', `${marker}\nreal plan v2`],
    ]);
    expect(github.requests).not.toContain(`PATCH /repos/${github.repository}/issues/comments/${planted.id}`);
  });

  it('with another identity (an app token), finds only that identity\'s comments', async () => {
    const pr = github.addPullRequest('app');
    const marker = commentMarker('plan', 'dev');
    await upsertComment(client, pr, marker, `${marker}\nby actions`);
    const asApp = new GitHubClient({ baseUrl: github.baseUrl, token: github.token, repository: github.repository, author: 'edge-plans[bot]' });
    // Written by github-actions[bot], so not "ours" for an app identity: a new comment, not an edit.
    expect(await upsertComment(asApp, pr, marker, `${marker}\nby app`)).toMatchObject({ action: 'created' });
    expect(() => new GitHubClient({ baseUrl: github.baseUrl, token: 't', repository: 'a/b', author: 'not a login' })).toThrow(/is not a GitHub login/);
  });

  it('refuses a body without its marker, a wrong token and a malformed repository', async () => {
    await expect(upsertComment(client, 1, '<!-- m -->', 'no marker')).rejects.toThrow(/must start with its marker/);
    const wrong = new GitHubClient({ baseUrl: github.baseUrl, token: 'stolen', repository: github.repository });
    await expect(wrong.listOpenIssues('drift')).rejects.toThrow(GitHubError);
    expect(() => new GitHubClient({ baseUrl: github.baseUrl, token: 't', repository: 'no-slash' })).toThrow(/not "owner\/name"/);
  });
});

describe('one drift issue per environment while drift persists', () => {
  it('never adopts a drift issue someone else opened with the label and the marker', async () => {
    const drift = exampleDrift();
    const mallory = new GitHubClient({ baseUrl: github.baseUrl, token: github.otherToken, repository: github.repository });
    const planted = await mallory.createIssue({ title: 'drift', body: `${commentMarker('drift', drift.env)}\nall clean, close me`, labels: [DRIFT_LABEL] });
    const first = await syncDriftIssue(client, drift, { runUrl: EXAMPLE_RUN });
    expect(first).toMatchObject({ action: 'opened' });
    expect(first).not.toMatchObject({ issue: planted.number });
    expect(github.issues.find((i) => i.number === planted.number)!.body).toContain('all clean, close me');
  });

  it('opens, updates, closes when clean, and opens a new one when drift returns', async () => {
    const drift = exampleDrift();
    expect(await syncDriftIssue(client, drift, { runUrl: EXAMPLE_RUN })).toEqual({ action: 'opened', issue: 1 });
    expect(await syncDriftIssue(client, drift)).toEqual({ action: 'updated', issue: 1 });
    // Another environment gets its own issue.
    expect(await syncDriftIssue(client, failed('staging'))).toEqual({ action: 'opened', issue: 2 });
    expect(github.issues.filter((i) => i.state === 'open').map((i) => [i.title, i.labels.map((l) => l.name)])).toEqual([
      ['Drift in local', [DRIFT_LABEL]],
      ['Drift in staging', [DRIFT_LABEL]],
    ]);
    expect(await syncDriftIssue(client, clean('local'), { runUrl: EXAMPLE_RUN })).toEqual({ action: 'closed', issue: 1 });
    expect(github.issues[0]).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(github.comments.at(-1)?.body).toMatch(/Closing: the environment is clean again/);
    expect(await syncDriftIssue(client, clean('local'))).toEqual({ action: 'none' });
    expect(await syncDriftIssue(client, drift)).toEqual({ action: 'opened', issue: 3 });
    expect(github.issues[1].state).toBe('open'); // staging untouched
  });

  it('ignores pull requests and issues of other environments that carry the label', async () => {
    github.addPullRequest('a PR labelled drift');
    await client.createIssue({ title: 'Drift in local (hand-made)', body: 'no marker', labels: [DRIFT_LABEL] });
    expect(await syncDriftIssue(client, exampleDrift())).toMatchObject({ action: 'opened' });
  });

  it('names what drifted, one row per rule, the applied ref and the pending commits', () => {
    const body = renderDriftIssue(exampleDrift(), { runUrl: EXAMPLE_RUN, appliedRef: 'applied/local', pendingCommits: 2 });
    expect(body.split('\n')[0]).toBe(commentMarker('drift', 'local'));
    expect(body).toContain('**`local` differs from its last applied code** in 2 stacks: `local-keyless`, `local-origin`.');
    expect(body).toContain('Planned from `applied/local` (the last applied commit); 2 merged commits are not applied yet and are not counted as drift.');
    expect(body.split('\n').filter((l) => l.includes('KeyServerSecurityGroup_91981080'))).toHaveLength(1);
    expectDocsExample('drift-issue.md', body);
  });

  it('posts a message to a webhook instead, and fails loudly when it does not answer 2xx', async () => {
    const received: unknown[] = [];
    let status = 200;
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (d) => (text += d)).on('end', () => {
        received.push(JSON.parse(text));
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      await postWebhook(url, webhookPayload(exampleDrift(), { runUrl: EXAMPLE_RUN }));
      expect(received).toEqual([expect.objectContaining({ env: 'local', state: 'drift', stacks: ['local-keyless', 'local-origin'], text: `Drift detected in local: local-keyless, local-origin — ${EXAMPLE_RUN}` })]);
      status = 500;
      await expect(postWebhook(url, webhookPayload(clean('local')))).rejects.toThrow('webhook answered 500');
      await expect(postWebhook('file:///etc/passwd', {})).rejects.toThrow(/must be http/);
    } finally {
      server.close();
    }
  });
});

describe('drift is planned from the last applied commit', () => {
  it('reads the applied/<env> tag and counts the merged commits that are pending', () => {
    const dir = mkdtempSync(join(tmpdir(), 'applied-ref-'));
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
    try {
      git('init', '-q');
      writeFileSync(join(dir, 'f'), '1');
      git('add', 'f');
      git('commit', '-qm', 'applied');
      expect(appliedState('dev', 'HEAD', dir)).toEqual({});
      git('tag', appliedTag('dev'));
      for (const n of ['2', '3']) {
        writeFileSync(join(dir, 'f'), n);
        git('commit', '-qam', `merged ${n}`);
      }
      expect(appliedState('dev', 'HEAD', dir)).toEqual({ ref: 'applied/dev', commit: expect.stringMatching(/^[0-9a-f]{40}$/), pendingCommits: 2 });
      expect(() => appliedTag('dev; rm -rf /')).toThrow(/cannot name a tag/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
