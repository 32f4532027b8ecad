import { defineCommand, ENVS_OPTION, EXIT } from '../cli';

/**
 * `npm run policy`: synthesizes the selected environments into a temporary folder,
 * checks every stack against tools/policy/rules and prints a table (or JSON).
 */
export const policyCommand = defineCommand({
  name: 'npm run policy',
  summary: "Synthesizes the selected environments into a temporary folder and checks every stack against the project's policy rules (suppressions in tools/policy/suppressions.yaml); prints a table, or JSON; --sarif writes SARIF for code scanning.",
  options: {
    env: ENVS_OPTION,
    json: { type: 'boolean', doc: 'print the report as JSON instead of a table' },
    sarif: { type: 'string', valueName: '<file>', output: true, doc: 'also write the findings as SARIF 2.1.0 (for code scanning upload)' },
  },
  exitCodes: { 1: 'an unsuppressed finding, or bad input' },
  async run(args) {
    const { checkPolicy, formatReport, policyStacks } = await import('./run');
    const { synthesizeJson } = await import('../synth/synth-json');
    const { stacks, environments } = synthesizeJson(args.env);
    const checked = policyStacks(stacks, environments);
    const report = checkPolicy(checked);
    if (args.sarif) {
      const { writeFileSync } = await import('node:fs');
      const { toSarif } = await import('./sarif');
      const { ALL_RULES } = await import('./rules');
      const { findingOrigins } = await import('./finding-origin');
      writeFileSync(args.sarif, `${JSON.stringify(toSarif(report, ALL_RULES, { origin: findingOrigins(checked, environments) }), null, 2)}\n`);
    }
    process.stdout.write(`${args.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
    return report.passed ? EXIT.ok : EXIT.failure;
  },
});
