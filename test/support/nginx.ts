import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listening } from '../../tools/local/harness';
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

const TEMP_PATHS = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'] as const;

/** An nginx running in the foreground as the current user. */
export interface RunningNginx {
  readonly errorLogPath: string;
  stop(): Promise<void>;
}

/**
 * Starts nginx with `servers` (server blocks) in an http block whose pid, temp paths and
 * error log all live in `dir`, and waits (bounded) until every one of `ports` accepts.
 * On failure nginx is stopped and the error says why (its output and error log).
 */
export async function runNginx(dir: string, servers: string, ports: readonly number[], logLevel = 'warn'): Promise<RunningNginx> {
  for (const sub of [...TEMP_PATHS, 'logs']) mkdirSync(join(dir, sub), { recursive: true });
  const errorLogPath = join(dir, 'logs', 'error.log');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    [
      'daemon off;',
      'master_process off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${errorLogPath} ${logLevel};`,
      'events { worker_connections 64; }',
      'http {',
      '  access_log off;',
      ...TEMP_PATHS.map((t) => `  ${t}_temp_path ${join(dir, t)};`),
      servers,
      '}',
      '',
    ].join('\n'),
  );
  const nginx: Started = startProcess('nginx', ['-p', dir, '-e', errorLogPath, '-c', conf]);
  try {
    await waitFor('nginx', async () => (await Promise.all(ports.map(listening))).every(Boolean), 10_000, nginx.child);
    return { errorLogPath, stop: nginx.stop };
  } catch (e) {
    await nginx.stop();
    const log = existsSync(errorLogPath) ? readFileSync(errorLogPath, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
    throw new Error(`${(e as Error).message}\n${nginx.output()}${log}`);
  }
}

/**
 * nginx on a free loopback port, as the current user in the foreground, requiring a
 * client certificate that chains to the bundle (TLS 1.2+), answering 200 "ok".
 */
export async function startMtlsNginx(o: MtlsNginxOptions): Promise<MtlsNginx> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const server = `  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${o.serverCertPath};
    ssl_certificate_key ${o.serverKeyPath};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_verify_client on;
    ssl_client_certificate ${o.clientCaBundlePath};
    ssl_verify_depth ${o.verifyDepth};
    location / { default_type text/plain; return 200 "ok $ssl_client_s_dn\\n"; }
  }`;
    try {
      const nginx = await runNginx(o.dir, server, [port], 'info');
      return { port, errorLog: () => readFileSync(nginx.errorLogPath, 'utf8'), stop: nginx.stop };
    } catch (e) {
      lastError = (e as Error).message;
    }
  }
  throw new Error(`nginx did not start: ${lastError}`);
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
