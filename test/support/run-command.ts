import { type Command, executeCommand, type ExitCode, type OptionDefs } from '../../tools/cli';

/** How a command run in the jest process finished: its exit code and what it wrote. */
export interface CommandOutcome {
  readonly code: ExitCode;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command definition (tools/cli.ts `defineCommand`) in the jest process, the way
 * `runCommand` runs it for npm, with `argv` as its arguments: what it writes to stdout
 * and stderr is captured, not printed, and `env` is laid over `process.env` for the run
 * (a value of `undefined` removes the variable), then put back. A unit test calls this
 * instead of spawning `tsx scripts/<name>.ts` (a quarter of a second per start);
 * test/integration keeps a few real spawns (cli/scripts.test.ts spawns every command).
 *
 * Runs are not reentrant: a file's tests run one at a time, which is what jest does.
 */
export async function runInProcess<O extends OptionDefs>(command: Command<O>, argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Promise<CommandOutcome> {
  let stdout = '';
  let stderr = '';
  const capture = (stream: NodeJS.WriteStream, append: (text: string) => void) => {
    const original = stream.write;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof stream.write;
    return () => {
      stream.write = original;
    };
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const restoreEnv = () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const restoreOut = capture(process.stdout, (t) => (stdout += t));
  const restoreErr = capture(process.stderr, (t) => (stderr += t));
  try {
    const code = await executeCommand(command, argv, process.env);
    return { code, stdout, stderr };
  } finally {
    restoreErr();
    restoreOut();
    restoreEnv();
  }
}
