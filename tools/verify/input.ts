import { X509Certificate } from 'node:crypto';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { loadEnvironment } from '../../envs/load';
import { RESOLVE_ENTRY } from '../../envs/schema/verify';
import { unpinnedCas, unpinnedMessage } from '../../lib/ca-pins';
import { caTrustRefusals } from '../../lib/ca-trust';
import { ConfigError, ConfigProblem, quote } from '../../lib/errors';
import { FileRefusedError, readRegularFile } from '../../lib/files';
import { MAX_PEM_FILE_BYTES } from '../../lib/pem-files';
import type { VerifyInput } from './checks';
import { readCertificates, readPrivateKey } from './pem';
import type { Endpoint } from './probe';

/** Command-line values; each overrides the env file's `verify` field of the same meaning. */
export interface VerifyFlags {
  env?: string;
  originUrl?: string;
  edgeUrl?: string;
  defaultEndpointUrl?: string;
  ca?: string;
  cert?: string;
  key?: string;
  serverCa?: string;
  resolve: string[];
  warnDays?: number;
  timeoutMs?: number;
  /**
   * The ports the local stand-ins took (`npm run local` records them in `.local/run.json`):
   * they replace the ports of the env file's originUrl and edgeUrl, and of its resolve
   * entries for those two, whose ports are placeholders. Command-line values stay as given.
   */
  standInPorts?: { readonly origin: number; readonly edge: number };
}

/** A value plus where it came from, so a problem names the env file field or the flag. */
interface Sourced {
  readonly value: string;
  readonly file: string;
  readonly field: string;
  /** Folder relative paths resolve from. */
  readonly dir: string;
}

/**
 * Builds the checks' input from the env file's `verify` section and the flags, reading
 * every file. All problems are collected and thrown as one ConfigError before any
 * connection is made.
 */
export function verifyInput(flags: VerifyFlags, envsDir?: string): VerifyInput {
  const env = flags.env ? loadEnvironment(flags.env, envsDir) : undefined;
  const section = env?.config.verify;
  const problems: ConfigProblem[] = [];
  const pick = (flag: keyof VerifyFlags, flagName: string, field: string, fromEnv: string | undefined): Sourced | undefined => {
    const v = flags[flag];
    if (typeof v === 'string') return { value: v, file: '(command line)', field: flagName, dir: process.cwd() };
    if (fromEnv !== undefined && env) return { value: fromEnv, file: env.file, field: `verify.${field}`, dir: env.dir };
    return undefined;
  };
  const required = (s: Sourced | undefined, flagName: string, field: string): Sourced | undefined => {
    if (!s) problems.push({ file: env?.file ?? '(command line)', field: env ? `verify.${field}` : flagName, message: `missing: set verify.${field} in the env file or pass ${flagName}` });
    return s;
  };

  const url = (s: Sourced | undefined): URL | undefined => {
    if (!s) return undefined;
    try {
      const u = new URL(s.value);
      if (u.protocol !== 'https:') throw new Error();
      return u;
    } catch {
      problems.push({ file: s.file, field: s.field, message: `expected an https URL such as "https://api.example.com" (got ${quote(s.value)})` });
      return undefined;
    }
  };
  const read = (s: Sourced | undefined): Buffer | undefined => {
    if (!s) return undefined;
    const path = isAbsolute(s.value) ? s.value : resolvePath(s.dir, s.value);
    try {
      return readRegularFile(path, { maxBytes: MAX_PEM_FILE_BYTES });
    } catch (e) {
      if (!(e instanceof FileRefusedError)) throw e;
      problems.push({ file: s.file, field: s.field, message: `${quote(path)} ${e.message}; expected a PEM file` });
      return undefined;
    }
  };

  const originSrc = required(pick('originUrl', '--origin-url', 'originUrl', section?.originUrl), '--origin-url', 'originUrl');
  const caSrc = required(pick('ca', '--ca', 'caBundle', section?.caBundle), '--ca', 'caBundle');
  const certSrc = required(pick('cert', '--cert', 'clientCertificate', section?.clientCertificate), '--cert', 'clientCertificate');
  const keySrc = required(pick('key', '--key', 'clientKey', section?.clientKey), '--key', 'clientKey');
  const originUrl = url(originSrc);
  const edgeUrl = url(pick('edgeUrl', '--edge-url', 'edgeUrl', section?.edgeUrl));
  const defaultUrl = url(pick('defaultEndpointUrl', '--default-endpoint-url', 'defaultEndpointUrl', section?.defaultEndpointUrl));
  const serverCa = read(pick('serverCa', '--server-ca', 'serverCaBundle', section?.serverCaBundle));

  const caPem = read(caSrc);
  let caCertificates: X509Certificate[] = [];
  if (caPem) {
    const r = readCertificates(caPem, { requireCa: true });
    if (!r.ok) problems.push({ file: caSrc!.file, field: caSrc!.field, message: `${r.message}; expected the PEM CA bundle of the truststore` });
    else {
      // A shared or public CA passed as "ours" would make every check below pass a deployment that trusts it.
      const refused = caTrustRefusals(r.value);
      for (const { index, reason } of refused) problems.push({ file: caSrc!.file, field: caSrc!.field, message: `certificate #${index + 1} is refused: ${reason}` });
      if (refused.length === 0) caCertificates = r.value;
      // With a bring-your-own CA the env file pins every key the truststore may hold, so
      // the bundle verify treats as ours is held to the same pins: a CA swapped into this
      // file alone would make every origin check pass a truststore that trusts it. A
      // generated CA has no pins (Terraform makes its key), so there is nothing to hold it to.
      const pki = env?.config.pki;
      if (pki?.mode === 'byo') {
        const pins = [...pki.expectedCaKeys, ...env!.config.origin.expectedCaKeys];
        for (const ca of unpinnedCas(r.value, pins)) {
          problems.push({ file: caSrc!.file, field: caSrc!.field, message: unpinnedMessage(ca, 'pki.expectedCaKeys') });
        }
      }
    }
  }

  const certPem = read(certSrc);
  const keyPem = read(keySrc);
  let certificate: X509Certificate | undefined;
  if (certPem) {
    const r = readCertificates(certPem, { requireCa: false });
    if (!r.ok) problems.push({ file: certSrc!.file, field: certSrc!.field, message: `${r.message}; expected the PEM origin-pull client certificate` });
    else if (r.value.length > 1) problems.push({ file: certSrc!.file, field: certSrc!.field, message: `holds ${r.value.length} certificates; expected the origin-pull client certificate alone` });
    else certificate = r.value[0];
  }
  if (keyPem) {
    const r = readPrivateKey(keyPem);
    if (!r.ok) problems.push({ file: keySrc!.file, field: keySrc!.field, message: `${r.message}; expected the client certificate's PEM private key` });
    else if (certificate && !certificate.checkPrivateKey(r.value)) problems.push({ file: keySrc!.file, field: keySrc!.field, message: 'is not the private key of the client certificate' });
  }

  // The stand-ins' real ports in place of the env file's placeholders: URL and resolve
  // entries of the env file move together, "host:placeholder" to "host:port".
  const moved = new Map<string, number>();
  const hostPort = (u: URL) => `${u.hostname}:${u.port || 443}`;
  if (flags.standInPorts) {
    const fromEnvFile = (flag: keyof VerifyFlags) => typeof flags[flag] !== 'string';
    for (const [u, flag, port] of [
      [originUrl, 'originUrl', flags.standInPorts.origin],
      [edgeUrl, 'edgeUrl', flags.standInPorts.edge],
    ] as const) {
      if (!u || !fromEnvFile(flag)) continue;
      moved.set(hostPort(u), port);
      u.port = String(port);
    }
  }
  const mappings = new Map<string, string>();
  const resolveEntries = flags.resolve.length > 0 ? flags.resolve.map((v) => ({ v, file: '(command line)', field: '--resolve' })) : (section?.resolve ?? []).map((v, i) => ({ v, file: env!.file, field: `verify.resolve[${i}]` }));
  for (const { v, file, field } of resolveEntries) {
    const m = v.match(RESOLVE_ENTRY);
    if (!m) problems.push({ file, field, message: `expected "host:port:address" (got ${quote(v)})` });
    else {
      const key = `${m[1]}:${Number(m[2])}`;
      const port = file === '(command line)' ? undefined : moved.get(key);
      mappings.set(port === undefined ? key : `${m[1]}:${port}`, m[3]);
    }
  }
  const warnDays = flags.warnDays ?? section?.warnDays ?? 30;
  if (!Number.isInteger(warnDays) || warnDays < 1) problems.push({ file: '(command line)', field: '--warn-days', message: `expected a whole number of days >= 1 (got ${quote(warnDays)})` });

  if (problems.length > 0) throw new ConfigError(problems);
  const endpoint = (u: URL): Endpoint => ({ url: u, resolve: mappings, timeoutMs: flags.timeoutMs ?? 5000 });
  return {
    origin: endpoint(originUrl!),
    edge: edgeUrl ? endpoint(edgeUrl) : undefined,
    defaultEndpoint: defaultUrl ? endpoint(defaultUrl) : undefined,
    caCertificates,
    client: { cert: certPem!, key: keyPem!, certificate: certificate! },
    serverCa,
    warnDays,
  };
}
