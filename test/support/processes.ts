import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { waitFor as waitForReady } from '../../tools/local/processes';

export { freePort } from '../../tools/local/processes';

/** Polls `ready` every 100 ms until it returns true, or fails after `timeoutMs`. */
export function waitFor(what: string, ready: () => Promise<boolean>, timeoutMs: number, child?: ChildProcess): Promise<void> {
  return waitForReady(what, ready, timeoutMs, () => child !== undefined && child.exitCode !== null);
}

/** A started child process with its output captured, and a stop() that always reaps it. */
export interface Started {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function startProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Started {
  const child = spawn(command, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  child.on('error', (e) => (output += `spawn error: ${e.message}`));
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** How a command run to its end finished: exit code (null when a signal ended it) and its two outputs. */
export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end with stdout and stderr captured apart; rejects only when it cannot be started. */
export function runToEnd(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
