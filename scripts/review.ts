import { selectEnvironments } from '../envs/load';
import { emitReport, parseOptions } from '../tools/cli';
import { ConfigError } from '../lib/errors';
import { buildReview, renderReviewMarkdown, synthesizeRef } from '../tools/review/review';
import { synthesizeJson } from '../tools/synth/synth-json';

const USAGE = 'usage: npm run review [-- --env <env>[,<env>...]] [--base <git ref>] [--json <file>] [--markdown <file>]';

/**
 * `npm run review`: prints the review (inventory, security settings, and the diff
 * against `--base`) as Markdown; `--markdown` appends it to a file such as
 * $GITHUB_STEP_SUMMARY. Exits 0 when it could review, 1 otherwise.
 */
function main(): number {
  const args = parseOptions(
    process.argv.slice(2),
    { env: { type: 'string' }, base: { type: 'string' }, json: { type: 'string' }, markdown: { type: 'string' } },
    USAGE,
  );
  if (!args) return 1;
  try {
    const environments = selectEnvironments(args.env);
    const synthesized = synthesizeJson(environments.join(','));
    const base = args.base ? { ref: args.base, stacks: synthesizeRef(args.base, environments) } : undefined;
    const review = buildReview(synthesized.stacks, base, { environments: synthesized.environments });
    emitReport(renderReviewMarkdown(review), () => `${JSON.stringify(review, null, 2)}\n`, args);
    return 0;
  } catch (e) {
    console.error(e instanceof ConfigError ? `${e.message}\nNothing was reviewed.` : `review: ${(e as Error).message}`);
    return 1;
  }
}

process.exitCode = main();
