import type { OptionDefs } from '../cli';

/**
 * The options every command that runs terraform over the stacks of one environment
 * takes (plan, drift, apply), and how they become the plan runner's options. Each
 * command adds its own `--aws-only` wording and options.
 */
export const STACK_RUN_OPTIONS = {
  env: { type: 'string', required: true, valueName: '<env>', doc: 'the environment (envs/<env>.yaml)' },
  stack: { type: 'string', multiple: true, valueName: '<name>', doc: 'only this stack, as dev-origin or origin (comma-separated too)' },
  concurrency: { type: 'integer', min: 1, doc: 'stacks run at once (default: the number of cores)' },
  'work-dir': { type: 'string', valueName: '<dir>', doc: 'per-stack terraform work dirs (default .cache/terraform/<env>)' },
  'state-root': { type: 'string', valueName: '<dir>', doc: 'where relative local-backend state paths resolve (default: the repository root)' },
} as const satisfies OptionDefs;

export interface StackRunArgs {
  readonly env: string;
  readonly stack: readonly string[];
  readonly 'aws-only'?: boolean;
  readonly concurrency?: number;
  readonly 'work-dir'?: string;
  readonly 'state-root'?: string;
}

/** The runner options from the parsed arguments, with progress lines on stderr. */
export function stackRunOptionsFrom(args: StackRunArgs) {
  return {
    env: args.env,
    stacks: args.stack.flatMap((s) => s.split(',')).filter(Boolean),
    awsOnly: args['aws-only'],
    concurrency: args.concurrency,
    workDir: args['work-dir'],
    stateRoot: args['state-root'],
    onProgress: (line: string) => process.stderr.write(`${line}\n`),
  };
}
