import type { App } from 'cdktf';
import type { ResolvedEnvironment } from '../envs/resolve';
import { EdgeStack } from './edge-stack';
import { KeylessStack } from './keyless-stack';
import { OriginStack } from './origin-stack';
import { PkiStack } from './pki-stack';

/** Every stack of one environment, for callers that wire or inspect them. */
export interface EnvironmentStacks {
  readonly pki: PkiStack;
  readonly origin: OriginStack;
  readonly edge: EdgeStack;
  /** Only when the environment enables Keyless SSL (an Enterprise add-on). */
  readonly keyless?: KeylessStack;
}

/**
 * The wiring diagram of one environment. Values cross stacks only through
 * the typed outputs passed here, which CDKTF turns into remote-state references;
 * the order of construction is the dependency order, so the graph stays acyclic.
 */
export function buildEnvironment(app: App, env: ResolvedEnvironment): EnvironmentStacks {
  const pki = new PkiStack(app, { env });
  const origin = new OriginStack(app, { env, pki: pki.outputs });
  const edge = new EdgeStack(app, { env, pki: pki.outputs, originDomains: origin.originDomains });
  const keyless = env.config.keyless.enabled ? new KeylessStack(app, { env }) : undefined;
  return { pki, origin, edge, keyless };
}
