import { defineCommand, ENVS_OPTION, EXIT } from '../cli';

/**
 * `npm run validate`: `terraform validate` on the AWS-only projection of every stack
 * of the selected environments, against the AWS provider from the offline mirror.
 */
export const validateCommand = defineCommand({
  name: 'npm run validate',
  summary: 'Synthesizes the selected environments into a temporary folder and runs terraform validate on the AWS-only projection of every stack, against the real AWS provider from the offline mirror.',
  options: {
    env: ENVS_OPTION,
    'work-dir': { type: 'string', valueName: '<dir>', default: '.cache/validate', doc: 'where the projected stacks and terraform init live (relative to the repository root)' },
  },
  exitCodes: { 1: 'a validation error, bad input, or terraform/the provider mirror missing' },
  configErrorNote: 'Nothing was validated.',
  async run(args) {
    const { synthesizeJson } = await import('../synth/synth-json');
    // Synthesize first: bad input is reported whether or not terraform is here.
    const { stacks: synthesized } = synthesizeJson(args.env);
    const { terraformUnavailableReason } = await import('../terraform');
    const unavailable = terraformUnavailableReason();
    if (unavailable) {
      process.stderr.write(`validate: cannot run: ${unavailable}\n`);
      return EXIT.failure;
    }
    const { resolve } = await import('node:path');
    const { fromRoot } = await import('../../lib/paths');
    const { AWS_PROVIDER } = await import('../../lib/providers');
    const { validateStacks } = await import('./validate');
    const stacks = [...synthesized].map(([name, json]) => ({ name, json }));
    const result = await validateStacks(stacks, resolve(fromRoot(), args['work-dir']));
    for (const c of result.checked) console.log(`${c.stack}: ${c.awsBlocks} AWS resources/data sources checked, ${c.removed} non-AWS blocks projected away`);
    for (const d of result.diagnostics) {
      console.log(`${d.severity.toUpperCase()} ${d.stack}: ${d.summary}${d.where ? ` (${d.where})` : ''}\n  ${d.detail.replace(/\n/g, '\n  ')}`);
    }
    console.log(result.ok ? `validate: ${stacks.length} stacks valid against ${AWS_PROVIDER.source} ${AWS_PROVIDER.version}` : 'validate: FAILED');
    return result.ok ? EXIT.ok : EXIT.failure;
  },
});
