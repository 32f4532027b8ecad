import { resolveEnvironments } from '../../envs/resolve';
import { PagingError } from '../../lib/paging';
import { withHeartbeat } from '../plan/progress';
import { emitReport, EXIT, type ExitCode, type ReportOutputs } from '../cli';
import { BypassUnavailable, checkBypass, type BypassClients, type BypassOptions, clientsFor } from './run';
import { renderBypassJson, renderBypassMarkdown } from './report';

/**
 * `npm run drift -- --env <env> --bypass`: one environment, its findings as Markdown
 * (and JSON with --json); exit 2 on any finding, 0 when clean, 1 with one line when the
 * check cannot run (missing token, an API refusing).
 */
export async function bypassCommand(selector: string, to: ReportOutputs, options: BypassOptions = {}, clients?: (env: ReturnType<typeof resolveEnvironments>['selected'][number]) => BypassClients): Promise<ExitCode> {
  // The SDK warns on every run that releases after January 2027 need Node 22; the pinned
  // SDK supports this project's Node 20, and the warning would break the one-line stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { selected } = resolveEnvironments(selector, options.envsDir);
  if (selected.length !== 1) {
    process.stderr.write(`drift --bypass: checks one environment at a time; "${selector}" names ${selected.length}\n`);
    return EXIT.failure;
  }
  const env = selected[0];
  try {
    // Silent when quick; a sweep of every region says it is still running every 10 s.
    const report = await withHeartbeat((line) => process.stderr.write(`${line}\n`), `${env.config.name}: bypass check`, () => checkBypass(env, (clients ?? clientsFor)(env), options));
    emitReport(renderBypassMarkdown(report), () => renderBypassJson(report), to);
    return report.findings.length > 0 ? EXIT.changes : EXIT.ok;
  } catch (e) {
    const message = e instanceof BypassUnavailable || e instanceof PagingError ? e.message : `a live API refused: ${(e as Error).message.split('\n')[0]}`;
    process.stderr.write(`drift --bypass: cannot run: ${message}\n`);
    return EXIT.failure;
  }
}
