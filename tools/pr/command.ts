import { defineCommand, EXIT, UsageError } from '../cli';

/**
 * `npm run pr-comment`: renders the pull-request comment of one environment from the
 * JSON reports of `npm run plan` and `npm run review`, prints it, and with `--post`
 * creates or updates the environment's one comment on the pull request.
 */
export const prCommentCommand = defineCommand({
  name: 'npm run pr-comment',
  summary:
    "Renders one environment's pull-request comment (verdict, changes by risk, details collapsed, the review's security view) from the JSON reports of npm run plan and npm run review; with --post, creates or updates that environment's comment on the pull request.",
  options: {
    plan: { type: 'string', required: true, valueName: '<file>', doc: 'the JSON report of npm run plan -- --json <file>' },
    review: { type: 'string', valueName: '<file>', doc: 'the JSON report of npm run review -- --json <file> (its security view joins the comment)' },
    'artifact-url': { type: 'string', valueName: '<url>', doc: 'where the full reports are, linked when the comment is truncated' },
    post: { type: 'boolean', doc: 'post it: needs GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL and --pr' },
    pr: { type: 'integer', min: 1, valueName: '<number>', doc: 'the pull request to comment on (with --post)' },
  },
  exitCodes: { 0: 'rendered (and posted)', 1: 'could not read a report or post the comment' },
  async run(args) {
    const { renderPrCommentFromFiles, commentMarker } = await import('./pr-comment');
    const { plan, body } = renderPrCommentFromFiles({ plan: args.plan, review: args.review, artifactUrl: args['artifact-url'] });
    process.stdout.write(body);
    if (!args.post) return EXIT.ok;
    if (args.pr === undefined) throw new UsageError('--post needs --pr <number>');
    const { GitHubClient, upsertComment } = await import('../github/client');
    const { githubFromEnvironment } = await import('../github/environment');
    const client = new GitHubClient(githubFromEnvironment(process.env));
    const result = await upsertComment(client, args.pr, commentMarker('plan', plan.env), body);
    process.stderr.write(`pr-comment: ${result.action} comment ${result.id} on #${args.pr}\n`);
    return EXIT.ok;
  },
});
