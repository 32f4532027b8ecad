import type { Name } from '@peculiar/asn1-x509';
import { Asn1Error, assertDer, children, encoding, fromDer, readTlv } from './asn1';
import { asn1js, asnSchema, asnX509 } from './asn1-libraries';

/** The parts of a certificate the trust checks compare, as @peculiar/asn1-x509 reads them. */
export interface CertificateParts {
  /** The DER of the tbsCertificate (what the signature covers). */
  readonly tbs: Buffer;
  /** The serialNumber's content octets. */
  readonly serial: Buffer;
  readonly issuer: Name;
  readonly subject: Name;
  /** The DER SubjectPublicKeyInfo, exactly as encoded (the tbsCertificate is checked canonical). */
  readonly spki: Buffer;
  /** The outer signatureAlgorithm OID. */
  readonly signatureAlgorithm: string;
}

/**
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (throws
 * Asn1Error). The tbsCertificate must encode back to exactly its bytes: the library
 * silently drops fields its schema does not know (a third field in an
 * AttributeTypeAndValue) and reads any non-zero octet as TRUE, so what it decoded would
 * not be what was signed; canonical DER leaves one reading.
 */
export function certificateParts(der: Buffer): CertificateParts {
  const { AsnConvert } = asnSchema();
  const certificate = fromDer(der, asnX509().Certificate, 'certificate');
  const tbs = certificate.tbsCertificate;
  const encoded = Buffer.from(AsnConvert.serialize(tbs));
  if (!encoded.equals(encoding(children(readTlv(der))[0]))) {
    throw new Asn1Error('certificate: the tbsCertificate is not DER (it re-encodes differently: a non-DER BOOLEAN, a DEFAULT value written, or a field X.509 does not define)');
  }
  return {
    tbs: encoded,
    serial: Buffer.from(tbs.serialNumber),
    issuer: tbs.issuer,
    subject: tbs.subject,
    spki: Buffer.from(AsnConvert.serialize(tbs.subjectPublicKeyInfo)),
    signatureAlgorithm: certificate.signatureAlgorithm.algorithm,
  };
}

export const OID_BASIC_CONSTRAINTS = '2.5.29.19';
export const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
export const OID_AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';

/** One certificate extension as encoded: its OID, criticality and the DER inside its OCTET STRING. */
export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Buffer;
}

/**
 * The certificate's extensions (`[3] EXPLICIT Extensions` of the tbsCertificate); empty
 * for a v1 certificate. Only the path to them is walked, so a certificate the rest of
 * whose fields are placeholders (as hand-made test DER is) still yields its extensions.
 */
export function certificateExtensions(der: Buffer): Extension[] {
  assertDer(der, 'certificate');
  const { Constructed, fromBER } = asn1js();
  const outer = fromBER(der).result;
  const tbs = outer instanceof Constructed ? outer.valueBlock.value[0] : undefined;
  if (!(tbs instanceof Constructed)) throw new Asn1Error('certificate: no tbsCertificate SEQUENCE');
  const wrapper = tbs.valueBlock.value.find((f) => f.idBlock.tagClass === 3 && f.idBlock.tagNumber === 3);
  if (!wrapper) return [];
  const inside = wrapper instanceof Constructed ? wrapper.valueBlock.value : [];
  if (inside.length !== 1) throw new Asn1Error('extensions: expected one SEQUENCE inside [3]');
  return fromDer(Buffer.from(inside[0].valueBeforeDecodeView), asnX509().Extensions, 'extensions').map((e) => ({
    oid: e.extnID,
    critical: e.critical,
    value: Buffer.from(e.extnValue.buffer),
  }));
}
