import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, startProcess, waitFor, type Started } from './processes';

export function nginxUnavailableReason(): string | undefined {
  if (spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status !== 0) return 'nginx is not installed (.ci/run installs it)';
  if (spawnSync('curl', ['--version'], { stdio: 'ignore' }).status !== 0) return 'curl is not installed (.ci/run installs it)';
  return undefined;
}

export interface MtlsNginxOptions {
  /** Folder for config, temp dirs and logs (must exist, writable). */
  readonly dir: string;
  readonly serverCertPath: string;
  readonly serverKeyPath: string;
  /** PEM bundle of the CAs client certificates must chain to. */
  readonly clientCaBundlePath: string;
  readonly verifyDepth: number;
}

export interface MtlsNginx {
  readonly port: number;
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * nginx on a free loopback port, as the current user in the foreground, requiring a
 * client certificate that chains to the bundle (TLS 1.2+), answering 200 "ok".
 */
export async function startMtlsNginx(o: MtlsNginxOptions): Promise<MtlsNginx> {
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'logs']) mkdirSync(join(o.dir, sub), { recursive: true });
  const errorLog = join(o.dir, 'logs', 'error.log');
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const conf = join(o.dir, 'nginx.conf');
    writeFileSync(
      conf,
      `daemon off;
master_process off;
pid ${join(o.dir, 'nginx.pid')};
error_log ${errorLog} info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${join(o.dir, 'client_body')};
  proxy_temp_path ${join(o.dir, 'proxy')};
  fastcgi_temp_path ${join(o.dir, 'fastcgi')};
  uwsgi_temp_path ${join(o.dir, 'uwsgi')};
  scgi_temp_path ${join(o.dir, 'scgi')};
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${o.serverCertPath};
    ssl_certificate_key ${o.serverKeyPath};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_verify_client on;
    ssl_client_certificate ${o.clientCaBundlePath};
    ssl_verify_depth ${o.verifyDepth};
    location / { default_type text/plain; return 200 "ok $ssl_client_s_dn\\n"; }
  }
}
`,
    );
    const nginx: Started = startProcess('nginx', ['-p', o.dir, '-e', errorLog, '-c', conf]);
    try {
      await waitFor('nginx', () => canConnect(port), 10_000, nginx.child);
      return { port, errorLog: () => readFileSync(errorLog, 'utf8'), stop: nginx.stop };
    } catch (e) {
      lastError = `${(e as Error).message}\n${nginx.output()}`;
      await nginx.stop();
    }
  }
  throw new Error(`nginx did not start: ${lastError}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface CurlResult {
  /** HTTP status, or 0 when no HTTP response came back (handshake failure). */
  readonly status: number;
  readonly body: string;
  readonly stderr: string;
}

/** One HTTPS GET with curl, verifying the server against `caPath` for `hostname`. */
export function curlGet(o: { hostname: string; port: number; caPath: string; certPath?: string; keyPath?: string }): CurlResult {
  const args = [
    '-sS', '--max-time', '10', '--tlsv1.2', '--cacert', o.caPath,
    '--resolve', `${o.hostname}:${o.port}:127.0.0.1`,
    '-w', '\n%{http_code}',
    ...(o.certPath ? ['--cert', o.certPath, '--key', o.keyPath!] : []),
    `https://${o.hostname}:${o.port}/`,
  ];
  const r = spawnSync('curl', args, { encoding: 'utf8', timeout: 15_000 });
  const lines = (r.stdout ?? '').split('\n');
  const status = Number(lines.pop() ?? '0');
  return { status, body: lines.join('\n'), stderr: r.stderr ?? '' };
}
