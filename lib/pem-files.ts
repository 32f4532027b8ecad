import type { X509Certificate } from 'node:crypto';
import { resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from './errors';
import { FileRefusedError, readRegularFile } from './files';
import { type CheckOptions, expiryProblem, isPrivateKeyLabel, leafProblems, oneLineDn, parseCertificates, parsePemBlocks, PemError, truststoreProblems } from './x509';

/**
 * The one reader of PEM files named in env files. Every problem becomes a
 * ConfigProblem naming the env file, the field and the path as written, so a bad
 * PEM reads the same whichever field it came from.
 */

/** A PEM bundle is a few kilobytes; anything this large is not one. */
export const MAX_PEM_FILE_BYTES = 1024 * 1024;

/** Where a PEM file is named: the env file, the field, the path and where it may live. */
export interface PemFileRef {
  /** Env file as shown to people (`envs/dev.yaml`). */
  readonly envFile: string;
  /** Folder relative paths resolve from (the env file's folder). */
  readonly baseDir: string;
  /** Field path (`pki.caBundle`). */
  readonly field: string;
  /** The path as written in the env file. */
  readonly path: string;
  /**
   * The file must resolve inside this folder (symlinks and `../` followed).
   * @default anywhere (the env file named a reason to allow it)
   */
  readonly within?: string;
}

export interface LoadedCertificates {
  readonly certificates: X509Certificate[];
  /** The PEM text of each certificate, normalised (what goes to Terraform). */
  readonly pems: string[];
}

function problem(ref: PemFileRef, message: string): ConfigProblem {
  return { file: ref.envFile, field: ref.field, message: `${ref.path}: ${message}` };
}

function fail(ref: PemFileRef, messages: readonly string[]): ConfigError {
  return new ConfigError(messages.map((m) => problem(ref, m)));
}

/** The file's text: a regular file of at most MAX_PEM_FILE_BYTES inside `ref.within`. */
export function readPemText(ref: PemFileRef): string {
  try {
    return readRegularFile(resolve(ref.baseDir, ref.path), { maxBytes: MAX_PEM_FILE_BYTES, within: ref.within }).toString('latin1');
  } catch (e) {
    if (e instanceof FileRefusedError) throw fail(ref, [`${e.message}; expected a PEM file (relative paths start at the env file's folder)`]);
    throw e;
  }
}

function parsed<T>(ref: PemFileRef, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof PemError) throw fail(ref, [e.message]);
    throw e;
  }
}

/** Reads and parses a file of certificates. */
export function loadCertificateFile(ref: PemFileRef): LoadedCertificates {
  const text = readPemText(ref);
  const certificates = parsed(ref, () => parseCertificates(text));
  return { certificates, pems: certificates.map((c) => c.toString().trim()) };
}

/** A CA bundle that may go into an API Gateway truststore (see `truststoreProblems`). */
export function loadCaBundleFile(ref: PemFileRef, options: CheckOptions = {}): LoadedCertificates {
  const loaded = loadCertificateFile(ref);
  const problems = truststoreProblems(loaded.certificates, options);
  if (problems.length > 0) throw fail(ref, problems);
  return loaded;
}

function exactlyOne(ref: PemFileRef, loaded: LoadedCertificates, why: string): X509Certificate {
  if (loaded.certificates.length !== 1) {
    throw fail(ref, [`holds ${loaded.certificates.length} certificates; expected exactly one leaf certificate (${why})`]);
  }
  return loaded.certificates[0];
}

/** One leaf certificate issued by `cas`, for the given extended key usage. */
export function loadLeafFile(ref: PemFileRef, cas: readonly X509Certificate[], usage: 'clientAuth' | 'serverAuth', options: CheckOptions = {}): LoadedCertificates {
  const loaded = loadCertificateFile(ref);
  const leaf = exactlyOne(ref, loaded, 'put the chain in its own file');
  const problems = leafProblems(leaf, cas, usage, options);
  if (problems.length > 0) throw fail(ref, problems);
  return loaded;
}

/**
 * A leaf certificate that travels alone (Keyless SSL: Cloudflare builds the chain
 * itself). A chain is refused rather than trimmed, because a chain in the wrong order
 * would upload an intermediate as the edge certificate; a private key is refused
 * because Keyless SSL keeps it on the key servers.
 */
export function loadLoneLeafFile(ref: PemFileRef, options: CheckOptions = {}): LoadedCertificates {
  const text = readPemText(ref);
  const blocks = parsed(ref, () => parsePemBlocks(text));
  if (blocks.some((b) => isPrivateKeyLabel(b.label))) {
    throw fail(ref, ['holds a PRIVATE KEY block; the key stays on the key servers: expected the certificate alone']);
  }
  const loaded = { certificates: parsed(ref, () => parseCertificates(text)), pems: [] as string[] };
  const leaf = exactlyOne(ref, loaded, 'the leaf alone: keep only its BEGIN/END CERTIFICATE block, Cloudflare adds the chain');
  if (leaf.ca) throw fail(ref, [`"${oneLineDn(leaf.subject)}" is a CA certificate (basicConstraints CA:TRUE); expected the edge (leaf) certificate`]);
  const expiry = expiryProblem(leaf, options.now);
  if (expiry) throw fail(ref, [`the certificate ${expiry}; expected a currently valid certificate`]);
  return { certificates: [leaf], pems: [leaf.toString().trim()] };
}

/** Runs each loader, collecting every ConfigError's problems before throwing once. */
export function collectProblems<T>(loaders: ReadonlyArray<() => T>): T[] {
  const results: T[] = [];
  const problems: ConfigProblem[] = [];
  for (const load of loaders) {
    try {
      results.push(load());
    } catch (e) {
      if (e instanceof ConfigError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return results;
}
