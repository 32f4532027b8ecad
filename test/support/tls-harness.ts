import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface ServerBlock {
  readonly port: number;
  readonly host: string;
  readonly cert: string;
  /** nginx directives for TLS versions, client verification and the answer. */
  readonly directives: string;
}

/** One nginx, run as the current user with everything (pid, logs, temp) in `dir`; stop() kills it. */
export class Nginx {
  private constructor(
    private readonly child: ChildProcess,
    readonly errorLog: string,
  ) {}

  static async start(dir: string, name: string, blocks: readonly ServerBlock[]): Promise<Nginx> {
    const prefix = join(dir, name);
    spawnSync('mkdir', ['-p', prefix]);
    const servers = blocks.map(
      (b) => `server {
    listen 127.0.0.1:${b.port} ssl;
    server_name ${b.host};
    ssl_certificate ${join(dir, `${b.cert}.pem`)};
    ssl_certificate_key ${join(dir, `${b.cert}.key`)};
    ${b.directives}
  }`,
    );
    const conf = join(prefix, 'nginx.conf');
    const errorLog = join(prefix, 'error.log');
    writeFileSync(
      conf,
      `daemon off;\nmaster_process off;\npid ${prefix}/nginx.pid;\nerror_log ${errorLog} warn;\nevents {}\nhttp {\n  access_log off;\n` +
        ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${prefix}/${t};\n`).join('') +
        `  default_type text/plain;\n  ${servers.join('\n  ')}\n}\n`,
    );
    const child = spawn('nginx', ['-p', prefix, '-c', conf, '-e', errorLog], { stdio: 'ignore' });
    const nginx = new Nginx(child, errorLog);
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) break;
      if ((await Promise.all(blocks.map((b) => accepting(b.port)))).every(Boolean)) return nginx;
      await new Promise((r) => setTimeout(r, 50));
    }
    nginx.stop();
    let log = '';
    try {
      log = readFileSync(errorLog, 'utf8');
    } catch {
      /* no log written */
    }
    throw new Error(`nginx ${name} did not start within 5 s: ${log.trim().split('\n').slice(-3).join(' | ')}`);
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.pid) this.child.kill('SIGKILL');
  }
}

/** A temp folder removed by `cleanup()`. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
