import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { Asn1Error } from '../../lib/asn1';
import { certificateParts } from '../../lib/certificate-der';
import { keyId } from '../../lib/key-identity';
import { CLOUDFLARE_SHARED_ORIGIN_PULL_CA } from '../../lib/cloudflare-origin-pull-ca';
import { rootCertificates } from 'node:tls';

/**
 * The X.509 parser is @peculiar/asn1-x509; its decoder reads BER, so the DER gate in
 * lib/asn1 refuses what it would accept. Each case shows the library accepting the
 * input (so the gate is not redundant) and our reading refusing it.
 */
describe('the DER gate in front of the library', () => {
  const der = new X509Certificate(rootCertificates[0]).raw;
  /** The certificate's outer SEQUENCE re-written with an indefinite length (BER). */
  const indefinite = (() => {
    const headerLength = der[1] & 0x80 ? 2 + (der[1] & 0x7f) : 2;
    return Buffer.concat([Buffer.from([0x30, 0x80]), der.subarray(headerLength), Buffer.from([0, 0])]);
  })();
  const trailing = Buffer.concat([der, Buffer.from([0x05, 0x00])]);

  /** A critical flag written 0x01 instead of 0xff: BER reads TRUE, DER has only 0xff. */
  const criticalOne = (() => {
    const at = der.indexOf(Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x13, 0x01, 0x01, 0xff]));
    if (at < 0) throw new Error('the first root of Node\'s store has no critical basicConstraints; pick another');
    const copy = Buffer.from(der);
    copy[at + 7] = 0x01;
    return copy;
  })();

  it.each([
    ['an indefinite length (BER)', indefinite, /indefinite length/],
    ['bytes after the certificate', trailing, /trailing bytes after the certificate/],
    ['a non-DER BOOLEAN in an extension', criticalOne, /tbsCertificate is not DER/],
  ])('%s: the library reads it, we refuse it', (_what, input, message) => {
    expect(AsnConvert.parse(input, Certificate).tbsCertificate.serialNumber.byteLength).toBeGreaterThan(0);
    expect(() => certificateParts(input)).toThrow(Asn1Error);
    expect(() => certificateParts(input)).toThrow(message);
  });

  it('reads a sound certificate the way the old walker did: tbs, serial and key as encoded', () => {
    const parts = certificateParts(der);
    expect(der.includes(parts.tbs)).toBe(true);
    expect(der.includes(parts.spki)).toBe(true);
    expect(parts.serial.equals(Buffer.from(new X509Certificate(der).serialNumber, 'hex'))).toBe(true);
  });

  it('refuses an RSA key with a field after its exponent (the library would drop it)', () => {
    const spki = Buffer.from(CLOUDFLARE_SHARED_ORIGIN_PULL_CA.spkiBase64, 'base64');
    expect(() => keyId(spki)).not.toThrow();
    // SEQUENCE { alg, BIT STRING { 00, SEQUENCE { n, e, INTEGER 1 } } }, lengths widened by 3.
    const bitsAt = spki.indexOf(Buffer.from([0x03, 0x82]), 4);
    const keyAt = bitsAt + 5;
    const key = spki.subarray(keyAt);
    const keyLength = key.readUInt16BE(2) + 3;
    const newKey = Buffer.concat([Buffer.from([0x30, 0x82, keyLength >> 8, keyLength & 0xff]), key.subarray(4), Buffer.from([0x02, 0x01, 0x01])]);
    const bits = Buffer.concat([Buffer.from([0x03, 0x82, (newKey.length + 1) >> 8, (newKey.length + 1) & 0xff, 0x00]), newKey]);
    const body = Buffer.concat([spki.subarray(4, bitsAt), bits]);
    const forged = Buffer.concat([Buffer.from([0x30, 0x82, body.length >> 8, body.length & 0xff]), body]);
    expect(() => keyId(forged)).toThrow(/RSAPublicKey: not DER/);
  });
});
