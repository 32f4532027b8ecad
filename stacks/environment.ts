import type { App } from 'cdktf';
import type { LoadedEnvironment } from '../envs/load';
import { EdgeStack } from './edge-stack';
import { OriginStack } from './origin-stack';
import { TemporaryUpstreamStub } from './temporary-stubs'; // TEMP-STUB

/** Every stack of one environment, for callers that wire or inspect them. */
export interface EnvironmentStacks {
  readonly origin: OriginStack;
  readonly edge: EdgeStack;
}

/**
 * The wiring diagram of one environment. Values cross stacks only through
 * the typed outputs passed here, which CDKTF turns into remote-state references;
 * the order of construction is the dependency order, so the graph stays acyclic.
 */
export function buildEnvironment(app: App, env: LoadedEnvironment): EnvironmentStacks {
  const origin = new OriginStack(app, { env });
  const upstream = new TemporaryUpstreamStub(app, { env }); // TEMP-STUB: replace with the PKI stack's and origin stack's outputs
  const edge = new EdgeStack(app, { env, pki: upstream.pki, originDomains: upstream.originDomains }); // TEMP-STUB inputs
  return { origin, edge };
}
