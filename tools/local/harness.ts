import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { LOCAL_HOSTS } from './pki';
import { freePort, startDetached, stopProcess, waitFor } from './processes';

/**
 * The loopback stand-ins `npm run verify -- --env local` checks. moto does not serve
 * API Gateway custom domains over TLS, and the edge is Cloudflare, so the local
 * environment has no real TLS endpoint: these two nginx servers are configured the
 * way the origin and the edge are meant to behave (TLS 1.2+, the origin demands a
 * client certificate from our CA, the edge answers 403 without one), with the local
 * PKI. They prove the verify checks, the PKI files and the env file's `verify:`
 * section work end to end; they say nothing about moto.
 */

/** The loopback ports of the two stand-ins. */
export interface HarnessPorts {
  readonly origin: number;
  readonly edge: number;
}

/**
 * The ports envs/local.yaml's `verify:` section writes. They are placeholders: the
 * stand-ins take free ports, `npm run local` records them in `.local/run.json`, and
 * `npm run verify -- --env local` puts them in place of these
 * (tools/local/run-file.ts).
 */
export const ENV_FILE_PORTS: HarnessPorts = { origin: 18443, edge: 18444 };

/** Two distinct free loopback ports. */
export async function freeHarnessPorts(): Promise<HarnessPorts> {
  const origin = await freePort();
  let edge = await freePort();
  while (edge === origin) edge = await freePort();
  return { origin, edge };
}

export function harnessConfig(dir: string, pkiDir: string, ports: HarnessPorts): string {
  const pem = (n: string) => join(pkiDir, `${n}.pem`);
  const tls = `ssl_certificate ${pem('server')}; ssl_certificate_key ${join(pkiDir, 'server.key')}; ssl_protocols TLSv1.2 TLSv1.3; ssl_client_certificate ${pem('ca')};`;
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];
  for (const t of [...temp, 'logs']) mkdirSync(join(dir, t), { recursive: true });
  const conf = [
    'daemon off;',
    'master_process off;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'logs', 'error.log')} warn;`,
    'events { worker_connections 64; }',
    'http {',
    '  access_log off;',
    ...temp.map((t) => `  ${t}_temp_path ${join(dir, t)};`),
    `  server { listen 127.0.0.1:${ports.origin} ssl; server_name ${LOCAL_HOSTS.origin}; ${tls} ssl_verify_client on; location / { return 200 "origin stand-in\\n"; } }`,
    `  server { listen 127.0.0.1:${ports.edge} ssl; server_name ${LOCAL_HOSTS.edge}; ${tls} ssl_verify_client optional;`,
    `    location / { if ($ssl_client_verify != SUCCESS) { return 403; } return 200 "edge stand-in\\n"; } }`,
    '}',
    '',
  ].join('\n');
  const path = join(dir, 'nginx.conf');
  writeFileSync(path, conf);
  return path;
}

/** Whether something accepts TCP connections on loopback `port`. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts the stand-ins with their files in `dir` on `ports` (default: two free loopback
 * ports) and waits until both listen; returns nginx's pid and the ports. A free port can
 * be taken by another program between choosing it and nginx binding it: with ports it
 * chose itself, it tries again with new ones (three times).
 */
export async function startStandIns(dir: string, pkiDir: string, ports?: HarnessPorts): Promise<{ pid: number; ports: HarnessPorts }> {
  for (let attempt = 1; ; attempt++) {
    const chosen = ports ?? (await freeHarnessPorts());
    const config = harnessConfig(dir, pkiDir, chosen);
    const nginx = startDetached('nginx', ['-p', dir, '-e', join(dir, 'logs', 'error.log'), '-c', config], {}, join(dir, 'logs', 'nginx.out'));
    try {
      await waitFor('nginx stand-ins', async () => (await listening(chosen.origin)) && (await listening(chosen.edge)), 10_000, nginx.exited);
      return { pid: nginx.pid, ports: chosen };
    } catch (e) {
      await stopProcess(nginx.pid, 'nginx');
      if (ports || attempt >= 3) throw e;
    }
  }
}
