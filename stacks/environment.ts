import type { App } from 'cdktf';
import type { ResolvedEnvironment } from '../envs/resolve';
import { EdgeStack } from './edge-stack';
import { KeylessStack } from './keyless-stack';
import { OriginStack } from './origin-stack';
import { PkiStack } from './pki-stack';

/** Every stack of one environment, for callers that wire or inspect them. */
export interface EnvironmentStacks {
  /** The custody stack: every private key and secret of the environment. */
  readonly pki: PkiStack;
  readonly origin: OriginStack;
  readonly edge: EdgeStack;
  /** Only when the environment enables Keyless SSL (an Enterprise add-on). */
  readonly keyless?: KeylessStack;
}

/**
 * The wiring diagram of one environment. Public values cross between public stacks as
 * CDKTF cross-stack references (remote state); out of the custody stack (`pki`) they
 * cross only through SSM parameters it publishes, because reading its state would read
 * its keys. The custody stack may read public stacks (the keyless tunnel's id). Order:
 * keyless, pki, origin, edge.
 */
export function buildEnvironment(app: App, env: ResolvedEnvironment): EnvironmentStacks {
  const keyless = env.config.keyless.enabled ? new KeylessStack(app, { env }) : undefined;
  const pki = new PkiStack(app, { env, keylessTunnel: keyless && { tunnelId: keyless.tunnel.tunnelId, secretArn: keyless.tunnelTokenSecretArn } });
  const origin = new OriginStack(app, { env, custody: pki });
  const edge = new EdgeStack(app, { env, custody: pki, originDomains: origin.originDomains });
  return { pki, origin, edge, keyless };
}
