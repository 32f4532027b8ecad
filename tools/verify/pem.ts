import type { KeyObject, X509Certificate } from 'node:crypto';
import { oneLineDn, parseCertificates, parsePrivateKey, PemError } from '../../lib/x509';

/**
 * The PEM files `npm run verify` authenticates with, parsed by the project's one strict
 * PEM parser (lib/x509), so a bad file reads the same here as in an env file. The
 * result carries the message instead of throwing, for the caller to attach to a field.
 */
export type PemResult<T> = { ok: true; value: T } | { ok: false; message: string };

function attempt<T>(parse: () => T): PemResult<T> {
  try {
    return { ok: true, value: parse() };
  } catch (e) {
    if (e instanceof PemError) return { ok: false, message: e.message };
    throw e;
  }
}

/** Every certificate of a PEM bundle; with `requireCa`, a leaf in it is refused. */
export function readCertificates(bytes: Buffer, options: { requireCa: boolean }): PemResult<X509Certificate[]> {
  const r = attempt(() => parseCertificates(bytes.toString('latin1')));
  if (!r.ok || !options.requireCa) return r;
  const leaf = r.value.findIndex((c) => !c.ca);
  if (leaf >= 0) return { ok: false, message: `certificate ${leaf + 1} (${oneLineDn(r.value[leaf].subject)}) is not a CA (basicConstraints CA:FALSE); expected CA certificates only` };
  return r;
}

/** An unencrypted PEM private key: verify must use it unattended. */
export function readPrivateKey(bytes: Buffer): PemResult<KeyObject> {
  const text = bytes.toString('latin1');
  if (/ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(text)) return { ok: false, message: 'is an encrypted key; expected an unencrypted PEM key readable at run time' };
  return attempt(() => parsePrivateKey(text));
}
