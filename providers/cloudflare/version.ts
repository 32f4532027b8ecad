import { CLOUDFLARE_PROVIDER } from '../../lib/providers';
import type { BindingSpec } from '../binding';

/** The Cloudflare bindings in this folder follow the schema of the pinned provider version. */
export const cloudflareSpec = (type: string): BindingSpec => ({ type, provider: 'cloudflare', version: CLOUDFLARE_PROVIDER.version });
