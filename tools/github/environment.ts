import { ConfigError } from '../../lib/errors';
import type { GitHubClientOptions } from './client';

/**
 * The GitHub client settings of an Actions job: `GITHUB_API_URL`, `GITHUB_TOKEN`,
 * `GITHUB_REPOSITORY`, and `GITHUB_COMMENT_AUTHOR` when the token is not `GITHUB_TOKEN`
 * (an app's `<name>[bot]`; default `github-actions[bot]`).
 */
export function githubFromEnvironment(env: NodeJS.ProcessEnv): GitHubClientOptions {
  const missing = ['GITHUB_TOKEN', 'GITHUB_REPOSITORY'].filter((k) => !env[k]);
  if (missing.length > 0) throw ConfigError.single('process environment', missing.join(', '), 'unset; the workflow passes them to the step');
  return {
    baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
    token: env.GITHUB_TOKEN!,
    repository: env.GITHUB_REPOSITORY!,
    ...(env.GITHUB_COMMENT_AUTHOR ? { author: env.GITHUB_COMMENT_AUTHOR } : {}),
  };
}
