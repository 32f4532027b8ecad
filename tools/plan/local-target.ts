import { EXIT, type ExitCode } from '../cli';
import type { StackRunOptions } from './plan-runner';

/**
 * `npm run plan|drift|apply -- --env local`: `local` has no account of its own, only the
 * moto that `npm run local -- up` started on a free port (recorded in `.local/run.json`).
 * These commands run against that moto, with its fake credentials, the env file
 * rewritten to its endpoint and the state folder `npm run local` keeps (shared on
 * purpose: both describe the same moto), and only the AWS part of each stack (as
 * `--aws-only`: the tls and Cloudflare providers are not installed offline). With no
 * local environment running they stop with one line saying how to start one, instead
 * of Terraform's registry or credential errors.
 *
 * Only for the committed envs/local.yaml, whose `aws.endpoint` is a placeholder: with
 * `EDGE_ENVS_DIR` naming a folder of env files of one's own (as the moto tests do, each
 * with its own moto), the env file's endpoint is used as written.
 */

/** What the stack runner and the live checks take from the running local environment. */
export interface LocalTarget {
  /** Merged over the command's own runner options. */
  readonly run: Pick<StackRunOptions, 'awsOnly' | 'envsDir' | 'stateRoot' | 'workDir' | 'terraformEnv'>;
  /** The live checks' environment (moto's endpoint and fake credentials). */
  readonly liveVars: NodeJS.ProcessEnv;
  /** The running moto, for `apply` to seed. */
  readonly endpoint: string;
}

/** Whether `--env <env>` means the running local environment. */
export const meansRunningLocal = (env: string): boolean => env === 'local' && !process.env.EDGE_ENVS_DIR;

/**
 * The running local environment for `command` (`plan`, `drift`, `apply`), or the exit
 * code after one line on stderr when there is none. `--work-dir` and `--state-root`
 * given on the command line win over the local environment's folders.
 */
export async function localTarget(command: string, args: { readonly 'work-dir'?: string; readonly 'state-root'?: string }): Promise<LocalTarget | ExitCode> {
  const { attach, LocalNotRunning, LOCAL_AWS_ONLY_NOTE } = await import('../local/local');
  try {
    const local = await attach();
    process.stderr.write(`${command}: ${LOCAL_AWS_ONLY_NOTE}; against the running moto at ${local.endpoint}\n`);
    return {
      run: { awsOnly: true, envsDir: local.envsDir, stateRoot: args['state-root'] ?? local.stateRoot, workDir: args['work-dir'] ?? local.workDir, terraformEnv: local.terraformEnv },
      liveVars: local.liveVars,
      endpoint: local.endpoint,
    };
  } catch (e) {
    if (!(e instanceof LocalNotRunning)) throw e;
    process.stderr.write(`${command}: ${e.message}\n`);
    return EXIT.failure;
  }
}

export const isLocalTarget = (t: LocalTarget | ExitCode): t is LocalTarget => typeof t === 'object';
