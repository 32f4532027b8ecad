import type { AttributeValue, Name } from '@peculiar/asn1-x509';
import { Asn1Error } from './asn1';
import { asn1js } from './asn1-libraries';

/**
 * Distinguished names, as @peculiar/asn1-x509 decodes them, compared the way RFC 5280
 * (7.1, with the RFC 4518 string preparation) and OpenSSL's canonical encoding do: case
 * folded, leading and trailing whitespace dropped, inner runs of whitespace folded to one
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

/**
 * The directory-string value of an attribute, or undefined for anything else (then
 * compared as bytes). The library decodes UTF8String, PrintableString, IA5String,
 * TeletexString (as Latin-1, like OpenSSL), BMPString and UniversalString; NumericString
 * and VisibleString reach us undecoded (`anyValue`) and are read here.
 */
function decodeString(value: AttributeValue): string | undefined {
  const text = value.utf8String ?? value.printableString ?? value.ia5String ?? value.teletexString ?? value.bmpString ?? value.universalString;
  if (text !== undefined) return text;
  if (!value.anyValue) return undefined;
  const { fromBER, NumericString, VisibleString } = asn1js();
  const other = fromBER(value.anyValue).result;
  return other instanceof NumericString || other instanceof VisibleString ? other.valueBlock.value : undefined;
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

/** A Name as the library decoded it (RDNs in order, each a SET of AttributeTypeAndValue). */
export function parseName(name: Name): DistinguishedName {
  return name.map((rdn) => {
    // The library reads an empty SET; a name with an empty RDN is not X.509.
    if (rdn.length === 0) throw new Asn1Error('empty RelativeDistinguishedName');
    return rdn.map((atv) => {
      const text = decodeString(atv.value);
      const raw = `#${Buffer.from(atv.value.anyValue ?? new ArrayBuffer(0)).toString('hex')}`;
      return { oid: atv.type, type: SHORT_NAMES[atv.type] ?? atv.type, value: text ?? raw, canonical: text === undefined ? raw : canonicalValue(text) };
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
