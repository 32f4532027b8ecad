import type { X509Certificate } from 'node:crypto';
import { resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from './errors';
import { type CheckOptions, leafProblems, parseCertificates, PemError, readPemFile, truststoreProblems } from './x509';

/** Where a PEM file is named: the env file, its folder, and the field holding the path. */
export interface PemFileRef {
  /** Env file as shown to people (`envs/dev.yaml`). */
  readonly envFile: string;
  /** Folder relative paths resolve from. */
  readonly envDir: string;
  /** Field path (`pki.caBundle`). */
  readonly field: string;
  /** The path as written in the env file. */
  readonly path: string;
}

export interface LoadedCertificates {
  readonly certificates: X509Certificate[];
  /** The PEM text of each certificate, normalised (what goes to Terraform). */
  readonly pems: string[];
}

function problem(ref: PemFileRef, message: string): ConfigProblem {
  return { file: ref.envFile, field: ref.field, message: `${ref.path}: ${message}` };
}

/** Reads and parses a file of certificates, as ConfigErrors naming the env file and field. */
export function loadCertificateFile(ref: PemFileRef): LoadedCertificates {
  try {
    const certificates = parseCertificates(readPemFile(resolve(ref.envDir, ref.path)));
    return { certificates, pems: certificates.map((c) => c.toString().trim()) };
  } catch (e) {
    if (e instanceof PemError) throw new ConfigError([problem(ref, e.message)]);
    throw e;
  }
}

/** A CA bundle that may go into an API Gateway truststore (see `truststoreProblems`). */
export function loadCaBundleFile(ref: PemFileRef, options: CheckOptions = {}): LoadedCertificates {
  const loaded = loadCertificateFile(ref);
  const problems = truststoreProblems(loaded.certificates, options);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => problem(ref, p)));
  return loaded;
}

/** One leaf certificate issued by `cas`, for the given extended key usage. */
export function loadLeafFile(ref: PemFileRef, cas: readonly X509Certificate[], usage: 'clientAuth' | 'serverAuth', options: CheckOptions = {}): LoadedCertificates {
  const loaded = loadCertificateFile(ref);
  if (loaded.certificates.length !== 1) {
    throw new ConfigError([problem(ref, `holds ${loaded.certificates.length} certificates; expected exactly one leaf certificate (put the chain in its own file)`)]);
  }
  const problems = leafProblems(loaded.certificates[0], cas, usage, options);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => problem(ref, p)));
  return loaded;
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
