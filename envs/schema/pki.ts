import { z } from 'zod';
import { outlivesIssuerProblem } from '../../lib/rules';
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../../lib/vocabulary';
import { caPins, pemPath } from './common';

export { KEY_ALGORITHMS, type KeyAlgorithm };

/** One certificate of a generated PKI: key, lifetime, when Terraform replaces it. */
const certificateSettings = (defaults: { keyAlgorithm: (typeof KEY_ALGORITHMS)[number]; validityDays: number; earlyRenewalDays: number }) =>
  z
    .object({
      /** @default per certificate: RSA_4096 for CAs, RSA_2048 for leaves */
      keyAlgorithm: z.enum(KEY_ALGORITHMS, { error: `expected one of ${KEY_ALGORITHMS.join(', ')}` }).default(defaults.keyAlgorithm),
      /** Lifetime in days. */
      validityDays: z.int('expected a whole number of days').min(1, 'expected at least 1 day').max(3650, 'expected at most 3650 days (10 years)').default(defaults.validityDays),
      /** Terraform replaces the certificate this many days before it expires (on the next apply). */
      earlyRenewalDays: z.int('expected a whole number of days').min(0, 'expected 0 or more days').default(defaults.earlyRenewalDays),
      /**
       * Bump to reissue the certificate with a new key (rotation): each generation is a distinct Terraform resource.
       * @default 1
       */
      generation: z.int('expected a whole number').min(1, 'expected a generation of 1 or more').default(1),
    })
    .strict()
    .refine((c) => c.earlyRenewalDays < c.validityDays, { message: 'earlyRenewalDays must be smaller than validityDays', path: ['earlyRenewalDays'] });

const rootDefaults = { keyAlgorithm: 'RSA_4096', validityDays: 1825, earlyRenewalDays: 365 } as const;
const intermediateDefaults = { keyAlgorithm: 'RSA_4096', validityDays: 1095, earlyRenewalDays: 180 } as const;
const leafDefaults = { keyAlgorithm: 'RSA_2048', validityDays: 730, earlyRenewalDays: 30 } as const;

const clientName = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a name of lowercase letters, digits and hyphens (at most 40), starting with a letter');

/** A PKI made by the Terraform tls provider: root CA -> intermediate CA -> leaves. */
export const generatedPkiSchema = z
  .object({
    mode: z.literal('generated'),
    /** Organisation in every subject. @default "Edge mTLS" */
    organization: z.string().min(1).max(64, 'expected at most 64 characters').default('Edge mTLS'),
    /**
     * CA generations to trust, the issuing one first. Rotation: prepend a new number
     * (both trusted, leaves reissued by the new one), later drop the old one.
     * @default [1]
     */
    caGenerations: z
      .array(z.int('expected whole numbers').min(1, 'expected generations of 1 or more'))
      .min(1, 'expected at least one CA generation (the issuing one first)')
      .max(3, 'expected at most 3 CA generations at once (issuing + overlap)')
      .refine((g) => new Set(g).size === g.length, 'expected distinct generation numbers')
      .default([1]),
    rootCa: certificateSettings(rootDefaults).default({ ...rootDefaults, generation: 1 }),
    intermediateCa: certificateSettings(intermediateDefaults).default({ ...intermediateDefaults, generation: 1 }),
    /** The client certificate Cloudflare presents to the origin (Authenticated Origin Pulls). */
    originPullClient: certificateSettings(leafDefaults).default({ ...leafDefaults, generation: 1 }),
    /** The API Gateway server certificate, made when `origin.serverCertificate` is `imported-own-ca`. */
    serverCertificate: certificateSettings(leafDefaults).default({ ...leafDefaults, generation: 1 }),
    /** Named service/device client certificates (clientAuth). @default [] */
    clientCertificates: z
      .array(certificateSettings(leafDefaults).safeExtend({ name: clientName }))
      .default([])
      .refine((l) => new Set(l.map((c) => c.name)).size === l.length, 'expected unique client certificate names'),
  })
  .strict()
  .superRefine((pki, ctx) => {
    // A certificate that outlives its issuer stops validating when the issuer expires.
    const intermediate = outlivesIssuerProblem(pki.intermediateCa.validityDays, pki.rootCa.validityDays, 'root CA');
    if (intermediate) ctx.addIssue({ code: 'custom', path: ['intermediateCa', 'validityDays'], message: intermediate });
    const leaves: Array<[PropertyKey[], { validityDays: number }]> = [
      [['originPullClient', 'validityDays'], pki.originPullClient],
      [['serverCertificate', 'validityDays'], pki.serverCertificate],
      ...pki.clientCertificates.map((c, i): [PropertyKey[], { validityDays: number }] => [['clientCertificates', i, 'validityDays'], c]),
    ];
    for (const [path, leaf] of leaves) {
      const problem = outlivesIssuerProblem(leaf.validityDays, pki.intermediateCa.validityDays, 'intermediate CA');
      if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
    }
  });

/** Where a bring-your-own private key comes from: never a file in the repository. */
export const privateKeySourceSchema = z.union(
  [
    z.object({ secretsManagerSecretId: z.string().min(1, 'expected a secret name or ARN') }).strict(),
    z.object({ terraformVariable: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'expected a Terraform variable name (lowercase, digits, _)') }).strict(),
  ],
  { error: 'expected { secretsManagerSecretId: <name or ARN> } or { terraformVariable: <name> }; private keys are never read from files' },
);

const byoLeafSchema = z
  .object({
    /** The leaf certificate, PEM (public: may be in the repository's secrets-free config). */
    certificate: pemPath,
    privateKey: privateKeySourceSchema,
  })
  .strict();

/** An existing CA of the organisation: PEM files next to the env file, checked at synth time. */
export const byoPkiSchema = z
  .object({
    mode: z.literal('byo'),
    /** Every CA certificate clients chain to (root and intermediates), PEM. */
    caBundle: pemPath,
    /**
     * The key of every CA of `caBundle` (`sha256:<hex>`, lib/ca-pins): a CA whose key is
     * not listed is refused, and its error prints the line to add. A change here changes
     * who is trusted, so the review marks it. @default [] (then every CA is refused)
     */
    expectedCaKeys: caPins('pki.caBundle'),
    /** The client certificate Cloudflare presents to the origin, issued by the bundle. */
    originPullClient: byoLeafSchema,
    /** Server certificate for `origin.serverCertificate: imported-own-ca`. */
    serverCertificate: byoLeafSchema.extend({ chain: pemPath.optional() }).optional(),
  })
  .strict();

/** How the environment's certificate authority comes to be. */
export const pkiSchema = z.discriminatedUnion('mode', [generatedPkiSchema, byoPkiSchema], {
  error: 'expected pki.mode to be "generated" (tls provider) or "byo" (PEM files)',
});

export type PkiConfig = z.infer<typeof pkiSchema>;
export type GeneratedPkiConfig = z.infer<typeof generatedPkiSchema>;
export type ByoPkiConfig = z.infer<typeof byoPkiSchema>;
export type CertificateSettings = z.infer<ReturnType<typeof certificateSettings>>;
export type PrivateKeySource = z.infer<typeof privateKeySourceSchema>;
