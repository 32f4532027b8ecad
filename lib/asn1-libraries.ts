import type * as Asn1js from 'asn1js';
import type * as AsnRsa from '@peculiar/asn1-rsa';
import type * as AsnSchema from '@peculiar/asn1-schema';
import type * as AsnX509 from '@peculiar/asn1-x509';

/**
 * The ASN.1 libraries, loaded on first use. Only certificates read from files (a
 * bring-your-own PKI, pinned CAs, the certificate tools) need DER parsing; loading the
 * libraries defines a decorated class per X.509 structure, which every synth of a
 * generated PKI would otherwise pay for at start-up (and keep in memory) for nothing.
 * All four resolve to their CommonJS builds, as static imports did (none has an
 * `exports` map, and the bundle prefers `main`), so `instanceof` still meets one copy.
 */
const onFirstUse = <T>(load: () => T): (() => T) => {
  let loaded: T | undefined;
  return () => (loaded ??= load());
};

export const asn1js = onFirstUse(() => require('asn1js') as typeof Asn1js);
export const asnSchema = onFirstUse(() => require('@peculiar/asn1-schema') as typeof AsnSchema);
export const asnX509 = onFirstUse(() => require('@peculiar/asn1-x509') as typeof AsnX509);
export const asnRsa = onFirstUse(() => require('@peculiar/asn1-rsa') as typeof AsnRsa);
