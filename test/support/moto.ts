import { spawnSync } from 'node:child_process';
import { freePort, startProcess, waitFor } from './processes';

export function motoUnavailableReason(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import moto, boto3'], { stdio: 'ignore' });
  if (r.status !== 0) return 'python3 with moto and boto3 is not installed (PyPI is not reachable from CI)';
  if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status !== 0) return 'moto_server is not on PATH';
  return undefined;
}

export interface Moto {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * A private moto_server on a free loopback port. ACM certificates validate
 * immediately and IAM managed policies are loaded (both off by default in moto).
 */
export async function startMoto(extraEnv: NodeJS.ProcessEnv = {}): Promise<Moto> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const moto = startProcess('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
      MOTO_ACM_VALIDATION_WAIT: '0',
      MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
      ...extraEnv,
    });
    try {
      await waitFor('moto_server', async () => (await fetch(`${endpoint}/moto-api/data.json`)).ok, 30_000, moto.child);
      return { endpoint, stop: moto.stop };
    } catch (e) {
      lastError = `${(e as Error).message}\n${moto.output().slice(-2000)}`;
      await moto.stop();
    }
  }
  throw new Error(`moto_server did not start: ${lastError}`);
}

/** Fake credentials for the AWS provider talking to moto (moto accepts any). */
export const MOTO_CREDENTIALS: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_EC2_METADATA_DISABLED: 'true',
};
