import type { App } from 'cdktf';
import type { LoadedEnvironment } from '../envs/load';
import { KeylessStack } from './keyless-stack';
import { OriginStack } from './origin-stack';

/** Every stack of one environment, for callers that wire or inspect them. */
export interface EnvironmentStacks {
  readonly origin: OriginStack;
  /** Only when the environment enables Keyless SSL. */
  readonly keyless?: KeylessStack;
}

/**
 * The wiring diagram of one environment. Values cross stacks only through
 * the typed outputs passed here, which CDKTF turns into remote-state references;
 * the order of construction is the dependency order, so the graph stays acyclic.
 */
export function buildEnvironment(app: App, env: LoadedEnvironment): EnvironmentStacks {
  const origin = new OriginStack(app, { env });
  const keyless = env.config.keyless.enabled ? new KeylessStack(app, { env }) : undefined;
  return { origin, keyless };
}
