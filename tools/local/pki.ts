import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A throwaway PKI for the `local` environment, made with openssl: a root CA, a server
 * certificate for the loopback stand-ins, the origin-pull client certificate and the
 * keyless edge certificate (stored in moto's SSM, as an operator stores the real one).
 * Private keys are mode 0600 in a git-ignored folder and never printed.
 */

/** Hostnames the stand-ins serve; `verify.resolve` in envs/local.yaml maps them to 127.0.0.1. */
export const LOCAL_HOSTS = { origin: 'origin.example.test', edge: 'api.example.test', keyless: 'www.example.test' } as const;

export interface LocalPki {
  readonly dir: string;
  /** `<dir>/<name>.pem` and `<dir>/<name>.key` exist for each of these. */
  readonly names: readonly ['ca', 'server', 'origin-pull', 'keyless'];
}

function openssl(args: readonly string[], cwd: string): void {
  const r = spawnSync('openssl', [...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${(r.stderr || r.error?.message || '').trim().split('\n')[0]}`);
}

/** An EC P-256 key and a certificate signed by the CA in `dir`, with the given extensions. */
function issue(dir: string, name: string, subject: string, extensions: readonly string[]): void {
  writeFileSync(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '365', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`], dir);
  rmSync(join(dir, `${name}.csr`));
  rmSync(join(dir, `${name}.ext`));
}

/** Makes the PKI in `dir` unless it is already complete there. */
export function ensureLocalPki(dir: string): LocalPki {
  const names = ['ca', 'server', 'origin-pull', 'keyless'] as const;
  if (names.every((n) => existsSync(join(dir, `${n}.pem`)) && existsSync(join(dir, `${n}.key`)))) return { dir, names };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '365', '-sha256',
      '-subj', '/O=Edge Local/CN=Edge Local Root CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
  const leaf = (eku: string, hosts: readonly string[]) => [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    `extendedKeyUsage=${eku}`,
    ...(hosts.length > 0 ? [`subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`] : []),
  ];
  issue(dir, 'server', `/CN=${LOCAL_HOSTS.origin}`, leaf('serverAuth', [LOCAL_HOSTS.origin, LOCAL_HOSTS.edge]));
  issue(dir, 'origin-pull', '/CN=Cloudflare origin pull (local)', leaf('clientAuth', []));
  issue(dir, 'keyless', `/CN=${LOCAL_HOSTS.keyless}`, leaf('serverAuth', [LOCAL_HOSTS.keyless]));
  rmSync(join(dir, 'ca.srl'), { force: true });
  for (const n of names) chmodSync(join(dir, `${n}.key`), 0o600);
  return { dir, names };
}
