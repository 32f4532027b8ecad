import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A throwaway PKI for the `local` environment, made with openssl, shaped like the one the
 * custody stack describes: a root CA and an intermediate CA under it (the two CA
 * certificates the custody stack publishes and the origin's truststore joins), a server
 * certificate for the loopback stand-ins and the origin-pull client certificate, both
 * from the intermediate, and the keyless edge certificate (stored in moto's SSM, as an
 * operator stores the real one). `ca-bundle.pem` is root and intermediate (what verify
 * expects the origin to trust), `server-chain.pem` the server certificate with its
 * intermediate (what the stand-ins present).
 * Private keys are mode 0600 in a git-ignored folder and never printed.
 */

/**
 * Names the local certificates are issued for: the API hostname of envs/local.yaml (the
 * origin's custom domain and the edge's proxied name, which the stand-ins serve on two
 * ports; `verify.resolve` maps both to 127.0.0.1) and the keyless hostname.
 */
export const LOCAL_HOSTS = { api: 'api.example.test', keyless: 'www.example.test' } as const;

export interface LocalPki {
  readonly dir: string;
  /** `<dir>/<name>.pem` and `<dir>/<name>.key` exist for each of these; so do `ca-bundle.pem` and `server-chain.pem`. */
  readonly names: readonly ['ca', 'intermediate', 'server', 'origin-pull', 'keyless'];
}

function openssl(args: readonly string[], cwd: string): void {
  const r = spawnSync('openssl', [...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${(r.stderr || r.error?.message || '').trim().split('\n')[0]}`);
}

/** An EC P-256 key and a certificate signed by the CA `issuer` in `dir`, with the given extensions. */
function issue(dir: string, name: string, subject: string, extensions: readonly string[], issuer = 'ca'): void {
  writeFileSync(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '365', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`], dir);
  rmSync(join(dir, `${name}.csr`));
  rmSync(join(dir, `${name}.ext`));
}

/** Makes the PKI in `dir` unless it is already complete there. */
export function ensureLocalPki(dir: string): LocalPki {
  const names = ['ca', 'intermediate', 'server', 'origin-pull', 'keyless'] as const;
  const bundles = ['ca-bundle.pem', 'server-chain.pem'];
  if (names.every((n) => existsSync(join(dir, `${n}.pem`)) && existsSync(join(dir, `${n}.key`))) && bundles.every((b) => existsSync(join(dir, b)))) return { dir, names };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '365', '-sha256',
      '-subj', '/O=Edge Local/CN=Edge Local Root CA', '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:1', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
  const leaf = (eku: string, hosts: readonly string[]) => [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    `extendedKeyUsage=${eku}`,
    ...(hosts.length > 0 ? [`subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`] : []),
  ];
  issue(dir, 'intermediate', '/O=Edge Local/CN=Edge Local Intermediate CA', ['basicConstraints=critical,CA:TRUE,pathlen:0', 'keyUsage=critical,keyCertSign,cRLSign']);
  issue(dir, 'server', `/CN=${LOCAL_HOSTS.api}`, leaf('serverAuth', [LOCAL_HOSTS.api]), 'intermediate');
  issue(dir, 'origin-pull', '/CN=Cloudflare origin pull (local)', leaf('clientAuth', []), 'intermediate');
  issue(dir, 'keyless', `/CN=${LOCAL_HOSTS.keyless}`, leaf('serverAuth', [LOCAL_HOSTS.keyless]));
  const pem = (n: string) => readFileSync(join(dir, `${n}.pem`), 'utf8');
  writeFileSync(join(dir, 'ca-bundle.pem'), pem('ca') + pem('intermediate'));
  writeFileSync(join(dir, 'server-chain.pem'), pem('server') + pem('intermediate'));
  for (const serial of ['ca.srl', 'intermediate.srl']) rmSync(join(dir, serial), { force: true });
  for (const n of names) chmodSync(join(dir, `${n}.key`), 0o600);
  return { dir, names };
}

/**
 * The local PKI in place of the custody stack's certificates, for the stand-ins'
 * truststore (tools/local/stand-ins.ts): its self-signed CA is `ca.pem`, a CA it signs
 * `intermediate.pem`. Anything else has no local counterpart and is refused.
 */
export function localPublished(dir: string) {
  return (expression: string, custody: Record<string, any>): string => {
    const m = /^\$\{(tls_self_signed_cert|tls_locally_signed_cert)\.([\w-]+)\.cert_pem\}$/.exec(expression);
    const resource = m && custody.resource?.[m[1]]?.[m[2]];
    if (m && resource?.is_ca_certificate === true) return readFileSync(join(dir, `${m[1] === 'tls_self_signed_cert' ? 'ca' : 'intermediate'}.pem`), 'utf8');
    throw new Error(`the local PKI has no certificate standing in for ${expression}`);
  };
}
