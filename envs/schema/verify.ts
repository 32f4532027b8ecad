import { z } from 'zod';
import { pemPath } from './common';

const httpsUrl = z.url({ protocol: /^https$/, error: 'expected an https URL such as "https://api.example.com"' });

/** `host:port:address`, as curl's --resolve: reach `host` at `address` without DNS. */
export const RESOLVE_ENTRY = /^([a-z0-9.-]+):(\d{1,5}):([0-9a-f.:]+)$/;

/**
 * Where `npm run verify` finds the live endpoints of the environment and the files it
 * authenticates with. Paths only (relative to the env file): key material never goes
 * in an env file.
 */
export const verifySchema = z
  .object({
    /** The API Gateway custom domain, reached directly (not through Cloudflare). */
    originUrl: httpsUrl,
    /** The proxied hostname at Cloudflare, an API Shield host. @default not checked */
    edgeUrl: httpsUrl.optional(),
    /** The default `https://{id}.execute-api.{region}.amazonaws.com` URL, which must not answer. @default not checked */
    defaultEndpointUrl: httpsUrl.optional(),
    /** PEM bundle of the CA that must be the only one in the origin truststore. */
    caBundle: pemPath,
    /** The origin-pull client certificate (PEM) Cloudflare presents to the origin. */
    clientCertificate: pemPath,
    /** Its private key file, read at run time only. */
    clientKey: z.string().regex(/\.(pem|key)$/, 'expected the path of a PEM key file ending in .pem or .key'),
    /** CA bundle that validates the servers' certificates. @default the system roots */
    serverCaBundle: pemPath.optional(),
    /** Host mappings `host:port:address`, like curl --resolve. @default [] (DNS) */
    resolve: z.array(z.string().regex(RESOLVE_ENTRY, 'expected "host:port:address", e.g. "api.example.com:443:192.0.2.10"')).default([]),
    /** Certificates expiring within this many days are reported as warnings. @default 30 */
    warnDays: z.number().int().min(1).max(365).default(30),
  })
  .strict();

export type VerifyConfig = z.infer<typeof verifySchema>;
