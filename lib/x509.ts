import { createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { Asn1Error } from './asn1';
import { caTrustRefusals, sharedCaEvidence, type TrustPolicy } from './ca-trust';
import { identify } from './certificate-identity';
import { bundleSizeProblem, chainIndex, chainUp } from './chain-index';

/**
 * X.509 / PEM parsing and the checks every part of the project applies to
 * certificates it is handed (bring-your-own CA, extra trusted CAs, imported server
 * certificates): what the thing is, how strong its key and signature are, whether it
 * has expired, how deep its chain is, and whether it is Cloudflare's shared
 * origin-pull CA. Problems are reported as plain messages; callers wrap them in
 * ConfigErrors naming the env file and field.
 */

/** A PEM text that is not what was expected; the message says what would be accepted. */
export class PemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PemError';
  }
}

export interface PemBlock {
  /** The label between `BEGIN` and the dashes: `CERTIFICATE`, `PRIVATE KEY`, ... */
  readonly label: string;
  readonly der: Buffer;
  readonly text: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----(\r?\n)?([\s\S]*?)(\r?\n)?-----END ([A-Z0-9 ]+)-----/g;
const KEY_LABELS = /PRIVATE KEY$/;

/** One `-----BEGIN ...-----` to `-----END ...-----` span of a text, as found (not yet checked). */
export interface PemSpan {
  readonly label: string;
  /** The label of the END line (differs from `label` in a broken file). */
  readonly endLabel: string;
  /** The base64 body with whitespace removed. */
  readonly body: string;
  /** The whole block, armour included. */
  readonly text: string;
  /** Where the block starts in the text. */
  readonly index: number;
  /** Whether the BEGIN and END lines are lines of their own (a line break after BEGIN and before END). */
  readonly ownLines: boolean;
  /** Whether a line break follows the BEGIN line. */
  readonly breakAfterBegin: boolean;
}

/**
 * The PEM blocks of a text, leniently: text between blocks and broken blocks are
 * skipped, not refused. For callers that word their own message on what they find;
 * `parsePemBlocks` is the strict form.
 */
export function pemSpans(text: string): PemSpan[] {
  return [...text.matchAll(BLOCK)].map((m) => ({
    label: m[1],
    endLabel: m[5],
    body: m[3].replace(/\s+/g, ''),
    text: m[0],
    index: m.index,
    ownLines: m[2] !== undefined && m[4] !== undefined,
    breakAfterBegin: m[2] !== undefined,
  }));
}

/** Whether a PEM label is a private key (`PRIVATE KEY`, `RSA PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, ...). */
export function isPrivateKeyLabel(label: string): boolean {
  return KEY_LABELS.test(label);
}

/**
 * Splits PEM text into blocks, refusing anything that is not exactly a sequence of
 * well-formed blocks: binary (DER) input, truncated blocks, text outside blocks.
 */
export function parsePemBlocks(text: string): PemBlock[] {
  if (text.trim() === '') throw new PemError('the file is empty; expected PEM text starting with "-----BEGIN CERTIFICATE-----"');
  if (/[\x00-\x08\x0e-\x1f\x7f-\xff]/.test(text) && !text.includes('-----BEGIN')) {
    throw new PemError('the file is binary (DER?), not PEM; convert it with `openssl x509 -inform der -in FILE -out FILE.pem`');
  }
  const blocks: PemBlock[] = [];
  let last = 0;
  for (const span of pemSpans(text)) {
    const between = text.slice(last, span.index);
    if (between.trim() !== '') throw new PemError(`unexpected text outside PEM blocks: ${JSON.stringify(between.trim().slice(0, 40))}`);
    if (!span.breakAfterBegin) throw new PemError(`PEM block "BEGIN ${span.label}" has no line break after its BEGIN line`);
    if (span.label !== span.endLabel) throw new PemError(`PEM block "BEGIN ${span.label}" ends with "END ${span.endLabel}"`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(span.body) || span.body.length % 4 !== 0 || span.body.length === 0) {
      throw new PemError(`PEM block "${span.label}" number ${blocks.length + 1} has a corrupt base64 body`);
    }
    blocks.push({ label: span.label, der: Buffer.from(span.body, 'base64'), text: span.text });
    last = span.index + span.text.length;
  }
  const rest = text.slice(last);
  if (rest.includes('-----BEGIN')) throw new PemError('the PEM text is truncated: a "-----BEGIN" has no matching "-----END"');
  if (rest.trim() !== '') throw new PemError(`unexpected text after the last PEM block: ${JSON.stringify(rest.trim().slice(0, 40))}`);
  if (blocks.length === 0) throw new PemError('no PEM block found; expected "-----BEGIN CERTIFICATE-----"');
  return blocks;
}

/** Parses one or more certificates; a private key here is refused (it belongs in a secret). */
export function parseCertificates(text: string): X509Certificate[] {
  return parsePemBlocks(text).map((b, i) => {
    if (isPrivateKeyLabel(b.label)) {
      throw new PemError(`block ${i + 1} is a ${b.label}, not a certificate; private keys never go in certificate files (and never in the repository)`);
    }
    if (b.label !== 'CERTIFICATE') throw new PemError(`block ${i + 1} is a "${b.label}"; expected "CERTIFICATE"`);
    try {
      return new X509Certificate(b.der);
    } catch (e) {
      throw new PemError(`block ${i + 1} is not a valid X.509 certificate (${(e as Error).message})`);
    }
  });
}

/** Parses exactly one private key (for test tooling and key checks; never put into Terraform). */
export function parsePrivateKey(text: string): KeyObject {
  const blocks = parsePemBlocks(text);
  if (blocks.length !== 1) throw new PemError(`expected exactly one private key, found ${blocks.length} PEM blocks`);
  const [b] = blocks;
  if (!isPrivateKeyLabel(b.label)) throw new PemError(`the file holds a "${b.label}", not a private key`);
  try {
    return createPrivateKey(b.text);
  } catch (e) {
    throw new PemError(`the private key cannot be parsed (${(e as Error).message})`);
  }
}

export interface KeyDescription {
  readonly type: 'rsa' | 'ec' | 'other';
  /** RSA modulus length in bits, or the curve size for EC. */
  readonly bits: number;
  /** `P-256`, `P-384`, `P-521` for EC keys. */
  readonly curve?: string;
  /** `RSA 2048`, `ECDSA P-256`. */
  readonly label: string;
}

const CURVE_BITS: Record<string, [string, number]> = {
  prime256v1: ['P-256', 256],
  secp384r1: ['P-384', 384],
  secp521r1: ['P-521', 521],
};

export function describeKey(key: KeyObject): KeyDescription {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    return { type: 'rsa', bits, label: `RSA ${bits}` };
  }
  if (key.asymmetricKeyType === 'ec') {
    const [curve, bits] = CURVE_BITS[details.namedCurve ?? ''] ?? [details.namedCurve ?? 'unknown curve', 0];
    return { type: 'ec', bits, curve, label: `ECDSA ${curve}` };
  }
  return { type: 'other', bits: 0, label: String(key.asymmetricKeyType) };
}

/** API Gateway truststores and ACM imports: RSA >= 2048 or ECDSA P-256/P-384/P-521. */
export function keyStrengthProblem(key: KeyObject): string | undefined {
  const k = describeKey(key);
  if (k.type === 'rsa' && k.bits >= 2048) return undefined;
  if (k.type === 'ec' && k.bits >= 256) return undefined;
  return `key is ${k.label}; expected RSA of at least 2048 bits or ECDSA P-256/P-384`;
}

const SIGNATURE_OIDS: Record<string, { name: string; strong: boolean }> = {
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', strong: false },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', strong: false },
  '1.2.840.113549.1.1.10': { name: 'RSASSA-PSS', strong: true },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', strong: true },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', strong: true },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', strong: true },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', strong: false },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', strong: true },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', strong: true },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', strong: true },
};

/** The certificate's signatureAlgorithm, read from its DER (Node does not expose it); an unreadable one is not strong. */
export function signatureAlgorithm(cert: X509Certificate): { oid: string; name: string; strong: boolean } {
  let oid: string;
  try {
    oid = identify(cert).parts.signatureAlgorithm;
  } catch (e) {
    if (e instanceof Asn1Error) return { oid: '', name: `an unreadable signature algorithm (${e.message})`, strong: false };
    throw e;
  }
  return { oid, ...(SIGNATURE_OIDS[oid] ?? { name: oid, strong: false }) };
}

/**
 * Whether a certificate is Cloudflare's shared origin-pull CA or was issued by it, by
 * key, signature or canonical name (see lib/ca-trust, which makes the decision).
 */
export function isCloudflareSharedOriginPullCa(cert: X509Certificate): boolean {
  return sharedCaEvidence(cert) !== undefined;
}

/** A distinguished name on one line (`O=Test, CN=Root`), for messages. */
export function oneLineDn(dn: string): string {
  return dn.replace(/\n/g, ', ');
}

/** One-line name of a certificate for messages: its subject CN (or whole subject). */
export function certName(cert: X509Certificate): string {
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
  return cn ? `"${cn}"` : `"${oneLineDn(cert.subject)}"`;
}

export function isSelfSigned(cert: X509Certificate): boolean {
  return cert.subject === cert.issuer && cert.checkIssued(cert) && cert.verify(cert.publicKey);
}

/** Number of certificates from `cert` up to a self-signed root, following issuers found in `pool`. */
export function chainLength(cert: X509Certificate, pool: readonly X509Certificate[]): number {
  const at = pool.indexOf(cert);
  if (at >= 0) return chainUp(chainIndex(pool), at).length;
  // A certificate outside the pool: its issuer from the pool's index, then up from there.
  const list = [cert, ...pool];
  return chainUp(chainIndex(list), 0).length;
}

/** API Gateway: a truststore chain is at most four certificates deep. */
export const MAX_TRUSTSTORE_CHAIN_DEPTH = 4;

export interface CheckOptions extends TrustPolicy {
  /** The moment expiry is judged against. @default now */
  readonly now?: Date;
}

/** `expired on <ISO date>` or `not valid before <ISO date>` when `cert` is not valid at `now`. */
export function expiryProblem(cert: X509Certificate, now: Date = new Date()): string | undefined {
  if (new Date(cert.validTo).getTime() <= now.getTime()) return `expired on ${new Date(cert.validTo).toISOString()}`;
  if (new Date(cert.validFrom).getTime() > now.getTime()) return `not valid before ${new Date(cert.validFrom).toISOString()}`;
  return undefined;
}

/** What every certificate must satisfy: strong key, SHA-256+ signature, currently valid. */
export function certificateProblems(cert: X509Certificate, options: CheckOptions = {}): string[] {
  const problems: string[] = [];
  const keyProblem = keyStrengthProblem(cert.publicKey);
  if (keyProblem) problems.push(keyProblem);
  const sig = signatureAlgorithm(cert);
  if (!sig.strong) problems.push(`signed with ${sig.name}; expected SHA-256 or stronger (sha256/384/512 with RSA or ECDSA)`);
  const expiry = expiryProblem(cert, options.now ?? new Date());
  if (expiry) problems.push(expiry);
  return problems;
}

/**
 * The rules of an API Gateway mTLS truststore, and ours on top: only CA
 * certificates, each with a strong key and signature, unexpired, chains at most four
 * deep, and only private CAs (`caTrustRefusals`: never Cloudflare's shared origin-pull
 * CA, never a public CA, no broken or incomplete chain). One message per problem.
 */
export function truststoreProblems(certs: readonly X509Certificate[], options: CheckOptions = {}): string[] {
  const tooMany = bundleSizeProblem(certs.length);
  if (tooMany) return [tooMany];
  const problems: string[] = [];
  const refused = new Map(caTrustRefusals(certs, options).map((r) => [r.index, r.reason]));
  certs.forEach((cert, i) => {
    const where = `certificate ${i + 1} (${certName(cert)})`;
    if (refused.has(i)) problems.push(`${where}: refused: ${refused.get(i)}`);
    if (!cert.ca) problems.push(`${where}: not a CA (basicConstraints CA:FALSE or missing); expected only CA certificates (root and intermediates)`);
    for (const p of certificateProblems(cert, options)) problems.push(`${where}: ${p}`);
    const depth = chainLength(cert, certs);
    if (depth > MAX_TRUSTSTORE_CHAIN_DEPTH) {
      problems.push(`${where}: sits ${depth} certificates deep; API Gateway accepts chains of at most ${MAX_TRUSTSTORE_CHAIN_DEPTH}`);
    }
  });
  return problems;
}

/** The leaf's extended key usages as names (`clientAuth`, `serverAuth`). */
export function extendedKeyUsages(cert: X509Certificate): string[] {
  const names: Record<string, string> = { '1.3.6.1.5.5.7.3.1': 'serverAuth', '1.3.6.1.5.5.7.3.2': 'clientAuth' };
  return (cert.keyUsage ?? []).map((oid) => names[oid] ?? oid);
}

/**
 * A leaf certificate handed to us with its CA bundle: not a CA, issued by (and
 * verifying against) a certificate of the bundle, with the extended key usage asked for.
 */
export function leafProblems(leaf: X509Certificate, cas: readonly X509Certificate[], usage: 'clientAuth' | 'serverAuth', options: CheckOptions = {}): string[] {
  const problems: string[] = [];
  if (leaf.ca) problems.push('a CA certificate; expected a leaf (CA:FALSE)');
  problems.push(...certificateProblems(leaf, options));
  if (!cas.some((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey))) {
    problems.push(`not issued by any CA of the bundle (issuer ${JSON.stringify(oneLineDn(leaf.issuer))})`);
  }
  const ekus = extendedKeyUsages(leaf);
  if (!ekus.includes(usage)) problems.push(`lacks the extended key usage ${usage} (has: ${ekus.join(', ') || 'none'})`);
  return problems.map((p) => `${certName(leaf)}: ${p}`);
}

/** The public key of a certificate as PEM (to match a certificate with its key). */
export function publicKeyPem(cert: X509Certificate): string {
  return createPublicKey(cert.publicKey).export({ type: 'spki', format: 'pem' }).toString();
}
