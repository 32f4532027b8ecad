import { Asn1Error, children, contents, expectTag, oidText, TAG, type Tlv } from './asn1';

/**
 * Distinguished names read from DER and compared the way RFC 5280 (7.1, with the
 * RFC 4518 string preparation) and OpenSSL's canonical encoding do: case folded,
 * leading and trailing whitespace dropped, inner runs of whitespace folded to one
 * space, and the attributes of a multi-valued RDN compared as a set. The comparison is
 * deliberately a little wider than OpenSSL's (Unicode case folding and NFKC where
 * OpenSSL folds ASCII only), so every pair OpenSSL treats as one name is one name here.
 */

/** One attribute of an RDN. */
export interface NameAttribute {
  /** Dotted OID (`2.5.4.3` for CN). */
  readonly oid: string;
  /** Short name when known (`CN`, `OU`), else the OID. */
  readonly type: string;
  /** The decoded string, as written (not canonical); `#<hex>` for non-string values. */
  readonly value: string;
  /** The value after string preparation: what comparisons use. */
  readonly canonical: string;
}

/** A parsed Name: RDNs in encoded order, each a set of attributes. */
export type DistinguishedName = readonly (readonly NameAttribute[])[];

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** Decodes the directory-string types; undefined for anything else (compared as bytes). */
function decodeString(tlv: Tlv): string | undefined {
  const bytes = contents(tlv);
  switch (tlv.tag) {
    case 0x0c: // UTF8String
      return bytes.toString('utf8');
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
      return bytes.toString('latin1');
    case 0x14: // TeletexString: OpenSSL reads it as Latin-1
      return bytes.toString('latin1');
    case 0x1e: {
      // BMPString: UTF-16BE
      if (bytes.length % 2 !== 0) throw new Asn1Error('BMPString of odd length');
      const swapped = Buffer.from(bytes);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    case 0x1c: {
      // UniversalString: UTF-32BE
      if (bytes.length % 4 !== 0) throw new Asn1Error('UniversalString length not a multiple of 4');
      let s = '';
      for (let i = 0; i < bytes.length; i += 4) s += String.fromCodePoint(bytes.readUInt32BE(i));
      return s;
    }
    default:
      return undefined;
  }
}

// RFC 4518 2.2: characters mapped to nothing (soft hyphen, joiners, variation
// selectors, object replacement) and controls; they must not make two names differ.
const MAPPED_TO_NOTHING = /[\u00ad\u034f\u1806\u180b-\u180d\u200b-\u200d\u2060\ufe00-\ufe0f\ufeff\ufffc\p{Cc}]/gu;
// RFC 4518 2.6.1 / OpenSSL: every kind of space is insignificant beyond a single separator.
const SPACES = /[\s\p{Z}]+/gu;

/** RFC 4518-style preparation: NFKC, case fold, insignificant characters dropped, spaces folded and trimmed. */
export function canonicalValue(value: string): string {
  return value
    .replace(/[\t\n\v\f\r\u0085]/g, ' ')
    .replace(MAPPED_TO_NOTHING, '')
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC')
    .replace(SPACES, ' ')
    .trim();
}

/** Parses a DER Name (a SEQUENCE of SETs of AttributeTypeAndValue). */
export function parseName(name: Tlv): DistinguishedName {
  return children(expectTag(name, TAG.SEQUENCE, 'Name')).map((rdn) => {
    const attributes = children(expectTag(rdn, TAG.SET, 'RelativeDistinguishedName'));
    if (attributes.length === 0) throw new Asn1Error('empty RelativeDistinguishedName');
    return attributes.map((atv) => {
      const [type, value, ...rest] = children(expectTag(atv, TAG.SEQUENCE, 'AttributeTypeAndValue'));
      if (!type || !value || rest.length > 0) throw new Asn1Error('AttributeTypeAndValue must hold exactly a type and a value');
      const oid = oidText(type);
      const text = decodeString(value);
      const raw = `#${value.buffer.subarray(value.start, value.end).toString('hex')}`;
      return { oid, type: SHORT_NAMES[oid] ?? oid, value: text ?? raw, canonical: text === undefined ? raw : canonicalValue(text) };
    });
  });
}

/**
 * A string equal for exactly the names that compare equal: RDNs in order, the
 * attributes of each RDN sorted (a multi-valued RDN is a set), values canonical.
 */
export function canonicalName(name: DistinguishedName): string {
  return JSON.stringify(name.map((rdn) => rdn.map((a) => `${a.oid}=${a.canonical}`).sort()));
}

/** Every attribute of the name, whatever RDN it sits in. */
export function attributes(name: DistinguishedName): NameAttribute[] {
  return name.flat();
}

/** The name on one line, most significant RDN first (`C=US, O=Example + OU=Ops, CN=Root`), for messages. */
export function formatName(name: DistinguishedName): string {
  return name.map((rdn) => rdn.map((a) => `${a.type}=${a.value}`).join(' + ')).join(', ');
}
