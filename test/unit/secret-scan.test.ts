import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { scanForSecrets } from '../../tools/policy/secret-scan';

// Every secret below is made at test time: nothing secret-shaped is committed.
const rsaKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString();
const alnum = (n: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789') =>
  [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
const b64 = (s: string) => Buffer.from(s).toString('base64');
const tunnelToken = () => b64(JSON.stringify({ a: alnum(32, '0123456789abcdef'), t: '6ff42ae2-765d-4adf-8112-31c55c1551ef', s: randomBytes(32).toString('base64') }));
const publicCert = `-----BEGIN CERTIFICATE-----\n${randomBytes(300).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;

const kinds = (value: unknown) => scanForSecrets(value).map((h) => `${h.path} ${h.kind}`);

describe('the secret scan finds', () => {
  it.each<[string, () => unknown, string]>([
    ['an RSA private key in a field', () => ({ resource: { x: { y: { content: rsaKey() } } } }), 'resource.x.y.content pem-private-key'],
    ['an EC private key inside base64 user-data', () => ({ user_data_base64: b64(`#cloud-config\nwrite_files:\n- content: |\n${ecKey()}`) }), 'user_data_base64(base64) pem-private-key'],
    ['a private key inside gzip-compressed base64 user-data', () => ({ user_data_base64: gzipSync(`#cloud-config\nwrite_files:\n- content: |\n${rsaKey()}`).toString('base64') }), 'user_data_base64(base64) pem-private-key'],
    ['an AWS access key id', () => ({ env: `AWS_ACCESS_KEY_ID=AKIA${alnum(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}` }), 'env aws-access-key-id'],
    ['an AWS secret access key in a script', () => ({ user_data: `#!/bin/sh\naws_secret_access_key = ${alnum(40)}\n` }), 'user_data aws-secret-access-key'],
    ['a Cloudflare API token in an environment line', () => ({ user_data: `#!/bin/sh\nexport CLOUDFLARE_API_TOKEN=${alnum(40)}\n` }), 'user_data cloudflare-api-token'],
    ['a Cloudflare origin CA key', () => ({ gokeyless: `auth_key: v1.0-${alnum(24, '0123456789abcdef')}-${alnum(146, '0123456789abcdef')}` }), 'gokeyless cloudflare-origin-ca-key'],
    ['a tunnel token', () => ({ runcmd: [`cloudflared service install ${tunnelToken()}`] }), 'runcmd[0] cloudflared-tunnel-token'.replace('cloudflared-', 'cloudflare-')],
    ['a literal value in a secret-named field', () => ({ variable: { db: { default: { password: alnum(24) } } } }), 'variable.db.default.password high-entropy-secret'],
    ['a password assignment inside a config file', () => ({ user_data: `#cloud-config\nwrite_files:\n- path: /etc/app.yaml\n  content: |\n    password: ${alnum(24)}\n` }), 'user_data high-entropy-secret'],
  ])('%s', (_what, make, expected) => {
    expect(kinds(make())).toContain(expected);
  });

  it('reports a redacted excerpt, never the secret', () => {
    const token = alnum(40);
    const [hit] = scanForSecrets({ api_token: token });
    expect(hit.excerpt).toBe(`${token.slice(0, 4)}...(40 chars)`);
  });
});

describe('the secret scan leaves alone', () => {
  it.each<[string, unknown]>([
    ['Terraform references to sensitive attributes', { private_key: '${tls_private_key.ca.private_key_pem}', api_token: '${var.cloudflare_api_token}' }],
    ['public certificates', { certificate: publicCert, ca_bundle: b64(publicCert) }],
    ['ARNs, paths and URLs in secret-named fields', { secret_arn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:keyless/edge-AbCdEf', token_path: '/etc/keyless/token-file-for-gokeyless', password_url: 'https://vault.example.com/v1/secret/data/x' }],
    ['ordinary words in secret-named fields', { secret_name: 'keyless-edge-certificate-key', token_type: 'bearer' }],
    ['CDKTF metadata and hostnames', { '//': { metadata: { path: 'dev-origin/TruststoreBucket/Bucket' } }, domain_name: 'api.dev.example.com' }],
    ['a cloud-config that fetches its secret at boot', { user_data: '#cloud-config\nruncmd:\n  - aws secretsmanager get-secret-value --secret-id "$SECRET_ARN" --query SecretString --output text > /etc/keyless/keys/edge.key\n' }],
  ])('%s', (_what, value) => {
    expect(scanForSecrets(value)).toEqual([]);
  });
});
