import { get } from 'node:http';

/**
 * moto_server as the `local` environment's AWS, with the settings every moto run of
 * the project uses (the tests import them from here).
 */

/** moto settings: ACM certificates are issued at once, IAM's AWS-managed policies exist. */
export const MOTO_SETTINGS: Readonly<NodeJS.ProcessEnv> = {
  MOTO_ACM_VALIDATION_WAIT: '0',
  MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
};

/** Fake credentials: moto accepts anything, the AWS provider and boto3 insist on some. Only ever given to child processes. */
export const MOTO_CREDENTIALS: Readonly<NodeJS.ProcessEnv> = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** Environment for Terraform, boto3 or the CLI talking to moto in `region`. */
export function motoEnv(region = 'us-east-1'): NodeJS.ProcessEnv {
  return { ...MOTO_CREDENTIALS, AWS_REGION: region, AWS_DEFAULT_REGION: region, AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
}

/** The moto_server command line on loopback `port`. */
export const motoCommand = (port: number): [string, string[]] => ['moto_server', ['-H', '127.0.0.1', '-p', String(port)]];

/** Whether moto's dashboard answers 200 at `endpoint` (cheap at any size: data.json dumps everything and takes seconds once applied); no keep-alive socket is left behind. */
export function motoAnswers(endpoint: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = get(`${endpoint}/moto-api/`, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Calls a JSON-protocol AWS API (`AmazonSSM.PutParameter`) on moto, which does not check signatures. */
export async function callMotoJsonApi(endpoint: string, target: string, body: Record<string, unknown>): Promise<any> {
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
}
