import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectAwsOnly, type TerraformJson } from '../../lib/aws-projection';
import { terraform, terraformUnavailableReason, type TerraformRun } from '../../lib/terraform';

/*
 * Minimal moto_server + terraform apply helpers for the keyless tests. The PKI branch
 * has a general version (test/support/moto.ts, apply.ts); fold these into it on merge.
 */

/** Why moto cannot run here, or undefined when it can. */
export function motoUnavailableReason(): string | undefined {
  const tf = terraformUnavailableReason();
  if (tf) return tf;
  const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore', timeout: 20000 });
  if (probe.error || probe.status !== 0) return 'moto_server is not installed (python3 moto[server] 5.x)';
  return undefined;
}

/** A port the OS says is free right now (listen on 0, read it back, close). */
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

export interface Moto {
  readonly endpoint: string;
  /** Calls a JSON-protocol AWS API (`AmazonSSM.PutParameter`) on the emulator. */
  call(target: string, body: Record<string, unknown>): Promise<any>;
  stop(): Promise<void>;
}

/** Starts moto_server on a free loopback port and waits (bounded) until it answers. */
export async function startMoto(timeoutMs = 30000): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not come up on ${endpoint}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const call = async (target: string, body: Record<string, unknown>) => {
    const r = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': target,
        Authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${target} failed (${r.status}): ${text}`);
    return text ? JSON.parse(text) : {};
  };
  return { endpoint, call, stop };
}

/** Environment for terraform talking to moto with throwaway credentials. */
export function motoTerraformEnv(region: string): NodeJS.ProcessEnv {
  return { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: region, AWS_DEFAULT_REGION: region, AWS_EC2_METADATA_DISABLED: 'true' };
}

/** A working directory holding the AWS-only projection of one stack, initialised. */
export async function prepareAwsOnlyStack(stack: TerraformJson, dir: string, env: NodeJS.ProcessEnv): Promise<{ removed: readonly string[] }> {
  mkdirSync(dir, { recursive: true });
  const { json, removed } = projectAwsOnly(stack);
  // The foundation's emulated provider skips the account-id lookup, which leaves
  // allowed_account_ids nothing to compare and fails every run. moto's STS answers
  // 123456789012 (the local env's account), so let the provider ask and check it.
  for (const aws of json.provider?.aws ?? []) aws.skip_requesting_account_id = false;
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(json, null, 2));
  await expectOk(terraform(['init', '-input=false', '-no-color'], dir, env), 'terraform init');
  return { removed };
}

export async function expectOk(run: Promise<TerraformRun>, what: string): Promise<TerraformRun> {
  const r = await run;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stderr || r.stdout}`);
  return r;
}
