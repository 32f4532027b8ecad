import { defineCommand, EXIT, isPlanReportJson, readJsonInput, runCommand } from '../tools/cli';

/**
 * `npm run drift-notify`: after the nightly `npm run drift`, opens or updates the
 * environment's drift issue while drift persists and closes it when clean, or posts to
 * a webhook. Its own exit code says only whether notifying worked.
 */
const driftNotify = defineCommand({
  name: 'npm run drift-notify',
  summary:
    "Tells people about the drift report of one environment: opens or updates that environment's GitHub issue (label drift) while drift or a failing check persists and closes it when clean, or posts to a webhook instead.",
  options: {
    report: { type: 'string', required: true, valueName: '<file>', doc: 'the JSON report of npm run drift -- --json <file>' },
    webhook: { type: 'string', valueName: '<url>', env: 'DRIFT_WEBHOOK_URL', doc: 'post to this webhook instead of the GitHub issue (default: $DRIFT_WEBHOOK_URL)' },
    'run-url': { type: 'string', valueName: '<url>', doc: 'the workflow run, linked from the issue' },
    'applied-ref': { type: 'string', valueName: '<ref>', doc: 'the last applied commit the drift was planned from (applied/<env>)' },
    pending: { type: 'integer', min: 0, valueName: '<n>', doc: 'merged commits not applied yet (pending, not drift)' },
    'dry-run': { type: 'boolean', doc: 'print the issue body and touch nothing' },
  },
  exitCodes: { 0: 'notified (or nothing to do)', 1: 'could not read the report or reach GitHub/the webhook' },
  async run(args) {
    const notify = await import('../tools/drift/notify');
    const report = readJsonInput(args.report, '--report', isPlanReportJson, 'the JSON report of npm run drift -- --json') as Parameters<typeof notify.renderDriftIssue>[0];
    const context = { runUrl: args['run-url'], appliedRef: args['applied-ref'], pendingCommits: args.pending };
    if (args['dry-run']) {
      process.stdout.write(notify.renderDriftIssue(report, context));
      return EXIT.ok;
    }
    if (args.webhook) {
      await notify.postWebhook(args.webhook, notify.webhookPayload(report, context));
      process.stderr.write(`drift-notify: posted ${notify.driftState(report)} for ${report.env} to the webhook\n`);
      return EXIT.ok;
    }
    const { GitHubClient } = await import('../tools/github/client');
    const { githubFromEnvironment } = await import('../tools/github/environment');
    const result = await notify.syncDriftIssue(new GitHubClient(githubFromEnvironment(process.env)), report, context);
    process.stderr.write(`drift-notify: ${report.env}: ${result.action}${'issue' in result ? ` #${result.issue}` : ''}\n`);
    return EXIT.ok;
  },
});

void runCommand(driftNotify);
