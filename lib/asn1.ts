/**
 * A strict reader for the DER subset X.509 uses. Node renders names for people, not
 * for comparison (escaping, one line per RDN), so the checks that must not be fooled by
 * spelling read the bytes themselves. Anything that is not definite-length DER inside
 * its parent is refused with an Asn1Error rather than guessed at.
 */

export class Asn1Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Asn1Error';
  }
}

/** One tag-length-value element; offsets index the buffer it was read from. */
export interface Tlv {
  /** The identifier octet (`0x30` SEQUENCE, `0x31` SET, `0x06` OID, `0xa0` [0] ...). */
  readonly tag: number;
  /** Where the element starts (its identifier octet). */
  readonly start: number;
  /** Where its contents start. */
  readonly contentStart: number;
  /** One past its last byte. */
  readonly end: number;
  /** The buffer the offsets refer to. */
  readonly buffer: Buffer;
}

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OID: 0x06,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Reads the element starting at `at`, which must end by `limit`. */
export function readTlv(buffer: Buffer, at = 0, limit = buffer.length): Tlv {
  if (at + 2 > limit) throw new Asn1Error(`truncated element at offset ${at}`);
  const tag = buffer[at];
  if ((tag & 0x1f) === 0x1f) throw new Asn1Error(`multi-byte tag at offset ${at} (not used by X.509)`);
  let length = buffer[at + 1];
  let contentStart = at + 2;
  if (length === 0x80) throw new Asn1Error(`indefinite length at offset ${at} (BER, not DER)`);
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets > 4 || contentStart + octets > limit) throw new Asn1Error(`bad length at offset ${at}`);
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + buffer[contentStart + i];
    contentStart += octets;
  }
  const end = contentStart + length;
  if (end > limit) throw new Asn1Error(`element at offset ${at} runs past its container`);
  return { tag, start: at, contentStart, end, buffer };
}

/** The element's children, in order (for SEQUENCE, SET and other constructed types). */
export function children(parent: Tlv): Tlv[] {
  if (!(parent.tag & 0x20)) throw new Asn1Error(`element at offset ${parent.start} is not constructed`);
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const child = readTlv(parent.buffer, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** Requires `tlv` to carry `tag`, naming `what` when it does not. */
export function expectTag(tlv: Tlv, tag: number, what: string): Tlv {
  if (tlv.tag !== tag) throw new Asn1Error(`${what}: expected tag 0x${tag.toString(16)}, found 0x${tlv.tag.toString(16)}`);
  return tlv;
}

/** The whole encoding of an element, header included. */
export function encoding(tlv: Tlv): Buffer {
  return tlv.buffer.subarray(tlv.start, tlv.end);
}

/** The contents of an element, header excluded. */
export function contents(tlv: Tlv): Buffer {
  return tlv.buffer.subarray(tlv.contentStart, tlv.end);
}

/** An OBJECT IDENTIFIER's dotted form (`2.5.4.3`). */
export function oidText(tlv: Tlv): string {
  const bytes = contents(expectTag(tlv, TAG.OID, 'object identifier'));
  if (bytes.length === 0) throw new Asn1Error('empty object identifier');
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  const first = parts.shift()!;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

/** The parts of a certificate the trust checks compare, as raw DER. */
export interface CertificateParts {
  /** The DER of the tbsCertificate (what the signature covers). */
  readonly tbs: Buffer;
  readonly serial: Buffer;
  readonly issuer: Tlv;
  readonly subject: Tlv;
  /** The DER SubjectPublicKeyInfo, exactly as encoded in the certificate. */
  readonly spki: Buffer;
  /** The outer signatureAlgorithm OID. */
  readonly signatureAlgorithm: string;
}

/**
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
 * tbsCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature,
 *   issuer, validity, subject, subjectPublicKeyInfo, ... }
 */
export function certificateParts(der: Buffer): CertificateParts {
  const outer = expectTag(readTlv(der), TAG.SEQUENCE, 'certificate');
  if (outer.end !== der.length) throw new Asn1Error('trailing bytes after the certificate');
  const [tbsTlv, algorithm] = children(outer);
  const tbs = children(expectTag(tbsTlv, TAG.SEQUENCE, 'tbsCertificate'));
  const fields = tbs[0]?.tag === 0xa0 ? tbs.slice(1) : tbs;
  if (fields.length < 6) throw new Asn1Error('tbsCertificate has too few fields');
  const [serial, , issuer, , subject, spki] = fields;
  return {
    tbs: encoding(tbsTlv),
    serial: contents(expectTag(serial, TAG.INTEGER, 'serialNumber')),
    issuer: expectTag(issuer, TAG.SEQUENCE, 'issuer'),
    subject: expectTag(subject, TAG.SEQUENCE, 'subject'),
    spki: encoding(expectTag(spki, TAG.SEQUENCE, 'subjectPublicKeyInfo')),
    signatureAlgorithm: oidText(children(expectTag(algorithm, TAG.SEQUENCE, 'signatureAlgorithm'))[0]),
  };
}
