import { listEnvironments } from '../../envs/load';
import { isCustodyStack } from '../../lib/naming';
import { baseEnvironment } from '../support/env-files';
import { synthStacks, onlyResource } from '../support/synth';

describe('stacks', () => {
  const stacks = synthStacks();

  it('are named <env>-<concern> for every environment', () => {
    for (const env of listEnvironments()) {
      expect([...stacks.keys()].filter((s) => s.startsWith(`${env}-`))).toContain(`${env}-origin`);
    }
    // One stack per environment and concern, plus one per Cloudflare account, shared by the
    // environments using it, and one bootstrap per AWS account (test/unit/bootstrap-stack.test.ts).
    const environments = new Set(listEnvironments());
    for (const name of stacks.keys()) {
      if (/^cloudflare-account-[0-9a-f]{32}$/.test(name) || /^aws-bootstrap-\d{12}$/.test(name)) continue;
      const [env, concern, ...rest] = name.split('-');
      expect({ name, env: environments.has(env), concern, rest }).toEqual({ name, env: true, concern: expect.stringMatching(/^(pki|origin|edge|keyless)$/), rest: [] });
    }
  });

  it('real environments keep state in S3: one key per stack, encrypted, locked with the S3 lockfile; custody state under its own prefix and KMS key', () => {
    let custodyStacks = 0;
    for (const [name, stack] of stacks) {
      // The bootstrap creates the bucket, so it cannot keep its state there (it is local).
      if (name.startsWith('local-') || name.startsWith('aws-bootstrap-')) continue;
      const s3 = stack.terraform.backend.s3;
      // The account stack keeps its state beside the stacks of the environment owning it (prod).
      const env = name.startsWith('cloudflare-account-') ? 'prod' : name.split('-')[0];
      if (isCustodyStack(name)) {
        custodyStacks++;
        // A sibling prefix (never inside the public one), encrypted with the key only the deploy roles may use.
        expect(s3.key).toBe(`edge-mtls/${env}-custody/${name}.tfstate`);
        expect(s3.kms_key_id).toBe(baseEnvironment(env).backend.custodyKmsKeyId);
        expect(s3.kms_key_id).toMatch(/^arn:aws:kms:[a-z0-9-]+:\d{12}:alias\//);
        for (const [other, json] of stacks) {
          if (other.startsWith(`${env}-`) && !isCustodyStack(other)) expect({ other, kms: json.terraform.backend.s3.kms_key_id }).not.toEqual({ other, kms: s3.kms_key_id });
        }
      } else {
        expect(s3.key).toBe(`edge-mtls/${env}/${name}.tfstate`);
      }
      expect(s3.encrypt).toBe(true);
      expect(s3.use_lockfile).toBe(true);
      expect(s3.dynamodb_table).toBeUndefined();
    }
    expect(stacks.get('prod-origin')!.terraform.backend.s3.kms_key_id).toBe('alias/terraform-state');
    expect(custodyStacks).toBe(listEnvironments().filter((e) => e !== 'local').length);
  });

  it('the local environment keeps state on disk and talks to the emulator', () => {
    for (const [name, stack] of stacks) {
      if (!name.startsWith('local-')) continue;
      // Custody state in a sibling folder: whoever may read the public folder may not read it.
      expect(stack.terraform.backend.local.path).toBe(`terraform-state/${isCustodyStack(name) ? 'local-custody' : 'local'}/${name}.tfstate`);
      for (const aws of stack.provider?.aws ?? []) {
        expect(aws.endpoints[0].s3).toBe('http://127.0.0.1:5000');
        expect(aws.skip_credentials_validation).toBe(true);
      }
    }
  });

  it('the AWS provider is pinned to the account and tags everything with environment and stack', () => {
    const aws = stacks.get('prod-origin')!.provider.aws[0];
    expect(aws.allowed_account_ids).toEqual(['222222222222']);
    expect(aws.default_tags[0].tags).toMatchObject({ Environment: 'prod', Stack: 'prod-origin', ManagedBy: 'cdktf', CostCenter: 'edge' });
    expect(aws.endpoints).toBeUndefined();
  });

  it('cross-stack references form an acyclic graph', () => {
    const edges = new Map<string, string[]>();
    for (const [name, stack] of stacks) {
      const remote = Object.values<any>(stack.data?.terraform_remote_state ?? {});
      edges.set(
        name,
        remote.map((r) => {
          const key: string = r.config.key ?? r.config.path;
          return /([a-z0-9]+-[a-z]+)\.tfstate$/.exec(key)![1];
        }),
      );
    }
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (n: string, path: string[]): void => {
      if (done.has(n)) return;
      if (visiting.has(n)) throw new Error(`cycle: ${[...path, n].join(' -> ')}`);
      visiting.add(n);
      for (const m of edges.get(n) ?? []) visit(m, [...path, n]);
      visiting.delete(n);
      done.add(n);
    };
    for (const n of edges.keys()) visit(n, []);
    expect(done.size).toBe(stacks.size);
  });
});

describe('HardenedBucket (the truststore bucket)', () => {
  const stacks = synthStacks();
  const stack = stacks.get('dev-origin')!;

  it('is versioned, encrypted by default, and blocks all public access', () => {
    expect(onlyResource(stack, 'aws_s3_bucket_versioning').versioning_configuration.status).toBe('Enabled');
    expect(onlyResource(stack, 'aws_s3_bucket_server_side_encryption_configuration').rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe('AES256');
    expect(onlyResource(stack, 'aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(onlyResource(stack, 'aws_s3_bucket_ownership_controls').rule.object_ownership).toBe('BucketOwnerEnforced');
  });

  it('denies every request that is not made over TLS', () => {
    const doc = Object.values<any>(stack.data.aws_iam_policy_document)[0];
    expect(doc.statement[0]).toMatchObject({
      effect: 'Deny',
      actions: ['s3:*'],
      condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
    });
    expect(onlyResource(stack, 'aws_s3_bucket_policy').policy).toMatch(/^\$\{data\.aws_iam_policy_document\..+\.json\}$/);
  });

  it('expires noncurrent versions after 90 days', () => {
    const rule = onlyResource(stack, 'aws_s3_bucket_lifecycle_configuration').rule[0];
    expect(rule.noncurrent_version_expiration).toEqual([{ noncurrent_days: 90 }]);
  });

  it('keeps the lifecycle rule and the TLS-only policy in every environment except the one on an emulator (its capabilities)', () => {
    for (const [name, s] of stacks) {
      if (!name.endsWith('-origin')) continue;
      const lifecycle = Object.keys(s.resource?.aws_s3_bucket_lifecycle_configuration ?? {});
      const policies = Object.keys(s.resource?.aws_s3_bucket_policy ?? {});
      const tlsOnly = Object.values<any>(s.data?.aws_iam_policy_document ?? {}).some((d) => d.statement?.some((st: any) => st.condition?.some((c: any) => c.variable === 'aws:SecureTransport')));
      const emulated = name === 'local-origin';
      expect({ name, lifecycle: lifecycle.length, policies: policies.length, tlsOnly }).toEqual({ name, lifecycle: emulated ? 0 : 1, policies: 1, tlsOnly: !emulated });
    }
  });
});
