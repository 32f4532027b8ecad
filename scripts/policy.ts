import { ConfigError } from '../lib/errors';
import { checkPolicy, formatReport, policyStacks } from '../tools/policy/run';
import { synthesizeJson } from '../tools/synth/synth-json';

/**
 * `npm run policy [-- --env dev,prod] [--json]`: synthesizes the selected environments
 * into a temporary folder, checks every stack against tools/policy/rules and prints a
 * table (or JSON). Exit 1 on any unsuppressed finding or bad input.
 */
function main(argv: string[]): number {
  let selector = process.env.ENVS;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') json = true;
    else if (argv[i] === '--env') selector = argv[++i];
    else if (argv[i].startsWith('--env=')) selector = argv[i].slice('--env='.length);
    else {
      process.stderr.write(`unknown argument "${argv[i]}"; usage: npm run policy -- [--env dev,prod] [--json]\n`);
      return 2;
    }
  }
  try {
    const { stacks, environments } = synthesizeJson(selector);
    const report = checkPolicy(policyStacks(stacks, environments));
    process.stdout.write(`${json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
    return report.passed ? 0 : 1;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
