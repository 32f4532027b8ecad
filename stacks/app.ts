import { App } from 'cdktf';
import { resolveEnvironments, type ResolveOptions, type ResolvedEnvironment } from '../envs/resolve';
import { buildEnvironment, type EnvironmentStacks } from './environment';

export interface BuildAppOptions {
  /** Output folder. @default cdktf's own choice: CDKTF_OUTDIR or `cdktf.out` */
  readonly outdir?: string;
  /** Comma-separated environments, as in `ENVS=dev,prod`. @default all of `envs/*.yaml` */
  readonly selector?: string;
  /** Folder of the environment files. @default `envs` */
  readonly envsDir?: string;
  /** Expiry moment and project folder for the files env files name. @default now, the parent of envsDir */
  readonly resolve?: ResolveOptions;
}

export interface BuiltApp {
  readonly app: App;
  /** The selected environments, resolved. */
  readonly environments: readonly ResolvedEnvironment[];
  readonly stacks: ReadonlyMap<string, EnvironmentStacks>;
}

/**
 * Resolves every environment first (throwing a ConfigError listing every problem of
 * every env file, selected or not) and only then constructs the selected ones, so bad
 * input never reaches the outdir.
 */
export function buildApp(options: BuildAppOptions = {}): BuiltApp {
  const environments = resolveEnvironments(options.selector, options.envsDir, options.resolve).selected;
  const app = new App({ outdir: options.outdir, skipValidation: false });
  const stacks = new Map<string, EnvironmentStacks>();
  for (const env of environments) stacks.set(env.config.name, buildEnvironment(app, env));
  return { app, environments, stacks };
}
