import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A TCP port that was free on loopback a moment ago (the OS picked it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `ready` every 100 ms until it returns true, or fails after `timeoutMs` (or when `exited()` says the process is gone). */
export async function waitFor(what: string, ready: () => Promise<boolean>, timeoutMs: number, exited: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`${what} exited before it was ready`);
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} was not ready after ${timeoutMs} ms`);
}

/** A service started by `startDetached`. */
export interface DetachedProcess {
  readonly pid: number;
  /**
   * Whether it has exited, as this process saw it end. (Its command line cannot tell
   * while it starts: between fork and exec /proc shows this process's own.)
   */
  exited(): boolean;
}

/**
 * Starts a long-running service that outlives this process (its own session, output
 * to `logFile`). `env` is added to this process's environment for the child only.
 */
export function startDetached(command: string, args: readonly string[], env: NodeJS.ProcessEnv, logFile: string): DetachedProcess {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(command, [...args], { env: { ...process.env, ...env }, detached: true, stdio: ['ignore', log, log] });
    let exited = false;
    child.once('exit', () => (exited = true));
    child.once('error', () => (exited = true));
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    return { pid: child.pid, exited: () => exited };
  } finally {
    closeSync(log);
  }
}

/** Whether `pid` is alive and its command line contains `expected` (a recycled pid is not ours). */
export function isOurProcess(pid: number, expected: string): boolean {
  const cmdline = `/proc/${pid}/cmdline`;
  if (existsSync(cmdline)) return readFileSync(cmdline, 'utf8').replace(/\0/g, ' ').includes(expected);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a process started by `startDetached`: SIGTERM, then SIGKILL after `graceMs`. Only if it is still ours. */
export async function stopProcess(pid: number, expected: string, graceMs = 5000): Promise<boolean> {
  if (!isOurProcess(pid, expected)) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurProcess(pid, expected) || isZombie(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, 'SIGKILL');
  return true;
}

function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}
