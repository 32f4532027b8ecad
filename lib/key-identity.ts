import { createHash, createPublicKey, KeyObject } from 'node:crypto';
import { fromCanonicalDer, fromDer } from './asn1';
import { asnRsa, asnX509 } from './asn1-libraries';

/**
 * The identity of a public key, whatever bytes encode it. OpenSSL takes one key in
 * several encodings: an RSA key with or without NULL algorithm parameters (or under the
 * RSASSA-PSS OID), an EC key with its point compressed, uncompressed or hybrid and its
 * curve named or spelled out as explicit parameters. A hash of the SubjectPublicKeyInfo
 * as encoded gives each spelling another identity, so a known key re-encoded would pass
 * for a new one. Every key comparison of the project goes through `keyId` instead: it
 * decodes the key and hashes a canonical form of the key itself.
 */

const OID_RSA = '1.2.840.113549.1.1.1';
const OID_RSA_PSS = '1.2.840.113549.1.1.10';

/** An INTEGER's magnitude as hex without leading zeros (RSA n and e are positive). */
function unsignedHex(bytes: ArrayBuffer): string {
  const hex = Buffer.from(bytes).toString('hex').replace(/^(00)+/, '');
  return hex === '' ? '00' : hex;
}

/**
 * `rsa:<n>:<e>` read from the key bits, so the algorithm parameters (NULL, absent, PSS)
 * cannot matter. The RSAPublicKey must be canonical DER (exactly modulus and exponent).
 */
function rsaCanonical(bits: ArrayBuffer): string {
  const key = fromCanonicalDer(Buffer.from(bits), asnRsa().RSAPublicKey, 'RSAPublicKey');
  return `rsa:${unsignedHex(key.modulus)}:${unsignedHex(key.publicExponent)}`;
}

/**
 * Other keys through OpenSSL: its JWK export names the curve (explicit parameters are
 * recognised as the named curve) and gives the uncompressed point's x and y.
 */
function decodedCanonical(spki: Buffer): string {
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  try {
    const jwk = key.export({ format: 'jwk' });
    return [jwk.kty, jwk.crv, jwk.x, jwk.y].filter((v) => v !== undefined).join(':');
  } catch {
    // A curve JWK has no name for: OpenSSL's own re-encoding is still better than the input bytes.
    return `spki:${key.export({ type: 'spki', format: 'der' }).toString('hex')}`;
  }
}

/** The canonical form of a DER SubjectPublicKeyInfo (throws Asn1Error or a crypto error for a key that cannot be read). */
export function canonicalKey(spki: Buffer): string {
  const info = fromDer(spki, asnX509().SubjectPublicKeyInfo, 'subjectPublicKeyInfo');
  const oid = info.algorithm.algorithm;
  if (oid === OID_RSA || oid === OID_RSA_PSS) return rsaCanonical(info.subjectPublicKey);
  return decodedCanonical(spki);
}

/** SHA-256 of the canonical key, lower-case hex: equal for every encoding of one key. */
export function keyId(spki: Buffer): string {
  return createHash('sha256').update(canonicalKey(spki)).digest('hex');
}

/** `keyId` of a PEM or DER public key, or of a KeyObject (for pins and tools). */
export function keyIdOf(key: KeyObject | Parameters<typeof createPublicKey>[0]): string {
  const object = key instanceof KeyObject && key.type === 'public' ? key : createPublicKey(key);
  return keyId(object.export({ type: 'spki', format: 'der' }));
}
