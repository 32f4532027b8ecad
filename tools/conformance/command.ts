import { defineCommand, ENVS_OPTION, EXIT } from '../cli';

/**
 * `npm run conformance`: the synthesized Terraform against what the pinned providers
 * accept (schemas and validators read from their source) and against the semantic
 * rules the schemas cannot express (conformance/semantic.ts). The heavy parts
 * load inside `run`, after the arguments are parsed.
 */
export const conformanceCommand = defineCommand({
  name: 'npm run conformance',
  summary:
    "Checks the selected environments, freshly synthesized into a temporary folder (or the <stack>/cdk.tf.json files under --stacks), against the pinned Cloudflare and tls providers' schemas and validators (conformance/snapshots) and the semantic rules (API Shield association vs block rule, origin-pull entries, create_before_destroy on certificate uploads, one owner per singleton, WAF expressions, ruleset kind and phase, SSL strict, the tls range, stack order). One line per finding: rule id, stack, resource, attribute, what the provider would do.",
  options: {
    env: ENVS_OPTION,
    stacks: {
      type: 'string',
      valueName: '<dir>',
      doc: 'check the <stack>/cdk.tf.json files under this folder (e.g. cdktf.out/stacks; stack order from the manifest.json beside it) instead of synthesizing; --env then selects among them',
    },
  },
  exitCodes: { 1: 'a finding, or bad input' },
  async run(args) {
    const { checkConformance, formatConformance, readStacksDir, selectEnvironments } = await import('../../conformance/run');
    let set;
    if (args.stacks !== undefined) set = selectEnvironments(readStacksDir(args.stacks), args.env);
    else {
      const { synthesizeJson } = await import('../synth/synth-json');
      const { stacks, dependencies } = synthesizeJson(args.env);
      set = { stacks, dependencies };
    }
    const report = checkConformance(set);
    process.stdout.write(formatConformance(report));
    return report.findings.length > 0 ? EXIT.failure : EXIT.ok;
  },
});
