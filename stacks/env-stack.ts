import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import type { ResolvedEnvironment } from '../envs/resolve';
import { type Concern, isCustodyStack, stackName } from '../lib/naming';
import { custodyKeyPrefixOf } from '../envs/state-layout';
import { CLOUDFLARE_PROVIDER, TLS_PROVIDER } from '../lib/providers';

export interface EnvStackProps {
  /** The environment this stack belongs to, validated and with its files read. */
  readonly env: ResolvedEnvironment;
}

/** Services the `local` environment reaches on its emulator endpoint. */
const EMULATED_SERVICES = ['acm', 'apigateway', 'ec2', 'iam', 'kms', 's3', 'secretsmanager', 'ssm', 'sts', 'route53'] as const;

/**
 * A stack named `<env>-<concern>` with the environment's state backend. Real
 * environments keep state in S3 (per-stack key, encrypted, S3 lockfile locking);
 * `local` keeps it on disk. Providers are added by the concrete stacks through
 * the helpers below, so a stack only carries the providers it uses.
 */
export abstract class EnvStack extends TerraformStack {
  readonly env: ResolvedEnvironment;

  protected constructor(scope: Construct, concern: Concern, props: EnvStackProps) {
    const name = stackName(props.env.config.name, concern);
    super(scope, name);
    this.env = props.env;
    useEnvironmentBackend(this, props.env);
  }

  /** The AWS provider, pinned to the environment's account and tagging everything. */
  protected useAws(): AwsProvider {
    const { aws, name, tags } = this.env.config;
    return new AwsProvider(this, 'aws', {
      region: aws.region,
      allowedAccountIds: [aws.accountId],
      defaultTags: [{ tags: { ...tags, Environment: name, Stack: this.node.id, ManagedBy: 'cdktf' } }],
      ...(this.env.capabilities.awsEmulator
        ? {
            endpoints: [Object.fromEntries(EMULATED_SERVICES.map((s) => [s, aws.endpoint]))],
            skipCredentialsValidation: true,
            // The account id is asked of the emulated STS (moto answers 123456789012), so
            // allowed_account_ids still guards the local env; skipping it would fail that check.
            skipMetadataApiCheck: 'true',
            s3UsePathStyle: true,
          }
        : {}),
    });
  }

  /** The Cloudflare provider (see useCloudflareProvider). */
  protected useCloudflare(): CloudflareProvider {
    return useCloudflareProvider(this);
  }

  /** The tls provider, held to TLS_PROVIDER (the bindings were generated for 4.1.0). */
  protected useTls(): TlsProvider {
    const provider = new TlsProvider(this, 'tls', {});
    this.addOverride('terraform.required_providers.tls.version', TLS_PROVIDER.version);
    return provider;
  }
}

/**
 * The Cloudflare provider, pinned to CLOUDFLARE_PROVIDER rather than the 5.14.0 the
 * prebuilt classes were generated for (an override of `required_providers`, not of any
 * resource). Its API token comes from CLOUDFLARE_API_TOKEN, never from config.
 */
export function useCloudflareProvider(stack: TerraformStack): CloudflareProvider {
  const provider = new CloudflareProvider(stack, 'cloudflare', {});
  stack.addOverride('terraform.required_providers.cloudflare.version', CLOUDFLARE_PROVIDER.version);
  return provider;
}

/**
 * Gives `stack` the state backend of `env`: S3 (per-stack key, encrypted, S3 lockfile
 * locking) for real environments, a file for `local`. A custody stack's state (private
 * keys) goes under the custody prefix with the custody KMS key, which the plan and drift
 * roles cannot read or decrypt; every other stack's under the public prefix.
 */
export function useEnvironmentBackend(stack: TerraformStack, env: ResolvedEnvironment): void {
  const name = stack.node.id;
  const custody = isCustodyStack(name);
  const backend = env.config.backend;
  if (backend.type === 's3') {
    new S3Backend(stack, {
      bucket: backend.bucket,
      key: `${custody ? custodyKeyPrefixOf(backend) : backend.keyPrefix}/${name}.tfstate`,
      region: backend.region,
      encrypt: true,
      kmsKeyId: custody ? backend.custodyKmsKeyId : backend.kmsKeyId,
    });
    // cdktf 0.21's S3BackendConfig predates `use_lockfile` (Terraform >= 1.10):
    // native S3 locking, no DynamoDB table needed.
    stack.addOverride('terraform.backend.s3.use_lockfile', true);
  } else {
    const dir = backend.dir ?? `terraform-state/${env.config.name}`;
    // A sibling folder, not a subfolder: whoever may read the public folder may not read custody state.
    new LocalBackend(stack, { path: `${dir}${custody ? '-custody' : ''}/${name}.tfstate` });
  }
}
