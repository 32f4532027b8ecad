import { dirname } from 'node:path';
import { sharedCaEvidence } from '../lib/ca-trust';
import { unpinnedCas, unpinnedMessage } from '../lib/ca-pins';
import { ConfigError, type ConfigProblem, quote } from '../lib/errors';
import { type LoadedCertificates, loadCaBundleFile, loadCertificateFile, loadLeafFile, loadLoneLeafFile, type PemFileRef } from '../lib/pem-files';
import type { CheckOptions } from '../lib/x509';
import { capabilitiesOf, type TargetCapabilities } from './capabilities';
import { ENVS_DIR, loadEnvironment, type LoadedEnvironment, misnamedEnvFiles, selectEnvironments, yamlNames } from './load';
import type { Environment } from './schema';

/**
 * The resolve phase: after every env file is parsed, read every file they name, run the
 * checks that span files, and hand the stacks values instead of paths. Problems from
 * every environment are collected and thrown together, before anything is built.
 */

/** The bring-your-own PKI's certificates, read from the files `pki` names. */
export interface ResolvedByoPki {
  /** Every CA certificate of `pki.caBundle`, one PEM each. */
  readonly caPems: readonly string[];
  /** `pki.originPullClient.certificate`, PEM. */
  readonly originPullClientPem: string;
  /** `pki.serverCertificate`: the leaf and its chain (`chain`, or the CA bundle), PEM. @default none */
  readonly serverCertificate?: { readonly certificatePem: string; readonly chainPems: readonly string[] };
}

/** The text of every file an environment names. Stacks read these, never the paths. */
export interface ResolvedFiles {
  /** Only in `pki.mode: byo`. */
  readonly byoPki?: ResolvedByoPki;
  /** Every certificate of every `origin.additionalTrustedCas` file, PEM. @default [] */
  readonly additionalTrustedCaPems: readonly string[];
  /** `keyless.certificate.file`, PEM (the leaf alone). @default none: the certificate comes from SSM */
  readonly keylessCertificatePem?: string;
}

/** A parsed environment with every file it names read and checked. */
export interface ResolvedEnvironment {
  /** Env file as shown to people (`envs/dev.yaml`). */
  readonly file: string;
  /** The validated env file; its path fields are for reports only. */
  readonly config: Environment;
  readonly files: ResolvedFiles;
  /** What the target can do (envs/capabilities.ts); stacks build from this, never from `drift`. */
  readonly capabilities: TargetCapabilities;
}

export interface ResolveOptions {
  /** Moment certificates are judged against for expiry. @default now */
  readonly now?: Date;
  /**
   * PEM files must resolve inside this folder unless the env file sets
   * `allowPemFilesOutsideProject` with a reason. @default the parent of the envs folder
   */
  readonly projectDir?: string;
}

/** Runs `read`; a ConfigError's problems are added to `problems` and undefined returned. */
function attempt<T>(problems: ConfigProblem[], read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof ConfigError) {
      problems.push(...e.problems);
      return undefined;
    }
    throw e;
  }
}

/**
 * One problem per CA of a loaded bundle whose key `pinField` does not list (lib/ca-pins),
 * naming the pin field and printing the line to add.
 */
function pinProblems(file: string, bundleField: string, path: string, bundle: LoadedCertificates | undefined, pins: readonly string[], pinField: string): ConfigProblem[] {
  return unpinnedCas(bundle?.certificates ?? [], pins).map((ca) => ({ file, field: pinField, message: `${path} (${bundleField}): ${unpinnedMessage(ca, pinField)}` }));
}

/**
 * The origin-pull certificate must not carry, or come from, a shared CA's key. The
 * construct refuses it too (modules/edge/certificate-checks), but only here can the
 * refusal name the env file and field.
 */
function sharedOriginPullProblems(file: string, field: string, path: string, leaf: LoadedCertificates | undefined): ConfigProblem[] {
  const evidence = leaf && sharedCaEvidence(leaf.certificates[0]);
  return evidence ? [{ file, field, message: `${path}: comes from Cloudflare's shared origin-pull CA, which every Cloudflare customer can present: ${evidence}; expected a certificate issued by your own CA` }] : [];
}

/**
 * Reads and checks every file one environment names. Throws one ConfigError with every
 * problem of the environment; never stops at the first bad file.
 */
export function resolveEnvironment(env: LoadedEnvironment, options: ResolveOptions = {}): ResolvedEnvironment {
  const { config, file } = env;
  const check: CheckOptions = { now: options.now };
  const within = config.allowPemFilesOutsideProject === undefined ? (options.projectDir ?? dirname(env.dir)) : undefined;
  const ref = (field: string, path: string): PemFileRef => ({ envFile: file, baseDir: env.dir, field, path, within });
  const problems: ConfigProblem[] = [];

  let byoPki: ResolvedByoPki | undefined;
  const pki = config.pki;
  if (pki.mode === 'byo') {
    const bundle = attempt(problems, () => loadCaBundleFile(ref('pki.caBundle', pki.caBundle), check));
    const cas = bundle?.certificates ?? [];
    const leaf = (field: string, path: string, usage: 'clientAuth' | 'serverAuth'): LoadedCertificates | undefined =>
      // Without a readable bundle the leaf can only be read, not checked against its issuer.
      attempt(problems, () => (bundle ? loadLeafFile(ref(field, path), cas, usage, check) : loadCertificateFile(ref(field, path))));
    const originPull = leaf('pki.originPullClient.certificate', pki.originPullClient.certificate, 'clientAuth');
    const server = pki.serverCertificate;
    const serverLeaf = server && leaf('pki.serverCertificate.certificate', server.certificate, 'serverAuth');
    problems.push(...pinProblems(file, 'pki.caBundle', pki.caBundle, bundle, pki.expectedCaKeys, 'pki.expectedCaKeys'));
    problems.push(...sharedOriginPullProblems(file, 'pki.originPullClient.certificate', pki.originPullClient.certificate, originPull));
    const chain = server?.chain !== undefined ? attempt(problems, () => loadCertificateFile(ref('pki.serverCertificate.chain', server.chain!))) : bundle;
    if (bundle && originPull) {
      byoPki = {
        caPems: bundle.pems,
        originPullClientPem: originPull.pems[0],
        serverCertificate: serverLeaf && chain ? { certificatePem: serverLeaf.pems[0], chainPems: chain.pems } : undefined,
      };
    }
  }

  const extraCas = config.origin.additionalTrustedCas.map((path, i) => {
    const field = `origin.additionalTrustedCas[${i}]`;
    const loaded = attempt(problems, () => loadCaBundleFile(ref(field, path), check));
    problems.push(...pinProblems(file, field, path, loaded, config.origin.expectedCaKeys, 'origin.expectedCaKeys'));
    return loaded;
  });
  const keyless = config.keyless;
  const keylessFile = keyless.enabled ? keyless.certificate.file : undefined;
  const keylessLeaf = keylessFile !== undefined ? attempt(problems, () => loadLoneLeafFile(ref('keyless.certificate.file', keylessFile), check)) : undefined;

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    file,
    config,
    files: {
      byoPki,
      additionalTrustedCaPems: extraCas.flatMap((c) => c?.pems ?? []),
      keylessCertificatePem: keylessLeaf?.pems[0],
    },
    capabilities: capabilitiesOf(config),
  };
}

/**
 * Each environment's edge stack owns zone-wide settings (SSL mode, origin pulls, the
 * zone's one custom firewall ruleset), so two environments on one zone would
 * overwrite each other on every apply.
 */
function zonesShared(envs: readonly LoadedEnvironment[]): ConfigProblem[] {
  const owner = new Map<string, LoadedEnvironment>();
  const problems: ConfigProblem[] = [];
  for (const env of envs) {
    const first = owner.get(env.config.cloudflare.zoneId);
    if (first) {
      problems.push({
        file: env.file,
        field: 'cloudflare.zoneId',
        message: `${quote(env.config.cloudflare.zoneId)} is also the zone of ${first.file}; each environment needs its own Cloudflare zone because its edge stack owns the zone-wide settings`,
      });
    } else owner.set(env.config.cloudflare.zoneId, env);
  }
  return problems;
}

/**
 * A hostname is one DNS record and one API Gateway custom domain: two environments
 * claiming it would fight over both. (Within one file the schema refuses duplicates.)
 */
function hostnamesShared(envs: readonly LoadedEnvironment[]): ConfigProblem[] {
  const owner = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  for (const env of envs) {
    const names = [
      ...env.config.hostnames.map((h, i) => ({ name: h.name, field: `hostnames[${i}].name` })),
      ...(env.config.keyless.enabled && env.config.keyless.originHost ? [{ name: env.config.keyless.originHost.hostname, field: 'keyless.originHost.hostname' }] : []),
    ];
    for (const { name, field } of names) {
      const first = owner.get(name);
      if (first !== undefined && first !== env.file) {
        problems.push({ file: env.file, field, message: `${quote(name)} is also a hostname of ${first}; each hostname belongs to one environment` });
      } else owner.set(name, env.file);
    }
  }
  return problems;
}

/**
 * A zone name is one zone: the same name with another zone id in another env file means
 * one of the ids is wrong, and that environment would manage somebody else's zone.
 */
function zoneNamesConsistent(envs: readonly LoadedEnvironment[]): ConfigProblem[] {
  const first = new Map<string, LoadedEnvironment>();
  const problems: ConfigProblem[] = [];
  for (const env of envs) {
    const { zoneName, zoneId } = env.config.cloudflare;
    const earlier = first.get(zoneName);
    if (!earlier) first.set(zoneName, env);
    else if (earlier.config.cloudflare.zoneId !== zoneId) {
      problems.push({
        file: env.file,
        field: 'cloudflare.zoneId',
        message: `${quote(zoneId)} differs from ${quote(earlier.config.cloudflare.zoneId)}, the id ${earlier.file} gives the same zone ${quote(zoneName)}; a zone name has one zone id: copy it from the zone's overview page`,
      });
    }
  }
  return problems;
}

/** The checks that span env files. They always see every env file, whatever is selected. */
export function crossFileProblems(envs: readonly LoadedEnvironment[]): ConfigProblem[] {
  return [...zonesShared(envs), ...zoneNamesConsistent(envs), ...hostnamesShared(envs)];
}

export interface ResolvedSelection {
  /** The selected environments, resolved, in selection order. */
  readonly selected: readonly ResolvedEnvironment[];
  /** Every environment of the folder, resolved (the cross-file checks ran over these). */
  readonly all: readonly ResolvedEnvironment[];
}

/**
 * Parses every env file of `dir`, runs the cross-file checks over all of them and
 * resolves all of them, then returns the ones `selector` names. Throws one ConfigError
 * with every problem of every environment; a selection never hides a conflict with an
 * environment that is not selected.
 */
export function resolveEnvironments(selector: string | undefined, dir: string = ENVS_DIR, options: ResolveOptions = {}): ResolvedSelection {
  // A misnamed file is one more problem to report with the others, not a reason to stop;
  // the run fails anyway then, so the selection (which would report it again) is skipped.
  const problems: ConfigProblem[] = misnamedEnvFiles(dir);
  const names = problems.length > 0 ? [] : (attempt(problems, () => selectEnvironments(selector, dir)) ?? []);
  const loaded = yamlNames(dir).flatMap((name) => {
    const env = attempt(problems, () => loadEnvironment(name, dir));
    return env ? [env] : [];
  });
  problems.push(...crossFileProblems(loaded));
  const all = loaded.flatMap((env) => {
    const resolved = attempt(problems, () => resolveEnvironment(env, options));
    return resolved ? [resolved] : [];
  });
  if (problems.length > 0) throw new ConfigError(problems);
  const byName = new Map(all.map((e) => [e.config.name, e]));
  return { selected: names.map((n) => byName.get(n)!), all };
}
