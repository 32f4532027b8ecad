import { defineCommand, emitReport, ENVS_OPTION, EXIT, REPORT_OPTIONS } from '../cli';

/**
 * `npm run review`: the review (inventory, security settings, and the diff against
 * `--base`) as Markdown.
 */
export const reviewCommand = defineCommand({
  name: 'npm run review',
  summary: 'Per stack of the selected environments: resources by type, the security-relevant settings, and a noise-free diff of the Terraform JSON against another git ref; printed as Markdown.',
  options: {
    env: ENVS_OPTION,
    base: { type: 'string', valueName: '<git ref>', doc: 'also diff against the stacks synthesized at this git ref (e.g. main)' },
    ...REPORT_OPTIONS,
  },
  exitCodes: { 0: 'reviewed (the review itself is for people; it does not fail on findings)', 1: 'could not review (bad input, unknown ref)' },
  configErrorNote: 'Nothing was reviewed.',
  async run(args) {
    const { selectEnvironments } = await import('../../envs/load');
    const { buildReview, renderReviewMarkdown, synthesizeRef } = await import('./review');
    const { caPinsAtRef } = await import('./pin-changes');
    const { synthesizeJson } = await import('../synth/synth-json');
    const environments = selectEnvironments(args.env);
    const synthesized = synthesizeJson(environments.join(','));
    const base = args.base ? { ref: args.base, stacks: synthesizeRef(args.base, environments), caPins: caPinsAtRef(args.base) } : undefined;
    const result = buildReview(synthesized.stacks, base, { environments: synthesized.environments });
    emitReport(renderReviewMarkdown(result), () => `${JSON.stringify(result, null, 2)}\n`, args);
    return EXIT.ok;
  },
});
