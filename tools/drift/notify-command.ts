import { readFileSync } from 'node:fs';
import { defineCommand, EXIT, isPlanReportJson, readJsonInput } from '../cli';

/**
 * `npm run drift-notify`: after the nightly `npm run drift`, opens or updates the
 * environment's drift issue while drift persists and closes it when clean, or posts to
 * a webhook. Its own exit code says only whether notifying worked.
 */
export const driftNotifyCommand = defineCommand({
  name: 'npm run drift-notify',
  summary:
    "Tells people about the drift report of one environment: opens or updates that environment's GitHub issue (label drift) while drift or a failing check persists and closes it when clean, or posts to a webhook instead.",
  options: {
    report: { type: 'string', required: true, valueName: '<file>', doc: 'the JSON report of npm run drift -- --json <file>' },
    bypass: { type: 'string', valueName: '<file>', doc: 'the JSON report of npm run drift -- --bypass --json <file>, joined into the same issue (missing file: the bypass check failed)' },
    custody: {
      type: 'string',
      valueName: '<file>',
      doc: 'the JSON report of npm run drift -- --stack pki --json <file> (the custody stack, planned by the custody-drift role), joined into the same issue (missing file: the custody check failed)',
    },
    webhook: { type: 'string', valueName: '<url>', env: 'DRIFT_WEBHOOK_URL', doc: 'post to this webhook instead of the GitHub issue (default: $DRIFT_WEBHOOK_URL)' },
    'run-url': { type: 'string', valueName: '<url>', doc: 'the workflow run, linked from the issue' },
    'applied-ref': { type: 'string', valueName: '<ref>', doc: 'the last applied commit the drift was planned from (applied/<env>)' },
    pending: { type: 'integer', min: 0, valueName: '<n>', doc: 'merged commits not applied yet (pending, not drift)' },
    'dry-run': { type: 'boolean', doc: 'print the issue body and touch nothing' },
  },
  exitCodes: { 0: 'notified (or nothing to do)', 1: 'could not read the report or reach GitHub/the webhook' },
  async run(args) {
    const notify = await import('./notify');
    let report = readJsonInput(args.report, '--report', isPlanReportJson, 'the JSON report of npm run drift -- --json') as Parameters<typeof notify.renderDriftIssue>[0];
    if (args.bypass) {
      const { bypassSection, errorSection } = await import('./sections');
      const { withChecks } = await import('../plan/plan-report');
      let section;
      try {
        section = bypassSection(JSON.parse(readFileSync(args.bypass, 'utf8')));
      } catch (e) {
        section = errorSection('bypass', new Error(`no bypass report (${(e as Error).message.split('\n')[0]}): the bypass check could not run`));
      }
      report = withChecks(report, [...(report.checks ?? []), section]);
    }
    if (args.custody) {
      const { custodySection, errorSection } = await import('./sections');
      const { withChecks } = await import('../plan/plan-report');
      let section;
      try {
        const custody = readJsonInput(args.custody, '--custody', isPlanReportJson, 'the JSON report of npm run drift -- --stack pki --json') as Parameters<typeof custodySection>[0];
        section = custodySection(custody);
      } catch (e) {
        section = errorSection('custody-drift', new Error(`no custody drift report (${(e as Error).message.split('\n')[0]}): the custody stack was not checked`));
      }
      report = withChecks(report, [...(report.checks ?? []), section]);
    }
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
    const { GitHubClient } = await import('../github/client');
    const { githubFromEnvironment } = await import('../github/environment');
    const result = await notify.syncDriftIssue(new GitHubClient(githubFromEnvironment(process.env)), report, context);
    process.stderr.write(`drift-notify: ${report.env}: ${result.action}${'issue' in result ? ` #${result.issue}` : ''}\n`);
    return EXIT.ok;
  },
});
