import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { oneLineDn, pemSpans } from '../../lib/x509';

const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

/** What a PEM file must be; the message says what was found instead. */
export type PemResult<T> = { ok: true; value: T } | { ok: false; message: string };

function describeNonPem(bytes: Buffer): string {
  if (bytes.length === 0) return 'is empty';
  if (bytes[0] === 0x30 && bytes[1] >= 0x80) return 'is DER (binary), not PEM; convert it with `openssl x509 -inform DER -outform PEM`';
  const text = bytes.toString('utf8');
  if (/-----BEGIN CERTIFICATE-----/.test(text)) return 'has a BEGIN CERTIFICATE line without a matching END line (truncated?)';
  if (KEY_BLOCK.test(text) || /PRIVATE KEY-----/.test(text)) return 'holds a private key, not a certificate';
  return 'contains no PEM certificate';
}

/**
 * Every certificate of a PEM bundle, refusing anything else in the file: DER, a
 * truncated block, text after the last block, a key where a certificate belongs, and
 * (for CA bundles) a leaf certificate.
 */
export function readCertificates(bytes: Buffer, options: { requireCa: boolean }): PemResult<X509Certificate[]> {
  const text = bytes.toString('utf8');
  const blocks = pemSpans(text).filter((b) => b.label === 'CERTIFICATE' && b.endLabel === 'CERTIFICATE' && b.ownLines && b.body !== '');
  if (blocks.length === 0) return { ok: false, message: describeNonPem(bytes) };
  const rest = blocks.reduce((left, b) => left.replace(b.text, ''), text).trim();
  if (rest.length > 0) {
    return { ok: false, message: /PRIVATE KEY/.test(rest) ? 'also holds a private key; certificate files must not contain keys' : `has ${rest.length} characters of text outside the PEM blocks (garbage or a truncated block)` };
  }
  const certs: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      certs.push(new X509Certificate(block.text));
    } catch {
      return { ok: false, message: `certificate #${i + 1} is not valid DER inside its PEM armour (corrupted?)` };
    }
  }
  if (options.requireCa) {
    const leaf = certs.findIndex((c) => !c.ca);
    if (leaf >= 0) return { ok: false, message: `certificate #${leaf + 1} (${oneLineDn(certs[leaf].subject)}) is not a CA (basicConstraints CA:FALSE); expected CA certificates only` };
  }
  return { ok: true, value: certs };
}

/** An unencrypted PEM private key, with what was found instead when it is not one. */
export function readPrivateKey(bytes: Buffer): PemResult<KeyObject> {
  const text = bytes.toString('utf8');
  if (/-----BEGIN CERTIFICATE-----/.test(text) && !KEY_BLOCK.test(text)) return { ok: false, message: 'holds a certificate, not a private key' };
  if (/ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(text)) return { ok: false, message: 'is an encrypted key; expected an unencrypted PEM key readable at run time' };
  if (!KEY_BLOCK.test(text)) return { ok: false, message: bytes[0] === 0x30 ? 'is DER (binary), not PEM' : 'contains no complete PEM private key (truncated?)' };
  try {
    return { ok: true, value: createPrivateKey(bytes) };
  } catch {
    return { ok: false, message: 'is not a readable PEM private key (corrupted?)' };
  }
}
