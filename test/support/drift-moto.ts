import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * A private moto_server on a free loopback port for one test file, plus boto3 for
 * out-of-band changes. (Named apart from the shared moto helpers of the apply tests;
 * fold together when merging.)
 */

/** Fake credentials: moto accepts anything, the AWS provider and boto3 insist on some. */
export const FAKE_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
} as const;

/** Why moto cannot run here, or undefined when it can. */
export function motoUnavailableReason(): string | undefined {
  if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status !== 0) return 'moto_server is not on PATH';
  if (spawnSync('python3', ['-c', 'import boto3, moto'], { stdio: 'ignore' }).status !== 0) return 'python3 cannot import boto3 and moto';
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningMoto {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts moto_server and waits (at most `timeoutMs`) until it answers. */
export async function startMoto(timeoutMs = 30_000): Promise<RunningMoto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // The local env attaches AWS managed policies (Session Manager) and validates ACM certificates.
    env: { ...process.env, ...FAKE_AWS_ENV, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true', MOTO_ACM_VALIDATION_WAIT: '0' },
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5000)))]);
    clearTimeout(timer);
    if (!killed) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr}`);
    try {
      await answers(endpoint);
      return { endpoint, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms: ${stderr}`);
}

/** Resolves on any HTTP answer (listening is enough); no keep-alive socket is left behind. */
function answers(endpoint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get(`${endpoint}/moto-api/`, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve();
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Every managed resource in the state files under `dir`, by address, with its attributes. */
export function stateResources(dir: string): Record<string, Record<string, any>> {
  const out: Record<string, Record<string, any>> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.tfstate')) {
        const state = JSON.parse(readFileSync(join(d, e.name), 'utf8'));
        for (const r of state.resources ?? []) {
          if (r.mode === 'managed') for (const i of r.instances ?? []) out[`${r.type}.${r.name}`] = i.attributes;
        }
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * Runs a boto3 snippet against moto. The snippet sees `s3`, `ec2`, `ssm` (clients) and
 * `state` (what `stateResources` returns), and changes AWS behind Terraform's back.
 */
export function boto3(endpoint: string, snippet: string, state: Record<string, Record<string, any>>): void {
  const program = [
    'import boto3, json, sys',
    'state = json.load(sys.stdin)',
    `s3 = boto3.client('s3', endpoint_url=${JSON.stringify(endpoint)})`,
    `ec2 = boto3.client('ec2', endpoint_url=${JSON.stringify(endpoint)})`,
    `ssm = boto3.client('ssm', endpoint_url=${JSON.stringify(endpoint)})`,
    'def only(prefix):',
    '    hits = [a for k, a in state.items() if k.startswith(prefix)]',
    '    assert len(hits) == 1, f"expected one {prefix} in state, found {len(hits)}"',
    '    return hits[0]',
    snippet,
  ].join('\n');
  const r = spawnSync('python3', ['-c', program], { input: JSON.stringify(state), encoding: 'utf8', env: { ...process.env, ...FAKE_AWS_ENV }, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`boto3 snippet failed (${r.status}): ${r.stderr}\n${snippet}`);
}
