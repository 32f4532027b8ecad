import { defineCommand, EXIT, REPORT_OPTIONS, emitReport, type ExitCode, UsageError } from '../cli';
import type { PlanMode } from './plan-report';
import { STACK_RUN_OPTIONS, stackRunOptionsFrom } from './run-options';

const WHAT: Record<PlanMode, string> = {
  plan: 'Synthesizes one environment and runs terraform init + plan -detailed-exitcode per stack (stacks in parallel, in dependency order); prints the report as Markdown. A stack whose upstream stack is not applied yet (or whose SSM input does not exist) is reported as waiting, and counts as changes. Progress goes to stderr, one line per stack with its elapsed time.',
  drift: 'The same as plan, on applied code: every difference is drift, reported attribute by attribute, sensitive values masked; a stack whose only change is an output is listed as outputs only and is not drift.',
};

const stderrLine = (line: string) => process.stderr.write(`${line}\n`);

/** `npm run plan` and `npm run drift`: one command, two verdicts. */
export function planCommand(mode: PlanMode) {
  return defineCommand({
    name: `npm run ${mode}`,
    summary: WHAT[mode],
    options: {
      ...STACK_RUN_OPTIONS,
      bypass: {
        type: 'boolean',
        doc: 'drift only: instead of planning, list live resources that reach the origin around mTLS (unproxied DNS records to the origin, execute-api endpoints, domains without mTLS, key-server groups open to the internet); needs $CLOUDFLARE_API_TOKEN (Zone DNS Read), AWS read access; $AWS_ENDPOINT_URL and $CLOUDFLARE_BASE_URL override the endpoints',
      },
      regions: {
        type: 'string',
        valueName: '<list>',
        doc: 'with --bypass: the regions to sweep besides the environment\'s own, comma-separated (default: every region enabled for the account)',
      },
      edge: {
        type: 'boolean',
        doc: 'drift only: instead of planning, run only the edge live audit (the Cloudflare fields the provider never re-reads, and the zone-level settings), read live with $CLOUDFLARE_API_TOKEN',
      },
      'live-only': { type: 'boolean', doc: 'drift only: run the live checks (AWS and the edge audit) without planning' },
      'skip-live': { type: 'boolean', doc: 'drift only: plan, but skip the live checks (AWS: instance groups and user-data, secret versions, API stages and deployments; the edge live audit)' },
      'aws-only': { type: 'boolean', doc: 'run the AWS-only projection of each stack against the offline provider mirror (implied by --env local, which runs against the moto `npm run local -- up` started)' },
      'public-only': { type: 'boolean', doc: 'leave out the custody stacks (<env>-pki), whose state the plan and drift roles cannot read; the report names them' },
      ...(mode === 'plan'
        ? { 'save-plans': { type: 'string', valueName: '<dir>', doc: 'keep each stack\'s saved plan with changes as <dir>/<stack>.tfplan (mode 0600: plan files hold secrets in clear text) for npm run apply --plan-dir' } }
        : {}),
      ...REPORT_OPTIONS,
    },
    exitCodes: { 0: 'no changes', 1: 'error (terraform failed, bad input)', 2: mode === 'drift' ? 'drift (with --bypass: a bypass finding)' : 'changes' },
    configErrorNote: 'Nothing was planned.',
    async run(args): Promise<ExitCode> {
      if ((args.bypass || args.edge || args['skip-live'] || args['live-only']) && mode !== 'drift') throw new UsageError('--bypass, --edge, --live-only and --skip-live belong to npm run drift');
      if (args.regions !== undefined && !args.bypass) throw new UsageError('--regions belongs to --bypass');
      // `--env local`: the running local environment, or one line saying to start it (tools/plan/local-target.ts).
      const { localTarget, isLocalTarget, meansRunningLocal } = await import('./local-target');
      if (args.bypass) {
        const { bypassCommand } = await import('../bypass/command');
        const regions = args.regions?.split(',').map((r) => r.trim()).filter(Boolean);
        // Against the running moto, its state and its fake credentials, as `npm run local -- bypass`.
        const local = meansRunningLocal(args.env) ? await localTarget('drift --bypass', args) : undefined;
        if (local !== undefined && !isLocalTarget(local)) return local;
        const { clientsFor } = await import('../bypass/run');
        const localClients = local && ((env: Parameters<typeof clientsFor>[0]) => clientsFor(env, { ...process.env, ...local.liveVars }));
        return bypassCommand(args.env, args, { regions, stateRoot: local?.run.stateRoot ?? args['state-root'], envsDir: local?.run.envsDir }, localClients);
      }
      // The edge audit alone reads Cloudflare (or a fake of it), not moto.
      const local = meansRunningLocal(args.env) && !args.edge ? await localTarget(mode, args) : undefined;
      if (local !== undefined && !isLocalTarget(local)) return local;
      const live = { env: args.env, stateRoot: local?.run.stateRoot ?? args['state-root'], envsDir: local?.run.envsDir, vars: local?.liveVars, stacks: stackRunOptionsFrom(args).stacks };
      if (args.edge || args['live-only']) {
        const { driftChecks } = await import('../drift/checks');
        const { renderSections } = await import('../drift/sections');
        const { withHeartbeat } = await import('./progress');
        const sections = await withHeartbeat(stderrLine, `${args.env}: live checks`, () => driftChecks({ ...live, only: args.edge ? ['edge-audit'] : ['live-aws', 'edge-audit'] }));
        const { combinedExit } = await import('../drift/sections');
        emitReport(`## Live checks: \`${args.env}\`\n${renderSections(sections).join('\n')}\n`, () => `${JSON.stringify({ schemaVersion: 1, kind: 'live-checks', env: args.env, checks: sections, exitCode: combinedExit(sections.map((c) => c.exitCode)) }, null, 2)}\n`, args);
        return combinedExit(sections.map((c) => c.exitCode));
      }
      const { terraformMissingReason, terraformUnavailableReason } = await import('../terraform');
      const missing = terraformMissingReason();
      if (missing) {
        process.stderr.write(`${mode}: cannot run: ${missing}\n`);
        return EXIT.failure;
      }
      const unavailable = terraformUnavailableReason();
      if ((args['aws-only'] || local) && unavailable) {
        process.stderr.write(`${mode}: cannot run: ${unavailable}\n`);
        return EXIT.failure;
      }
      const { planStacks } = await import('./plan-runner');
      const { renderJson, renderMarkdown } = await import('./plan-report');
      const saveTo = (args as { 'save-plans'?: string })['save-plans'];
      if (saveTo !== undefined && args['public-only']) throw new UsageError('--save-plans saves plans for a deploy, which needs every stack: drop --public-only');
      const planned = await planStacks({ mode, ...stackRunOptionsFrom(args), ...local?.run, publicOnly: args['public-only'], savePlansTo: saveTo });
      let report = planned;
      if (mode === 'drift' && !args['skip-live']) {
        const { driftChecks } = await import('../drift/checks');
        const { withChecks } = await import('./plan-report');
        const { withHeartbeat } = await import('./progress');
        report = withChecks(planned, await withHeartbeat(stderrLine, `${args.env}: live checks`, () => driftChecks(live)));
      }
      emitReport(renderMarkdown(report), () => renderJson(report), args);
      return report.exitCode;
    },
  });
}
