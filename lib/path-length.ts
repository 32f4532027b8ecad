import type { X509Certificate } from 'node:crypto';
import { Asn1Error, assertDer } from './asn1';
import { asn1js } from './asn1-libraries';
import { certificateExtensions, OID_BASIC_CONSTRAINTS } from './certificate-der';
import { bundleSizeProblem, chainIndex, chainUp } from './chain-index';
import { certName, isSelfSigned } from './x509';

/**
 * The CA flag and path length a certificate really carries, read from its DER, and the
 * rule a CA bundle's chains must meet. Node only renders basicConstraints as text; the
 * difference that matters here ("pathlen 0" written versus no constraint at all: the
 * tls provider 4.2.x never writes 0, openssl does) is read from the bytes instead.
 *
 * The rule (our chain model: root -> issuing CA -> leaves). For every issuing CA of a
 * bundle (a CA that issues no other CA of the bundle) the path lengths on its chain,
 * counted from the root down, must leave no room for a further CA below it: a sub-CA
 * under the issuing CA would otherwise be trusted by the truststore and could mint
 * client certificates nobody issued. Either the issuing CA says `pathlen:0` or a CA
 * above it runs out (a root with `pathlen:1` over one intermediate, which is how our
 * generated PKI is built). A chain that already breaks a path length above it is
 * refused too: clients under it would fail every handshake.
 */

/** basicConstraints as encoded. `pathLength` is absent when the certificate writes none. */
export interface BasicConstraints {
  /** Whether the extension is present at all. */
  readonly present: boolean;
  /** The cA flag (false when the extension or the flag is absent: DEFAULT FALSE). */
  readonly ca: boolean;
  /** pathLenConstraint when written, 0 included. @default absent = no constraint */
  readonly pathLength?: number;
}

/**
 * Reads basicConstraints from a certificate's DER; refuses duplicates and non-DER
 * encodings. asn1js decodes the fields; the checks on their bytes are ours, because it
 * reads BER: any non-zero octet as TRUE, padded and negative integers as numbers.
 */
export function basicConstraints(der: Buffer): BasicConstraints {
  const found = certificateExtensions(der).filter((e) => e.oid === OID_BASIC_CONSTRAINTS);
  if (found.length > 1) throw new Asn1Error('basicConstraints appears more than once');
  if (found.length === 0) return { present: false, ca: false };
  assertDer(found[0].value, 'basicConstraints');
  const { Boolean: Asn1Boolean, fromBER, Integer, Sequence } = asn1js();
  const seq = fromBER(found[0].value).result;
  if (!(seq instanceof Sequence)) throw new Asn1Error('basicConstraints: expected a SEQUENCE');
  let fields = seq.valueBlock.value;
  let ca = false;
  if (fields[0] instanceof Asn1Boolean) {
    ca = derBoolean(fields[0].valueBlock.valueHexView, 'basicConstraints cA');
    fields = fields.slice(1);
  }
  let pathLength: number | undefined;
  if (fields[0] instanceof Integer) {
    pathLength = smallNonNegativeInteger(fields[0].valueBlock.valueHexView, 'basicConstraints pathLenConstraint');
    fields = fields.slice(1);
  }
  if (fields.length > 0) {
    throw new Asn1Error(`basicConstraints: unexpected field with tag 0x${fields[0].valueBeforeDecodeView[0].toString(16)}`);
  }
  return { present: true, ca, pathLength };
}

/** A DER BOOLEAN's content: one octet, 0x00 false or 0xff true; anything else is not DER. */
function derBoolean(bytes: Uint8Array, what: string): boolean {
  if (bytes.length !== 1 || (bytes[0] !== 0x00 && bytes[0] !== 0xff)) throw new Asn1Error(`${what}: not a DER BOOLEAN`);
  return bytes[0] === 0xff;
}

/** A DER INTEGER's content that must be a count (path lengths): non-negative, minimal, at most 32 bits. */
function smallNonNegativeInteger(bytes: Uint8Array, what: string): number {
  if (bytes.length === 0) throw new Asn1Error(`${what}: empty INTEGER`);
  if (bytes[0] & 0x80) throw new Asn1Error(`${what}: negative INTEGER`);
  if (bytes.length > 1 && bytes[0] === 0 && !(bytes[1] & 0x80)) throw new Asn1Error(`${what}: INTEGER not minimally encoded`);
  const significant = bytes[0] === 0 && bytes.length > 1 ? bytes.subarray(1) : bytes;
  if (significant.length > 4) throw new Asn1Error(`${what}: INTEGER too large to be a count`);
  return significant.reduce((value, b) => value * 256 + b, 0);
}

/** `CA, pathlen 1`, `CA, pathlen 0`, `CA, no path length constraint`, `not a CA`. */
export function describeBasicConstraints(bc: BasicConstraints): string {
  if (!bc.present) return 'not a CA (no basicConstraints)';
  if (!bc.ca) return bc.pathLength === undefined ? 'not a CA' : `not a CA, yet carries pathlen ${bc.pathLength}`;
  return bc.pathLength === undefined ? 'CA, no path length constraint' : `CA, pathlen ${bc.pathLength}`;
}

/** `root "X": CA, pathlen 1` or `intermediate "Y": CA, no path length constraint`. */
export function describeCertificateConstraints(cert: X509Certificate): string {
  return `${isSelfSigned(cert) ? 'root' : 'intermediate'} ${certName(cert)}: ${describeConstraintsOf(cert)}`;
}

function describeConstraintsOf(cert: X509Certificate): string {
  try {
    return describeBasicConstraints(basicConstraints(cert.raw));
  } catch (e) {
    if (e instanceof Asn1Error) return `unreadable basicConstraints (${e.message})`;
    throw e;
  }
}

/** Every certificate of a bundle with the path length it really carries, `; `-separated, in bundle order. */
export function describeBundleConstraints(certs: readonly X509Certificate[]): string {
  return certs.map(describeCertificateConstraints).join('; ');
}


/** How many more CAs the chain's path lengths allow below its last certificate (Infinity: no limit). */
export interface ChainAllowance {
  /** Sub-CAs still allowed under the last certificate of the chain. */
  readonly allowance: number;
  /** The certificate whose path length sets the allowance (absent when nothing limits it). */
  readonly limitedBy?: X509Certificate;
  /** The first certificate that already exceeds a path length above it, if any. */
  readonly breaks?: { readonly cert: X509Certificate; readonly limit: X509Certificate };
}

/** Walks a root-first chain the way RFC 5280 counts path lengths (the root itself uses no slot). */
export function chainAllowance(chain: readonly X509Certificate[]): ChainAllowance {
  let allowance = Infinity;
  let limitedBy: X509Certificate | undefined;
  let breaks: ChainAllowance['breaks'];
  chain.forEach((cert, i) => {
    if (i > 0) {
      allowance -= 1;
      if (allowance < 0 && !breaks && limitedBy) breaks = { cert, limit: limitedBy };
    }
    const { pathLength } = basicConstraints(cert.raw);
    if (pathLength !== undefined && pathLength < allowance) {
      allowance = pathLength;
      limitedBy = cert;
    }
  });
  return { allowance, limitedBy, breaks };
}

/** One message per issuing CA whose chain would trust a sub-CA below it (see the rule above). */
export function pathLengthProblems(certs: readonly X509Certificate[]): string[] {
  // Over the size limit truststoreProblems reports the bundle; its chains are not walked.
  if (bundleSizeProblem(certs.length)) return [];
  const problems: string[] = [];
  const index = chainIndex(certs);
  const isCa = certs.map((c) => c.ca);
  // An issuing CA issues no other CA of the bundle (read from the index: no pairwise checks).
  const issuesACa = new Set([...index.parent].filter(([child]) => isCa[child]).map(([, issuer]) => issuer));
  const issuing = certs.map((_, i) => i).filter((i) => isCa[i] && !issuesACa.has(i));
  for (const at of issuing) {
    const ca = certs[at];
    const chain = chainUp(index, at).map((j) => certs[j]).reverse();
    const said = chain.map(describeCertificateConstraints).join('; ');
    let result: ChainAllowance;
    try {
      result = chainAllowance(chain);
    } catch (e) {
      if (e instanceof Asn1Error) {
        problems.push(`issuing CA ${certName(ca)}: its chain's basicConstraints cannot be read (${e.message})`);
        continue;
      }
      throw e;
    }
    if (result.breaks) {
      problems.push(
        `issuing CA ${certName(ca)}: ${certName(result.breaks.cert)} sits below ${certName(result.breaks.limit)} deeper than its path length allows, so every client under it is refused (${said})`,
      );
    } else if (result.allowance > 0) {
      const how = result.allowance === Infinity ? 'any number of CAs' : `${result.allowance} more CA${result.allowance === 1 ? '' : 's'}`;
      problems.push(
        `issuing CA ${certName(ca)}: its chain lets ${how} below it be trusted (${said}); expected the issuing CA to carry pathlen 0 ` +
          '(openssl: basicConstraints = critical, CA:TRUE, pathlen:0) or the root a path length equal to the number of intermediates below it',
      );
    }
  }
  return problems;
}
