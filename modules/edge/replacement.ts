import type { TerraformResourceLifecycle } from 'cdktf';

/**
 * Lifecycle of every Cloudflare resource that carries a certificate Cloudflare cannot
 * update in place (the provider marks it RequiresReplace): the new upload is created
 * first, whatever points at it (a hostname association, an AOP switch) is moved to it,
 * and only then is the old one deleted. Terraform's default, delete first, would leave
 * the hostnames without an origin-pull certificate or a trusted CA meanwhile, and a
 * new origin-pull upload starts in `pending_deployment`.
 */
export const CREATE_BEFORE_DESTROY: TerraformResourceLifecycle = { createBeforeDestroy: true };
