import { fromRoot } from '../lib/paths';
import { terraformUnavailableReason } from '../tools/terraform';
import { validateStacks } from '../tools/validate/validate';
import { synthesizeJson } from '../tools/synth/synth-json';

/**
 * `npm run validate`: synthesizes the selected environments (ENVS, default all) into
 * a temporary folder and runs `terraform validate` on the AWS-only projection of
 * every stack against the AWS provider from the offline mirror.
 */
async function main(): Promise<void> {
  const unavailable = terraformUnavailableReason();
  if (unavailable) {
    console.error(`validate: cannot run: ${unavailable}`);
    process.exit(1);
  }
  const { stacks: synthesized } = synthesizeJson(process.env.ENVS);
  const stacks = [...synthesized].map(([name, json]) => ({ name, json }));
  const result = await validateStacks(stacks, fromRoot('.cache', 'validate'));
  for (const c of result.checked) console.log(`${c.stack}: ${c.awsBlocks} AWS resources/data sources checked, ${c.removed} non-AWS blocks projected away`);
  for (const d of result.diagnostics) {
    console.log(`${d.severity.toUpperCase()} ${d.stack}: ${d.summary}${d.where ? ` (${d.where})` : ''}\n  ${d.detail.replace(/\n/g, '\n  ')}`);
  }
  console.log(result.ok ? `validate: ${stacks.length} stacks valid against hashicorp/aws 5.100.0` : 'validate: FAILED');
  process.exitCode = result.ok ? 0 : 1;
}

void main();
