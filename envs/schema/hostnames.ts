import { z } from 'zod';
import { hostname } from './common';

/**
 * A protected hostname: a proxied Cloudflare name in front of an API Gateway
 * custom domain of the same name with mutual TLS.
 */
export const protectedHostnameSchema = z
  .object({
    /** Fully-qualified name inside the zone, e.g. `api.example.com`. */
    name: hostname,
  })
  .strict();

export type ProtectedHostnameConfig = z.infer<typeof protectedHostnameSchema>;
