import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNginx, type RunningNginx } from './nginx';
import { asn1Time, hoursFromNow, OpensslWorkbench, type TestCertificate, type TestKeyAlgorithm } from './openssl';

/** Whether the real tools the TLS harness needs are installed. */
export function missingTlsTools(): string[] {
  return ['nginx', 'openssl'].filter((t) => spawnSync(t, t === 'nginx' ? ['-v'] : ['version'], { stdio: 'ignore' }).status !== 0);
}

/** Hostnames the harness serves; tests map them to 127.0.0.1, never DNS. */
export const ORIGIN_HOST = 'api.example.test';
export const EDGE_HOST = 'edge.example.test';
export const DEFAULT_HOST = 'abc123.execute-api.example.test';

/**
 * A throwaway PKI in a temp dir, made with openssl at test time: our root CA, a foreign
 * CA, a server certificate for every harness hostname (one valid for a year, one that
 * expires in 5 days) and the origin-pull client certificate. Each `<name>` is written as
 * `<name>.pem` and `<name>.key`, the file names the nginx server blocks refer to.
 */
export function makePki(dir: string): void {
  const wb = new OpensslWorkbench(dir);
  const key: TestKeyAlgorithm = { type: 'rsa', bits: 2048 };
  const days = (n: number) => asn1Time(hoursFromNow(24 * n));
  const asPem = (cert: TestCertificate) => {
    wb.write(`${cert.name}.pem`, cert.certPem);
    return cert;
  };
  const ca = (name: string, cn: string) =>
    asPem(wb.issue(name, { subject: `/O=Edge Harness/CN=${cn}`, key, ca: true, keyUsage: ['keyCertSign', 'cRLSign'], notAfter: days(365) }));
  const ourCa = ca('our-ca', 'Edge Harness Root CA');
  ca('foreign-ca', 'Someone Else CA');
  const server = { subject: `/CN=${ORIGIN_HOST}`, key, issuer: ourCa, ca: false, keyUsage: [], extendedKeyUsage: ['serverAuth'], dnsNames: [ORIGIN_HOST, EDGE_HOST, DEFAULT_HOST] };
  asPem(wb.issue('server', { ...server, notAfter: days(365) }));
  asPem(wb.issue('server-expiring', { ...server, notAfter: days(5) }));
  asPem(wb.clientLeaf('origin-pull', ourCa, { subject: '/CN=Cloudflare origin pull', key, notAfter: days(365) }));
}

export interface ServerBlock {
  readonly port: number;
  readonly host: string;
  readonly cert: string;
  /** nginx directives for TLS versions, client verification and the answer. */
  readonly directives: string;
}

/** One nginx serving `blocks`, with everything (pid, logs, temp) in `dir/name`. */
export function startHarnessNginx(dir: string, name: string, blocks: readonly ServerBlock[]): Promise<RunningNginx> {
  const servers = blocks.map(
    (b) => `  server {
    listen 127.0.0.1:${b.port} ssl;
    server_name ${b.host};
    ssl_certificate ${join(dir, `${b.cert}.pem`)};
    ssl_certificate_key ${join(dir, `${b.cert}.key`)};
    ${b.directives}
  }`,
  );
  return runNginx(join(dir, name), ['  default_type text/plain;', ...servers].join('\n'), blocks.map((b) => b.port));
}

/** A temp folder removed by `cleanup()`. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
