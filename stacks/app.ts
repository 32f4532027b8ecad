import { App } from 'cdktf';
import { loadEnvironments, selectEnvironments, type LoadedEnvironment } from '../envs/load';
import { buildEnvironment, type EnvironmentStacks } from './environment';

export interface BuildAppOptions {
  /** Output folder. @default cdktf's own choice: CDKTF_OUTDIR or `cdktf.out` */
  readonly outdir?: string;
  /** Comma-separated environments, as in `ENVS=dev,prod`. @default all of `envs/*.yaml` */
  readonly selector?: string;
  /** Folder of the environment files. @default `envs` */
  readonly envsDir?: string;
}

export interface BuiltApp {
  readonly app: App;
  readonly environments: readonly LoadedEnvironment[];
  readonly stacks: ReadonlyMap<string, EnvironmentStacks>;
}

/**
 * Validates every selected environment first (throwing a ConfigError listing every
 * problem) and only then constructs the app, so bad input never reaches the outdir.
 */
export function buildApp(options: BuildAppOptions = {}): BuiltApp {
  const names = selectEnvironments(options.selector, options.envsDir);
  const environments = loadEnvironments(names, options.envsDir);
  const app = new App({ outdir: options.outdir, skipValidation: false });
  const stacks = new Map<string, EnvironmentStacks>();
  for (const env of environments) stacks.set(env.config.name, buildEnvironment(app, env));
  return { app, environments, stacks };
}
