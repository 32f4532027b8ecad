import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callMotoJsonApi, MOTO_SETTINGS, motoAnswers, motoCommand, motoEnv } from '../../tools/local/moto';
import { BUDGET } from './budget';
import { freePort, startProcess, waitFor } from './processes';

/**
 * A private moto_server on a free loopback port for one test file, the fake
 * credentials Terraform and boto3 need to talk to it, and boto3 for changes made
 * behind Terraform's back.
 */

/** Why moto cannot run here, or undefined when it can. */
export function motoUnavailableReason(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import moto, boto3'], { stdio: 'ignore', timeout: BUDGET.boto3 });
  if (r.error || r.status !== 0) return 'python3 with moto and boto3 is not installed (PyPI is not reachable from CI)';
  const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore', timeout: BUDGET.boto3 });
  if (probe.error || probe.status !== 0) return 'moto_server is not on PATH';
  return undefined;
}

export { motoEnv };

export interface Moto {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Calls a JSON-protocol AWS API (`AmazonSSM.PutParameter`) on the emulator. */
  call(target: string, body: Record<string, unknown>): Promise<any>;
  stop(): Promise<void>;
}

/**
 * Starts moto_server on a free loopback port and waits (bounded) until it answers,
 * retrying on another port if one was taken in between. ACM certificates validate
 * immediately and IAM managed policies are loaded (both off by default in moto).
 */
export async function startMoto(extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = BUDGET.motoStart): Promise<Moto> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const moto = startProcess('moto_server', motoArgs(port), { ...motoServerEnv(), ...extraEnv });
    try {
      await waitFor('moto_server', () => motoAnswers(endpoint), timeoutMs, moto.child);
      return { endpoint, call: (target, body) => callMotoJsonApi(endpoint, target, body), stop: moto.stop };
    } catch (e) {
      lastError = `${(e as Error).message}\n${moto.output().slice(-2000)}`;
      await moto.stop();
    }
  }
  throw new Error(`moto_server did not start: ${lastError}`);
}

const motoArgs = (port: number): string[] => motoCommand(port)[1];

/** moto's own settings (tools/local/moto.ts: the same as `npm run local`) plus fake credentials. */
function motoServerEnv(): NodeJS.ProcessEnv {
  return { ...motoEnv(), ...MOTO_SETTINGS };
}

/** Ends a detached process group (no error when it is already gone). */
export function stopProcessGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    // Already gone.
  }
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
    `iam = boto3.client('iam', endpoint_url=${JSON.stringify(endpoint)})`,
    `secretsmanager = boto3.client('secretsmanager', endpoint_url=${JSON.stringify(endpoint)})`,
    'def only(prefix):',
    '    hits = [a for k, a in state.items() if k.startswith(prefix)]',
    '    assert len(hits) == 1, f"expected one {prefix} in state, found {len(hits)}"',
    '    return hits[0]',
    snippet,
  ].join('\n');
  const r = spawnSync('python3', ['-c', program], { input: JSON.stringify(state), encoding: 'utf8', env: { ...process.env, ...motoEnv() }, timeout: BUDGET.boto3 });
  if (r.status !== 0) throw new Error(`boto3 snippet failed (${r.status}): ${r.stderr}\n${snippet}`);
}
