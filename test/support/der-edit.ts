import { execFileSync } from 'node:child_process';
import { createPublicKey, ECDH, type KeyObject, sign, X509Certificate } from 'node:crypto';
import { children, contents, encoding, readTlv, TAG } from '../../lib/asn1';

/**
 * Re-encodings of one public key the way OpenSSL accepts them, and certificates re-made
 * around them: what an attacker does to pass a known key off as a new one. Everything is
 * built at test time from keys made by openssl or node:crypto; nothing is kept on disk.
 */

/** DER tag-length-value for `content`. */
export function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : n < 0x10000 ? Buffer.from([0x82, n >> 8, n & 0xff]) : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const OID_RSA = Buffer.from('06092a864886f70d010101', 'hex');
const OID_RSA_PSS = Buffer.from('06092a864886f70d01010a', 'hex');

/** The ways one key is written that OpenSSL reads as the same key. */
export type KeyEncoding = 'as-is' | 'rsa-without-null' | 'rsa-pss-oid' | 'ec-compressed' | 'ec-uncompressed' | 'ec-hybrid' | 'ec-explicit-curve';

const EC_CURVES: Record<string, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

/** `spki` (DER) re-encoded as `how`. */
export function reencodeKey(spki: Buffer, how: KeyEncoding): Buffer {
  const [algorithm, bits] = children(readTlv(spki));
  switch (how) {
    case 'as-is':
      return spki;
    case 'rsa-without-null':
      return tlv(TAG.SEQUENCE, Buffer.concat([tlv(TAG.SEQUENCE, OID_RSA), encoding(bits)]));
    case 'rsa-pss-oid':
      return tlv(TAG.SEQUENCE, Buffer.concat([tlv(TAG.SEQUENCE, OID_RSA_PSS), encoding(bits)]));
    case 'ec-compressed':
    case 'ec-uncompressed':
    case 'ec-hybrid': {
      const jwk = createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'jwk' });
      const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
      const form = how.slice(3) as 'compressed' | 'uncompressed' | 'hybrid';
      const converted = ECDH.convertKey(point, EC_CURVES[jwk.crv!], undefined, undefined, form) as Buffer;
      return tlv(TAG.SEQUENCE, Buffer.concat([encoding(algorithm), tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), converted]))]));
    }
    case 'ec-explicit-curve': {
      const pem = createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' });
      return execFileSync('openssl', ['pkey', '-pubin', '-ec_param_enc', 'explicit', '-pubout', '-outform', 'DER'], { input: pem });
    }
  }
}

/**
 * `certificate` with its SubjectPublicKeyInfo replaced by `spki` and signed again by
 * `issuerKey` (SHA-256): a certificate for a re-encoded key, as a CA that signs what it
 * is given would issue it.
 */
export function withKey(certificate: X509Certificate, spki: Buffer, issuerKey: KeyObject): X509Certificate {
  const [tbs, algorithm] = children(readTlv(certificate.raw));
  const fields = children(tbs).map(encoding);
  const at = children(tbs)[0].tag === 0xa0 ? 6 : 5;
  fields[at] = spki;
  const newTbs = tlv(TAG.SEQUENCE, Buffer.concat(fields));
  const signature = sign('sha256', newTbs, issuerKey);
  const der = tlv(TAG.SEQUENCE, Buffer.concat([newTbs, encoding(algorithm), tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), signature]))]));
  return new X509Certificate(der);
}

/** The DER SubjectPublicKeyInfo of a certificate, as encoded. */
export function spkiOf(certificate: X509Certificate): Buffer {
  const tbs = children(children(readTlv(certificate.raw))[0]);
  return encoding(tbs[tbs[0].tag === 0xa0 ? 6 : 5]);
}

/** The BIT STRING bytes of a SubjectPublicKeyInfo (for checks that the re-encoding really changed the bytes). */
export const keyBits = (spki: Buffer): Buffer => contents(children(readTlv(spki))[1]);
