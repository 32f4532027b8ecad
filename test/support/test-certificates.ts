import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Why openssl cannot make test certificates here, or undefined. */
export function opensslUnavailableReason(): string | undefined {
  const r = spawnSync('openssl', ['version'], { stdio: 'ignore' });
  return r.error || r.status !== 0 ? 'openssl is not installed' : undefined;
}

export interface TestCertificates {
  /** CA-signed leaf, PEM. */
  readonly leafPem: string;
  /** Its private key, PEM (stays in the temp dir; never written into the repository). */
  readonly leafKeyPem: string;
  readonly caPem: string;
  /** Leaf followed by the CA: what a fullchain.pem looks like. */
  readonly chainPem: string;
}

/**
 * Generates a small CA and a leaf for `host` with openssl, in `dir` (a temp dir). Expiry
 * is tested by moving the clock (`now`) rather than backdating: openssl 3.0 has no -not_after.
 */
export function makeTestCertificates(dir: string, host = 'www.example.test'): TestCertificates {
  const o = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  o('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Keyless Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  o('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${host}`);
  const ext = join(dir, 'leaf.ext');
  writeFileSync(ext, `basicConstraints=CA:FALSE\nsubjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\n`);
  o('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '1', '-extfile', ext);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const leafPem = read('leaf.pem');
  return {
    leafPem,
    leafKeyPem: read('leaf.key'),
    caPem: read('ca.pem'),
    chainPem: leafPem + read('ca.pem'),
  };
}
