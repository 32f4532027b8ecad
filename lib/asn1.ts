import { asnSchema } from './asn1-libraries';

/**
 * DER in, typed objects out. The structures are decoded by @peculiar/asn1-schema with
 * the @peculiar/asn1-x509 schemas (the parser of @peculiar/x509, maintained and fuzzed
 * upstream). Their decoder (asn1js) reads BER, a superset of DER: an indefinite length,
 * an element that overruns its container or bytes after the last element are accepted
 * there. X.509 is DER, and a certificate that reads one way here and another way in
 * OpenSSL is how a check gets fooled, so every input first passes `assertDer`, which
 * refuses those with an Asn1Error rather than guessing. The tag-length-value reader
 * below is only that gate (and what the tests use to build hostile DER).
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
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
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

/** The whole encoding of an element, header included. */
export function encoding(tlv: Tlv): Buffer {
  return tlv.buffer.subarray(tlv.start, tlv.end);
}

/** The contents of an element, header excluded. */
export function contents(tlv: Tlv): Buffer {
  return tlv.buffer.subarray(tlv.contentStart, tlv.end);
}

/**
 * Refuses what the library would read as BER: one element filling `der` exactly, every
 * constructed element filled exactly by its children, all lengths definite. (Primitive
 * contents, such as the DER inside an extension's OCTET STRING, are checked where they
 * are decoded.)
 */
export function assertDer(der: Buffer, what: string): void {
  try {
    const top = readTlv(der);
    if (top.end !== der.length) throw new Asn1Error(`trailing bytes after the ${what}`);
    const pending = [top];
    for (let tlv = pending.pop(); tlv; tlv = pending.pop()) if (tlv.tag & 0x20) pending.push(...children(tlv));
  } catch (e) {
    if (e instanceof Asn1Error && !e.message.startsWith(`${what}: `)) throw new Asn1Error(`${what}: ${e.message}`);
    throw e;
  }
}

/** `der` decoded as `schema` after the DER gate; the library's own errors become Asn1Errors naming `what`. */
export function fromDer<T>(der: Buffer | Uint8Array, schema: new () => T, what: string): T {
  const bytes = Buffer.isBuffer(der) ? der : Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  assertDer(bytes, what);
  try {
    return asnSchema().AsnConvert.parse(bytes, schema);
  } catch (e) {
    throw new Asn1Error(`${what}: ${(e as Error).message}`);
  }
}

/**
 * Like `fromDer`, and the value must also encode back to exactly the bytes it came from:
 * the canonical-encoding rules of DER (minimal integers, BOOLEAN as 0xff, no DEFAULT
 * values written, no fields the schema does not know) checked by the library's encoder.
 * Used for the small structures whose every byte a decision reads.
 */
export function fromCanonicalDer<T>(der: Buffer, schema: new () => T, what: string): T {
  const value = fromDer(der, schema, what);
  if (!Buffer.from(asnSchema().AsnConvert.serialize(value)).equals(der)) throw new Asn1Error(`${what}: not DER (it re-encodes differently: non-minimal integers, a non-DER BOOLEAN or extra fields)`);
  return value;
}
