import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, startDetached, stopProcess, waitFor } from './processes';
import type { StandInSpec } from './stand-ins';

/**
 * The loopback stand-ins `npm run verify -- --env local` checks. moto does not serve
 * API Gateway custom domains over TLS, and the edge is Cloudflare, so the local
 * environment has no real TLS endpoint: these two nginx servers stand in, built from
 * the synthesized `local` stacks (tools/local/stand-ins.ts): the origin answers for the
 * origin stack's custom domains with the TLS versions of their security policy and
 * demands a client certificate from exactly the truststore the origin stack writes; the
 * edge answers for the edge stack's proxied names with the zone's TLS versions and
 * 403 without a client certificate from the local CA. Certificates come from the local
 * PKI (tools/local/pki.ts). They prove what the stacks configure and that the verify
 * checks, the PKI files and the env file's `verify:` section work end to end; they say
 * nothing about moto.
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

export function harnessConfig(dir: string, pkiDir: string, ports: HarnessPorts, spec: StandInSpec): string {
  const truststore = join(dir, 'truststore.pem');
  mkdirSync(dir, { recursive: true });
  writeFileSync(truststore, spec.origin.truststorePem);
  const server = `ssl_certificate ${join(pkiDir, 'server-chain.pem')}; ssl_certificate_key ${join(pkiDir, 'server.key')};`;
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
    `  server { listen 127.0.0.1:${ports.origin} ssl; server_name ${spec.origin.hostnames.join(' ')}; ${server} ssl_protocols ${spec.origin.protocols.join(' ')};`,
    `    ssl_client_certificate ${truststore}; ssl_verify_client on; ssl_verify_depth 4; location / { return 200 "origin stand-in\\n"; } }`,
    `  server { listen 127.0.0.1:${ports.edge} ssl; server_name ${spec.edge.hostnames.join(' ')}; ${server} ssl_protocols ${spec.edge.protocols.join(' ')};`,
    `    ssl_client_certificate ${join(pkiDir, 'ca-bundle.pem')}; ssl_verify_client optional; ssl_verify_depth 4;`,
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
export async function startStandIns(dir: string, pkiDir: string, spec: StandInSpec, ports?: HarnessPorts): Promise<{ pid: number; ports: HarnessPorts }> {
  for (let attempt = 1; ; attempt++) {
    const chosen = ports ?? (await freeHarnessPorts());
    const config = harnessConfig(dir, pkiDir, chosen, spec);
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
