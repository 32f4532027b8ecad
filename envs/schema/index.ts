import { z } from 'zod';
import { MAX_HOSTNAMES_PER_ENVIRONMENT } from '../../lib/hostnames';
import { plainText } from './common';
import { outsideZoneProblem, tlsBelowZoneProblem } from '../../lib/rules';
import { custodyKeyPrefixOf, kmsAliasName, prefixCovers } from '../state-layout';
import { bootstrapSchema } from './bootstrap';
import { awsSchema, backendSchema, cloudflareSchema, tagMap } from './core';
import { driftSchema } from './drift';
import { edgeSchema } from './edge';
import { protectedHostnameSchema } from './hostnames';
import { keylessSchema } from './keyless';
import { originSchema } from './origin';
import { pkiSchema } from './pki';
import { verifySchema } from './verify';

/** Environment names: also the prefix of every stack name. */
export const ENV_NAME = /^[a-z][a-z0-9]{1,15}$/;

/**
 * The whole environment file. Each section has its own schema file beside this one;
 * checks that span sections live in `crossChecks` below.
 */
export const environmentSchema = z
  .object({
    /** Must equal the file name (`dev` for `envs/dev.yaml`). */
    name: z.string().regex(ENV_NAME, 'expected a lowercase name of 2-16 letters and digits, starting with a letter'),
    aws: awsSchema,
    cloudflare: cloudflareSchema,
    backend: backendSchema,
    /**
     * Who may assume this environment's pipeline roles, which the account bootstrap
     * (`aws-bootstrap-<account>`) builds. Required with an S3 backend.
     * @default none (only a `local` backend may leave it out)
     */
    bootstrap: bootstrapSchema.optional(),
    /** Tags put on every AWS resource (with `Environment` and `ManagedBy` added). @default {} */
    tags: tagMap.default({}),
    /** Hostnames protected end to end. At least one. */
    hostnames: z
      .array(protectedHostnameSchema)
      .min(1, 'expected at least one protected hostname')
      .max(MAX_HOSTNAMES_PER_ENVIRONMENT, `expected at most ${MAX_HOSTNAMES_PER_ENVIRONMENT} protected hostnames per environment (API Gateway custom domains per region, the 4096-character WAF rule expression); put more in another environment`),
    pki: pkiSchema.prefault({ mode: 'generated' }),
    origin: originSchema.prefault({}),
    keyless: keylessSchema.default({ enabled: false }),
    /** Zone-wide Cloudflare edge settings and certificate-expiry alerts. */
    edge: edgeSchema,
    /** Live endpoints and files for `npm run verify`. @default none: pass them as flags */
    verify: verifySchema.optional(),
    /** How `npm run drift` reads this environment. @default no known emulator gaps */
    drift: driftSchema.prefault({}),
    /**
     * PEM paths must resolve inside the project folder (symlinks and `../` followed), so an
     * env file cannot make a system file such as a public root CA trusted by accident.
     * Setting this to the reason (at least 20 characters) lifts that for this file.
     * @default unset: PEM files stay inside the project folder
     */
    allowPemFilesOutsideProject: plainText('the reason PEM files must live outside the project folder', 20, 300).optional(),
  })
  .strict()
  .superRefine((env, ctx) => {
    for (const check of crossChecks) check(env, ctx);
  });

type ParsedShape = z.infer<z.ZodObject<(typeof environmentSchema)['shape']>>;
type CrossCheck = (env: ParsedShape, ctx: z.RefinementCtx) => void;

const crossChecks: CrossCheck[] = [
  function hostnamesInsideZone(env, ctx) {
    const seen = new Map<string, number>();
    env.hostnames.forEach((h, i) => {
      const outside = outsideZoneProblem(h.name, env.cloudflare.zoneName);
      if (outside) ctx.addIssue({ code: 'custom', path: ['hostnames', i, 'name'], message: outside });
      const first = seen.get(h.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['hostnames', i, 'name'],
          message: `"${h.name}" is listed twice (first at hostnames[${first}]); each protected hostname must be unique`,
        });
      } else seen.set(h.name, i);
    });
  },
  function keylessOriginHostInsideZone(env, ctx) {
    const host = env.keyless.enabled ? env.keyless.originHost : undefined;
    const outside = host && outsideZoneProblem(host.hostname, env.cloudflare.zoneName);
    if (outside) ctx.addIssue({ code: 'custom', path: ['keyless', 'originHost', 'hostname'], message: outside });
  },
  function ownCaServerCertificateAvailable(env, ctx) {
    if (env.origin.serverCertificate === 'imported-own-ca' && env.pki.mode === 'byo' && env.pki.serverCertificate === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['pki', 'serverCertificate'],
        message: 'missing: origin.serverCertificate "imported-own-ca" needs { certificate, privateKey, chain } here (the server certificate issued by your CA)',
      });
    }
  },
  function packageSigningKeyPinned(env, ctx) {
    // Cloudflare's install page publishes the key's URL but no fingerprint, so the pin must
    // be verified out of band; the all-zero placeholder would only fail when a host boots.
    if (env.keyless.enabled && env.name !== 'local' && /^0+$/.test(env.keyless.packageSigningKeyFingerprint)) {
      ctx.addIssue({
        code: 'custom',
        path: ['keyless', 'packageSigningKeyFingerprint'],
        message:
          'is the all-zero placeholder; expected the fingerprint of https://pkg.cloudflare.com/cloudflare-main.gpg verified out of band (gpg --show-keys --with-fingerprint); only the local environment may keep the placeholder',
      });
    }
  },
  function hostnameTlsNotBelowZone(env, ctx) {
    env.hostnames.forEach((h, i) => {
      const below = h.minTlsVersion !== undefined && tlsBelowZoneProblem(h.minTlsVersion, env.edge.minTlsVersion);
      if (below) ctx.addIssue({ code: 'custom', path: ['hostnames', i, 'minTlsVersion'], message: `${below} (edge.minTlsVersion)` });
    });
  },
  function emulatorGapsOnlyOnAnEmulator(env, ctx) {
    if (env.drift.knownEmulatorGaps.length > 0 && env.aws.endpoint === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['drift', 'knownEmulatorGaps'],
        message: 'known emulator gaps hide differences from drift reports, so they are only allowed when aws.endpoint names an emulator; a real environment reports every difference',
      });
    }
  },
  function custodyStateApart(env, ctx) {
    // The plan and drift roles are granted `<keyPrefix>/*` and the public key: a custody
    // prefix inside (or around) the public one, or one key for both, would hand them the
    // custody state (the CA private keys).
    if (env.backend.type !== 's3') return;
    const b = env.backend;
    const custody = custodyKeyPrefixOf(b);
    if (prefixCovers(b.keyPrefix, custody) || prefixCovers(custody, b.keyPrefix)) {
      ctx.addIssue({
        code: 'custom',
        path: ['backend', 'custodyKeyPrefix'],
        message: `"${custody}" overlaps backend.keyPrefix "${b.keyPrefix}": a role granted one prefix would read the other's state; use a sibling prefix such as "${b.keyPrefix}-custody"`,
      });
    }
    const home = { region: b.region, accountId: env.aws.accountId };
    const publicAlias = b.kmsKeyId === undefined ? undefined : kmsAliasName(b.kmsKeyId, home);
    const custodyAlias = kmsAliasName(b.custodyKmsKeyId, home);
    if (publicAlias && 'alias' in publicAlias && 'alias' in custodyAlias && publicAlias.alias === custodyAlias.alias) {
      ctx.addIssue({
        code: 'custom',
        path: ['backend', 'custodyKmsKeyId'],
        message: `"${b.custodyKmsKeyId}" is the same key as backend.kmsKeyId "${b.kmsKeyId}"; the custody state needs a key of its own, which the plan and drift roles cannot decrypt`,
      });
    }
  },
  function bootstrapInputs(env, ctx) {
    // Every S3-backed environment is part of its account's bootstrap stack, which creates
    // the keys under the aliases named here and trusts the repository's OIDC tokens.
    if (env.backend.type !== 's3') return;
    const b = env.backend;
    const stack = `aws-bootstrap-${env.aws.accountId}`;
    if (env.bootstrap === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['bootstrap', 'githubRepository'],
        message: `missing: ${stack} builds this environment's pipeline roles (plan, drift, custody-drift, deploy), trusted only for GitHub OIDC tokens of one repository; expected "owner/name" such as "example-org/edge-mtls"`,
      });
    }
    if (b.kmsKeyId === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['backend', 'kmsKeyId'],
        message: `missing: ${stack} creates the public state key and the plan and drift roles may decrypt only it; expected an alias such as "alias/edge-mtls-state"`,
      });
    }
    const home = { region: b.region, accountId: env.aws.accountId };
    for (const field of ['kmsKeyId', 'custodyKmsKeyId'] as const) {
      const value = b[field];
      const alias = value === undefined ? undefined : kmsAliasName(value, home);
      if (alias && 'problem' in alias) ctx.addIssue({ code: 'custom', path: ['backend', field], message: alias.problem });
    }
  },
  function emulatorOnlyOnLoopbackLocal(env, ctx) {
    // With an s3 backend emulatorOnlyForLocal below says it: one problem per mistake.
    if (env.aws.endpoint === undefined || env.backend.type === 's3') return;
    // The emulator gets the AWS credentials of whoever runs the plan: only a local one, only for `local`.
    if (env.name !== 'local') {
      ctx.addIssue({ code: 'custom', path: ['aws', 'endpoint'], message: `an emulator endpoint is only allowed in the local environment, not in "${env.name}"; remove it to use the real AWS endpoints` });
      return;
    }
    const host = new URL(env.aws.endpoint).hostname.replace(/^\[|\]$/g, '');
    if (!['127.0.0.1', 'localhost', '::1'].includes(host) && !/^127\.\d+\.\d+\.\d+$/.test(host)) {
      ctx.addIssue({ code: 'custom', path: ['aws', 'endpoint'], message: `"${env.aws.endpoint}" is not on this machine; an emulator endpoint must be a loopback address (127.0.0.1, ::1 or localhost) so credentials never leave it` });
    }
  },
  function oneTerraformVariablePerKey(env, ctx) {
    const first = new Map<string, string>();
    const walk = (node: unknown, path: (string | number)[]) => {
      if (Array.isArray(node)) node.forEach((v, i) => walk(v, [...path, i]));
      else if (node && typeof node === 'object') {
        const variable = (node as { terraformVariable?: unknown }).terraformVariable;
        if (typeof variable === 'string') {
          const where = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
          const earlier = first.get(variable);
          if (earlier) ctx.addIssue({ code: 'custom', path: [...path, 'terraformVariable'], message: `the Terraform variable "${variable}" already supplies the key of ${earlier}; each private key needs its own variable` });
          else first.set(variable, where);
        }
        for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
      }
    };
    walk(env, []);
  },
  function emulatorOnlyForLocal(env, ctx) {
    if (env.aws.endpoint !== undefined && env.backend.type === 's3') {
      ctx.addIssue({
        code: 'custom',
        path: ['aws', 'endpoint'],
        message: 'an emulator endpoint is only allowed with backend.type "local"; remove it for a real environment',
      });
    }
  },
];

export type Environment = z.infer<typeof environmentSchema>;
