import type { StackRunOptions } from '../../tools/plan/plan-runner';

/**
 * Run options for a plan whose test asserts on the configuration (what an edit to the
 * env file changes, replaces or moves), not on the world: terraform plans with
 * `-refresh=false` (through `TF_CLI_ARGS_plan`), so the code is compared with the state
 * alone and no resource is read back from AWS first. Never for drift: a drift test is
 * about what changed behind terraform's back, which only a refresh sees.
 */
export function configurationOnly<T extends StackRunOptions>(options: T): T {
  const cliArgs = [options.terraformEnv?.TF_CLI_ARGS_plan, '-refresh=false'].filter(Boolean).join(' ');
  return { ...options, terraformEnv: { ...options.terraformEnv, TF_CLI_ARGS_plan: cliArgs } };
}
